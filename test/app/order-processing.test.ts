import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestHost, type TestHost } from 'devhost/testing';
import { orderProcessing } from '../../src/orchestrators/order-processing';
import { OrchestratorRun } from '../support/app/fake-orchestration';
import {
    beforeVersioning,
    repoRoot,
    attemptGaps,
    failing,
    names,
    runToEnd,
    scheduled,
    startedVersion,
    stubOrderServices,
    total,
} from '../support/app/order-test-host';

/**
 * Version 1 of order_processing, as every order started before versioning runs it (instance version `""`) and
 * as an instance explicitly started with version "1.0" does, on the real Durable engine with the task hub in
 * memory and virtual time (devhost/testing): every activity is a stub, so nothing is charged or stored.
 * Version 2: order-processing-v2.test.ts.
 */
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
const keyed = (instanceId: string, step: string) => ({
    order_id: 'A-1001',
    instance_id: instanceId,
    idempotency_key: `${instanceId}:${step}`,
});

let host: TestHost;

beforeAll(async () => {
    // host.json without defaultVersion, as before versioning: an instance started without a version is "".
    host = await createTestHost({ appDir: repoRoot, hostJson: beforeVersioning });
}, 60_000);

afterAll(async () => {
    await host?.close();
});

describe.each(['', '1.0'])('order_processing, version 1 (instance version %j)', (version) => {
    let count = 0;
    /** Runs one order on the host, started with this block's version; its instance id is new for each run. */
    function order(input: unknown = threeItems) {
        const instanceId = `order-A-1001-v${version || 'none'}-${++count}`;
        return runToEnd(host, 'order_processing', input, {
            instanceId,
            ...(version === '' ? {} : { version }),
        });
    }

    it('validates, charges, fulfills and notifies (no stock reservation), each side effect keyed by instance and step', async () => {
        const calls = stubOrderServices(host);
        const { id, status, history } = await order();

        expect(startedVersion(history)).toBe(version);
        expect(calls).toEqual([
            // The parsed input goes on, not the raw one.
            {
                name: 'validate_order',
                attempt: 1,
                input: {
                    order_id: 'A-1001',
                    items: threeItemsParsed,
                    email: 'ada@example.com',
                    payment_method: 'pm_card_visa',
                },
            },
            {
                name: 'charge_customer',
                attempt: 1,
                input: { ...keyed(id, 'charge'), amount: total, payment_method: 'pm_card_visa' },
            },
            { name: 'fulfill_order', attempt: 1, input: { ...keyed(id, 'fulfil'), items: threeItemsParsed } },
            {
                name: 'send_notification',
                attempt: 1,
                input: { ...keyed(id, 'notify'), email: 'ada@example.com', status: 'completed' },
            },
        ]);
        expect(status.runtimeStatus).toBe('Completed');
        expect(status.output).toEqual({
            status: 'completed',
            order_id: 'A-1001',
            charge_id: 'ch_1',
            tracking_number: 'TRK1',
            amount: total,
            notification: 'sent',
        });
        expect(status.customStatus).toEqual({ step: 'done', order_id: 'A-1001', outcome: 'completed' });
    });

    it('does not retry validate_order: one failed attempt fails the instance', async () => {
        const calls = stubOrderServices(host, { validate_order: failing('rules engine down') });
        const { status } = await order();
        expect(status.runtimeStatus).toBe('Failed');
        expect(status.output).toEqual(expect.stringContaining('rules engine down'));
        expect(names(calls)).toEqual(['validate_order']);
    });

    it('retries a failing charge 1 s, then 2 s later in test time, with the same idempotency key, and goes on', async () => {
        const calls = stubOrderServices(host, {
            charge_customer: failing('gateway blip', 2, () => ({
                status: 'charged',
                charge_id: 'ch_9',
                amount: total,
            })),
        });
        const { id, status, history } = await order();
        expect(status.output).toMatchObject({ status: 'completed', charge_id: 'ch_9' });
        const charges = calls.filter((call) => call.name === 'charge_customer');
        expect(charges.map((call) => call.input)).toEqual(
            Array(3).fill({ ...keyed(id, 'charge'), amount: total, payment_method: 'pm_card_visa' }),
        );
        expect(attemptGaps(history, 'charge_customer')).toEqual([1_000, 2_000]);
    });

    it('fails the instance after 4 charge attempts 1, 2 and 4 s apart, fulfilling nothing (a restart is safe: the keys are the same)', async () => {
        const calls = stubOrderServices(host, { charge_customer: failing('gateway down') });
        const { id, status, history } = await order();
        expect(status.runtimeStatus).toBe('Failed');
        expect(status.output).toEqual(expect.stringContaining('gateway down'));
        expect(names(calls)).toEqual(['validate_order', ...Array(4).fill('charge_customer')]);
        expect(new Set(calls.slice(1).map((call) => JSON.stringify(call.input)))).toEqual(
            new Set([JSON.stringify({ ...keyed(id, 'charge'), amount: total, payment_method: 'pm_card_visa' })]),
        );
        expect(attemptGaps(history, 'charge_customer')).toEqual([1_000, 2_000, 4_000]);
    });

    it('reports notification "skipped" when there is no email to tell', async () => {
        const calls = stubOrderServices(host, { send_notification: () => ({ status: 'skipped' }) });
        const { status } = await order({ order_id: 'A-1001', items: ['MUG'] });
        expect(calls.at(-1)).toMatchObject({ name: 'send_notification', input: { email: null } });
        expect(status.output).toMatchObject({ status: 'completed', notification: 'skipped' });
    });

    it('completes with notification "failed" after 3 notification attempts 1 and 2 s apart all failed', async () => {
        const calls = stubOrderServices(host, { send_notification: failing('bounced') });
        const { status, history } = await order();
        expect(status.runtimeStatus).toBe('Completed');
        expect(status.output).toMatchObject({ status: 'completed', notification: 'failed' });
        expect(names(calls).filter((name) => name === 'send_notification')).toHaveLength(3);
        expect(attemptGaps(history, 'send_notification')).toEqual([1_000, 2_000]);
    });

    it('returns the rejection and schedules nothing else when validate_order rejects', async () => {
        const calls = stubOrderServices(host, {
            validate_order: () => ({ valid: false, reason: 'No items in order' }),
        });
        const { status, history } = await order({ order_id: 'A-3', items: [] });
        expect(status.output).toEqual({ status: 'rejected', order_id: 'A-3', reason: 'No items in order' });
        expect(scheduled(history)).toEqual(['validate_order']);
        expect(names(calls)).toEqual(['validate_order']);
        expect(status.customStatus).toEqual({ step: 'done', order_id: 'A-3', outcome: 'rejected' });
    });

    it('ends payment_declined on a decline, without a retry: nothing fulfilled, nothing refunded', async () => {
        const calls = stubOrderServices(host, {
            charge_customer: () => ({ status: 'declined', reason: 'Your card was declined.' }),
        });
        const { status } = await order();
        expect(status.output).toEqual({
            status: 'payment_declined',
            order_id: 'A-1001',
            reason: 'Your card was declined.',
        });
        expect(names(calls)).toEqual(['validate_order', 'charge_customer']);
        expect(status.customStatus).toEqual({ step: 'done', order_id: 'A-1001', outcome: 'payment_declined' });
    });

    it.each([
        [
            'the warehouse cannot supply it',
            () => ({ status: 'unfulfillable', reason: 'X is out of stock' }),
            /^X is out of stock$/,
            1,
        ],
        [
            'every fulfillment attempt (4, in test time) failed',
            failing('warehouse down'),
            /^Fulfillment kept failing: .*warehouse down/,
            4,
        ],
    ] as const)('refunds the charge and ends failed when %s', async (_, fulfil, reason, fulfilAttempts) => {
        const calls = stubOrderServices(host, { fulfill_order: fulfil });
        const { id, status } = await order();
        expect(names(calls)).toEqual([
            'validate_order',
            'charge_customer',
            ...Array(fulfilAttempts).fill('fulfill_order'),
            'refund_payment',
        ]);
        expect(calls.at(-1)?.input).toEqual({ ...keyed(id, 'refund'), charge_id: 'ch_1', amount: total });
        expect(status.output).toEqual({
            status: 'failed',
            order_id: 'A-1001',
            reason: expect.stringMatching(reason),
            refunded: true,
            refund_id: 're_1',
        });
        expect(status.customStatus).toEqual({ step: 'done', order_id: 'A-1001', outcome: 'failed' });
    });

    it('fails the instance when the refund keeps failing: money needs a person', async () => {
        const calls = stubOrderServices(host, {
            fulfill_order: () => ({ status: 'unfulfillable', reason: 'gone' }),
            refund_payment: failing('refunds down'),
        });
        const { status } = await order();
        expect(status.runtimeStatus).toBe('Failed');
        expect(status.output).toEqual(expect.stringContaining('refunds down'));
        expect(names(calls).filter((name) => name === 'refund_payment')).toHaveLength(4);
    });

    it('fails the instance, before scheduling anything, for input that misses its schema', async () => {
        const calls = stubOrderServices(host);
        const { status, history } = await order({ items: 'not a list' });
        expect(status.runtimeStatus).toBe('Failed');
        expect(status.output).toMatch(/order_processing: invalid input: .*order_id.*items/);
        expect(scheduled(history)).toEqual([]);
        expect(calls).toEqual([]);
    });

    it('fails rather than guess when an activity result has the wrong shape', async () => {
        stubOrderServices(host, { validate_order: () => ({ valid: true, amount: { cents: 8997, decimal: 89.9 } }) });
        const badAmount = await order();
        expect(badAmount.status.runtimeStatus).toBe('Failed');
        expect(badAmount.status.output).toMatch(/validate_order result: amount.decimal/);

        const calls = stubOrderServices(host, { fulfill_order: () => ({ status: 'shipped' }) });
        const noTracking = await order();
        expect(noTracking.status.runtimeStatus).toBe('Failed');
        expect(noTracking.status.output).toMatch(/fulfill_order result/);
        // A result that does not parse is a bug, not a failed shipment: nothing is refunded.
        expect(names(calls)).not.toContain('refund_payment');
    });
});

/**
 * The custom status after each step, with the fake context: the engine keeps only the last custom status of an
 * episode, in an instance row that later checkpoints overwrite (nothing in history records it), so on the host
 * a client sees the steps in between only by chance. The final status of every outcome is checked above.
 */
describe('order_processing, version 1, progress (fake context)', () => {
    const steps = (run: OrchestratorRun<unknown>) =>
        run.customStatuses.map((status) => (status as { step: string }).step);
    const newRun = () => new OrchestratorRun<unknown>(orderProcessing, threeItems, 'order-A-1001', '1.0');
    const charged = { status: 'charged', charge_id: 'ch_1', amount: total };

    it('sets validating, charging, fulfilling, notifying, then done', () => {
        const run = newRun();
        run.start();
        run.resolve({ valid: true, amount: total });
        run.resolve(charged);
        run.resolve({ status: 'shipped', tracking_number: 'TRK1' });
        run.resolve({ status: 'sent', message_id: 'm-1' });
        expect(steps(run)).toEqual(['validating', 'charging', 'fulfilling', 'notifying', 'done']);
    });

    it('sets refunding while it refunds an order that will not ship', () => {
        const run = newRun();
        run.start();
        run.resolve({ valid: true, amount: total });
        run.resolve(charged);
        run.resolve({ status: 'unfulfillable', reason: 'gone' });
        expect(steps(run)).toEqual(['validating', 'charging', 'fulfilling', 'refunding']);
        run.resolve({ refund_id: 're_1' });
        expect(steps(run).at(-1)).toBe('done');
    });
});
