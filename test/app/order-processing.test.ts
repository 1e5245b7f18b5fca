import { describe, expect, it } from 'vitest';
import { orderProcessing } from '../../src/orchestrators/order-processing';
import { expectActivity, expectResult, OrchestratorRun } from '../support/app/fake-orchestration';

const threeItems = {
    order_id: 'A-1001',
    items: [{ sku: 'MUG' }, 'TEE', { name: 'Sticker pack' }],
    email: 'ada@example.com',
};
/** The same lines after the boundary schema: a SKU string is an object, quantity defaults to 1. */
const threeItemsParsed = [
    { sku: 'MUG', quantity: 1 },
    { sku: 'TEE', quantity: 1 },
    { name: 'Sticker pack', quantity: 1 },
];
const total = { cents: 8997, decimal: 89.97 };
const instanceId = 'order-A-1001';
const keyed = (step: string) => ({
    order_id: 'A-1001',
    instance_id: instanceId,
    idempotency_key: `${instanceId}:${step}`,
});

/**
 * Version 1 of order_processing, as every order started before versioning runs it (instance version `""`) and
 * as an instance explicitly started with version "1.0" does. Version 2: order-processing-v2.test.ts.
 */
describe.each(['', '1.0'])('order_processing, version 1 (instance version %j)', (version) => {
    const newRun = (input: unknown, id = 'instance-1') => new OrchestratorRun(orderProcessing, input, id, version);

    function runTo(step: 'charge' | 'fulfil' | 'notify', input: unknown = threeItems) {
        const run = newRun(input, instanceId);
        run.start();
        let next = run.resolve({ valid: true, amount: total });
        if (step === 'charge') return { run, next };
        next = run.resolve({ status: 'charged', charge_id: 'ch_1', amount: total });
        if (step === 'fulfil') return { run, next };
        next = run.resolve({ status: 'shipped', tracking_number: 'TRK1' });
        return { run, next };
    }

    it('validates, charges, fulfills and notifies (no stock reservation), each side effect keyed by instance and step', () => {
        const run = newRun(threeItems, instanceId);

        const validate = expectActivity(run.start());
        expect(validate.name).toBe('validate_order');
        // The parsed input goes on, not the raw one.
        expect(validate.input).toEqual({
            order_id: 'A-1001',
            items: threeItemsParsed,
            email: 'ada@example.com',
            payment_method: 'pm_card_visa',
        });
        expect(validate.retry).toBeUndefined();

        const charge = expectActivity(run.resolve({ valid: true, amount: total }));
        expect(charge.name).toBe('charge_customer');
        expect(charge.input).toEqual({ ...keyed('charge'), amount: total, payment_method: 'pm_card_visa' });
        // Retried with a first retry of about a second.
        expect(charge.retry).toMatchObject({ firstRetryIntervalInMilliseconds: 1000, backoffCoefficient: 2 });
        expect(charge.retry?.maxNumberOfAttempts).toBeGreaterThan(1);

        const fulfill = expectActivity(run.resolve({ status: 'charged', charge_id: 'ch_1', amount: total }));
        expect(fulfill.name).toBe('fulfill_order');
        expect(fulfill.input).toEqual({ ...keyed('fulfil'), items: threeItemsParsed });
        expect(fulfill.retry).toBeDefined();

        const notify = expectActivity(run.resolve({ status: 'shipped', tracking_number: 'TRK1' }));
        expect(notify.name).toBe('send_notification');
        expect(notify.input).toEqual({ ...keyed('notify'), email: 'ada@example.com', status: 'completed' });
        expect(notify.retry).toBeDefined();

        const result = expectResult(run.resolve({ status: 'sent', message_id: 'm-1' }));
        expect(result).toEqual({
            status: 'completed',
            order_id: 'A-1001',
            charge_id: 'ch_1',
            tracking_number: 'TRK1',
            amount: total,
            notification: 'sent',
        });
        expect(run.customStatuses.map((status) => (status as { step: string }).step)).toEqual([
            'validating',
            'charging',
            'fulfilling',
            'notifying',
            'done',
        ]);
        expect(run.customStatuses.at(-1)).toEqual({ step: 'done', order_id: 'A-1001', outcome: 'completed' });
        expect(run.unyieldedActivities()).toEqual([]);
    });

    it('reports notification "skipped" when there is no email to tell', () => {
        const { run, next } = runTo('notify', { order_id: 'A-1001', items: ['MUG'] });
        expect(expectActivity(next).input).toMatchObject({ email: null });
        expect(expectResult(run.resolve({ status: 'skipped' }))).toMatchObject({
            status: 'completed',
            notification: 'skipped',
        });
    });

    it('completes with notification "failed" when every notification attempt failed', () => {
        const { run } = runTo('notify');
        expect(expectResult(run.fail(new Error('bounced')))).toMatchObject({
            status: 'completed',
            notification: 'failed',
        });
    });

    it('returns the rejection and schedules nothing else when validate_order rejects', () => {
        const run = newRun({ order_id: 'A-3', items: [] });
        expect(expectActivity(run.start()).name).toBe('validate_order');
        const result = expectResult(run.resolve({ valid: false, reason: 'No items in order' }));
        expect(result).toEqual({ status: 'rejected', order_id: 'A-3', reason: 'No items in order' });
        expect(run.created).toHaveLength(1);
        expect(run.customStatuses.at(-1)).toEqual({ step: 'done', order_id: 'A-3', outcome: 'rejected' });
    });

    it('ends payment_declined on a decline: nothing fulfilled, nothing refunded', () => {
        const { run } = runTo('charge');
        const result = expectResult(run.resolve({ status: 'declined', reason: 'Your card was declined.' }));
        expect(result).toEqual({ status: 'payment_declined', order_id: 'A-1001', reason: 'Your card was declined.' });
        expect(run.created.map((task) => (task.scheduled.kind === 'all' ? 'all' : task.scheduled.name))).toEqual([
            'validate_order',
            'charge_customer',
        ]);
    });

    it.each([
        [
            'the warehouse cannot supply it',
            (run: OrchestratorRun<unknown>) => run.resolve({ status: 'unfulfillable', reason: 'X is out of stock' }),
            'X is out of stock',
        ],
        [
            'every fulfillment attempt failed',
            (run: OrchestratorRun<unknown>) => run.fail(new Error('warehouse down')),
            /Fulfillment kept failing: warehouse down/,
        ],
    ] as const)('refunds the charge and ends failed when %s', (_, answer, reason) => {
        const { run } = runTo('fulfil');
        const refund = expectActivity(answer(run as OrchestratorRun<unknown>));
        expect(refund.name).toBe('refund_payment');
        expect(refund.input).toEqual({ ...keyed('refund'), charge_id: 'ch_1', amount: total });
        expect(run.customStatuses.at(-1)).toMatchObject({ step: 'refunding' });
        const result = expectResult(run.resolve({ refund_id: 're_1' }));
        expect(result).toEqual({
            status: 'failed',
            order_id: 'A-1001',
            reason: expect.stringMatching(reason),
            refunded: true,
            refund_id: 're_1',
        });
    });

    it('fails the instance when the charge keeps failing (a restart is safe: the keys are the same)', () => {
        const { run } = runTo('charge');
        const failure = new Error('gateway down');
        expect(() => run.fail(failure)).toThrow(failure);
        expect(run.created).toHaveLength(2);
    });

    it('fails the instance when the refund keeps failing: money needs a person', () => {
        const { run } = runTo('fulfil');
        run.resolve({ status: 'unfulfillable', reason: 'gone' });
        expect(() => run.fail(new Error('refunds down'))).toThrow('refunds down');
    });

    it('fails the instance, before scheduling anything, for input that misses its schema', () => {
        const run = newRun({ items: 'not a list' });
        expect(() => run.start()).toThrow(/order_processing: invalid input: .*order_id.*items/);
        expect(run.created).toEqual([]);
    });

    it('fails rather than guess when an activity result has the wrong shape', () => {
        const run = newRun(threeItems);
        run.start();
        expect(() => run.resolve({ valid: true, amount: { cents: 8997, decimal: 89.9 } })).toThrow(
            /validate_order result: amount.decimal/,
        );
        const shipped = runTo('fulfil');
        expect(() => shipped.run.resolve({ status: 'shipped' })).toThrow(/fulfill_order result/);
    });
});
