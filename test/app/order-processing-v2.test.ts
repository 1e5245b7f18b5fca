import { describe, expect, it } from 'vitest';
import { orderProcessing } from '../../src/orchestrators/order-processing';
import { expectActivity, expectResult, OrchestratorRun, type FakeTask } from '../support/app/fake-orchestration';

/**
 * Version 2 of order_processing (instances started with host.json defaultVersion "2.0"): the stock is
 * reserved before the charge and released when the order will not ship. Version 1: order-processing.test.ts.
 */
const order = { order_id: 'B-2001', items: ['MUG', { sku: 'TEE', quantity: 2 }], email: 'ada@example.com' };
const items = [
    { sku: 'MUG', quantity: 1 },
    { sku: 'TEE', quantity: 2 },
];
const total = { cents: 8997, decimal: 89.97 };
const instanceId = 'order-B-2001';
const keyed = (step: string) => ({
    order_id: 'B-2001',
    instance_id: instanceId,
    idempotency_key: `${instanceId}:${step}`,
});
const reserved = { status: 'reserved', reservation_id: 'rs_1' };
const charged = { status: 'charged', charge_id: 'ch_1', amount: total };

const names = (run: OrchestratorRun<unknown>) =>
    run.created.map((task: FakeTask) => (task.scheduled.kind === 'all' ? 'all' : task.scheduled.name));
const steps = (run: OrchestratorRun<unknown>) => run.customStatuses.map((status) => (status as { step: string }).step);

describe.each(['2.0', '2', '2.0.0'])('order_processing, version 2 (instance version %j)', (version) => {
    const newRun = (input: unknown = order) =>
        new OrchestratorRun<unknown>(orderProcessing, input, instanceId, version);

    /** Runs to the charge: validated and reserved. */
    function runToCharge() {
        const run = newRun();
        run.start();
        run.resolve({ valid: true, amount: total });
        return { run, next: run.resolve(reserved) };
    }

    it('validates, reserves the stock, then charges, fulfils and notifies, each side effect keyed by instance and step', () => {
        const run = newRun();
        expect(expectActivity(run.start()).name).toBe('validate_order');

        const reserve = expectActivity(run.resolve({ valid: true, amount: total }));
        expect(reserve.name).toBe('reserve_stock');
        expect(reserve.input).toEqual({ ...keyed('reserve'), items });
        expect(reserve.retry).toMatchObject({ firstRetryIntervalInMilliseconds: 1000, backoffCoefficient: 2 });

        const charge = expectActivity(run.resolve(reserved));
        expect(charge.name).toBe('charge_customer');
        expect(charge.input).toEqual({ ...keyed('charge'), amount: total, payment_method: 'pm_card_visa' });

        const fulfill = expectActivity(run.resolve(charged));
        expect(fulfill).toMatchObject({ name: 'fulfill_order', input: { ...keyed('fulfil'), items } });
        const notify = expectActivity(run.resolve({ status: 'shipped', tracking_number: 'TRK1' }));
        expect(notify).toMatchObject({
            name: 'send_notification',
            input: { ...keyed('notify'), email: 'ada@example.com' },
        });

        expect(expectResult(run.resolve({ status: 'sent', message_id: 'm-1' }))).toEqual({
            status: 'completed',
            order_id: 'B-2001',
            charge_id: 'ch_1',
            tracking_number: 'TRK1',
            amount: total,
            notification: 'sent',
        });
        expect(steps(run)).toEqual(['validating', 'reserving', 'charging', 'fulfilling', 'notifying', 'done']);
        expect(run.unyieldedActivities()).toEqual([]);
    });

    it('rejects an order without stock before any charge, in the shape of the other rejections', () => {
        const run = newRun({ ...order, items: ['MUG', 'TEST-OUT-OF-STOCK'] });
        run.start();
        run.resolve({ valid: true, amount: total });
        const result = expectResult(
            run.resolve({ status: 'out_of_stock', reason: 'TEST-OUT-OF-STOCK is out of stock' }),
        );
        expect(result).toEqual({ status: 'rejected', order_id: 'B-2001', reason: 'TEST-OUT-OF-STOCK is out of stock' });
        expect(names(run)).toEqual(['validate_order', 'reserve_stock']);
        expect(run.customStatuses.at(-1)).toEqual({ step: 'done', order_id: 'B-2001', outcome: 'rejected' });
    });

    it('reserves nothing when validate_order rejects the order', () => {
        const run = newRun({ order_id: 'B-2001', items: [] });
        run.start();
        expect(expectResult(run.resolve({ valid: false, reason: 'No items in order' }))).toEqual({
            status: 'rejected',
            order_id: 'B-2001',
            reason: 'No items in order',
        });
        expect(names(run)).toEqual(['validate_order']);
    });

    it('releases the stock on a decline and ends payment_declined, nothing fulfilled or refunded', () => {
        const { run } = runToCharge();
        const releaseStep = expectActivity(run.resolve({ status: 'declined', reason: 'Your card was declined.' }));
        expect(releaseStep.name).toBe('release_stock');
        expect(releaseStep.input).toEqual({ ...keyed('release'), reservation_id: 'rs_1' });
        expect(releaseStep.retry).toBeDefined();
        expect(run.customStatuses.at(-1)).toMatchObject({ step: 'releasing' });
        expect(expectResult(run.resolve({ status: 'released', reservation_id: 'rs_1' }))).toEqual({
            status: 'payment_declined',
            order_id: 'B-2001',
            reason: 'Your card was declined.',
        });
        expect(names(run)).toEqual(['validate_order', 'reserve_stock', 'charge_customer', 'release_stock']);
    });

    it('releases the stock, then fails the instance with the charge error, when every charge attempt failed', () => {
        const { run } = runToCharge();
        const failure = new Error("Activity function 'charge_customer' failed: gateway down");
        const releaseStep = expectActivity(run.fail(failure));
        expect(releaseStep).toMatchObject({ name: 'release_stock', input: { reservation_id: 'rs_1' } });
        expect(() => run.resolve({ status: 'released', reservation_id: 'rs_1' })).toThrow(failure);
        expect(names(run)).not.toContain('fulfill_order');
    });

    it.each([
        [
            'the warehouse cannot ship (TEST-WAREHOUSE-DOWN)',
            (run: OrchestratorRun<unknown>) =>
                run.resolve({ status: 'unfulfillable', reason: 'The warehouse is down' }),
            /The warehouse is down/,
        ],
        [
            'every fulfillment attempt failed',
            (run: OrchestratorRun<unknown>) => run.fail(new Error('warehouse offline')),
            /Fulfillment kept failing: warehouse offline/,
        ],
    ] as const)('refunds the charge, then releases the stock, and ends failed when %s', (_, answer, reason) => {
        const { run } = runToCharge();
        run.resolve(charged);
        const refund = expectActivity(answer(run));
        expect(refund).toMatchObject({ name: 'refund_payment', input: { ...keyed('refund'), charge_id: 'ch_1' } });
        const releaseStep = expectActivity(run.resolve({ refund_id: 're_1' }));
        expect(releaseStep).toMatchObject({
            name: 'release_stock',
            input: { ...keyed('release'), reservation_id: 'rs_1' },
        });
        expect(expectResult(run.resolve({ status: 'released', reservation_id: 'rs_1' }))).toEqual({
            status: 'failed',
            order_id: 'B-2001',
            reason: expect.stringMatching(reason),
            refunded: true,
            refund_id: 're_1',
        });
        expect(steps(run).slice(-3)).toEqual(['refunding', 'releasing', 'done']);
    });

    it('fails the instance, charging nothing, when every reservation attempt failed', () => {
        const run = newRun();
        run.start();
        run.resolve({ valid: true, amount: total });
        expect(() => run.fail(new Error('warehouse api down'))).toThrow('warehouse api down');
        expect(names(run)).toEqual(['validate_order', 'reserve_stock']);
    });

    it('fails rather than guess when reserve_stock or release_stock answers with the wrong shape', () => {
        const run = newRun();
        run.start();
        run.resolve({ valid: true, amount: total });
        expect(() => run.resolve({ status: 'reserved' })).toThrow(
            /order_processing: invalid reserve_stock result: reservation_id/,
        );
        const declined = runToCharge().run;
        declined.resolve({ status: 'declined', reason: 'no' });
        expect(() => declined.resolve({ status: 'kept' })).toThrow(/invalid release_stock result/);
    });
});

describe('order_processing of a version this code does not run', () => {
    it.each(['3.0', 'v2-beta', '0.9'])('fails the instance for version %j before scheduling anything', (version) => {
        const run = new OrchestratorRun(orderProcessing, order, instanceId, version);
        expect(() => run.start()).toThrow(
            new RegExp(`order_processing: version '${version}' is not one this code runs`),
        );
        expect(run.created).toEqual([]);
    });
});
