import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestHost, type TestHost } from 'devhost/testing';
import { orderProcessing } from '../../src/orchestrators/order-processing';
import { OrchestratorRun } from '../support/app/fake-orchestration';
import {
    attemptGaps,
    failing,
    names,
    repoRoot,
    runToEnd,
    scheduled,
    startedVersion,
    stubOrderServices,
    total,
} from '../support/app/order-test-host';

/**
 * Version 2 of order_processing (instances started with host.json defaultVersion "2.0"): the stock is reserved
 * before the charge and released when the order will not ship. On the real Durable engine with the task hub in
 * memory and virtual time (devhost/testing), with this app's own host.json (defaultVersion "2.0",
 * CurrentOrOlder, Reject); every activity is a stub. Version 1: order-processing.test.ts.
 */
const order = { order_id: 'B-2001', items: ['MUG', { sku: 'TEE', quantity: 2 }], email: 'ada@example.com' };
const items = [
    { sku: 'MUG', quantity: 1 },
    { sku: 'TEE', quantity: 2 },
];
const keyed = (instanceId: string, step: string) => ({
    order_id: 'B-2001',
    instance_id: instanceId,
    idempotency_key: `${instanceId}:${step}`,
});
const charged = { status: 'charged', charge_id: 'ch_1', amount: total };

let host: TestHost;
let count = 0;

beforeAll(async () => {
    host = await createTestHost({ appDir: repoRoot });
}, 60_000);

afterAll(async () => {
    await host?.close();
});

/** Runs one order, under a new instance id, started with `version` (none: host.json's defaultVersion). */
function run(input: unknown = order, version?: string) {
    return runToEnd(host, 'order_processing', input, {
        instanceId: `order-B-2001-${++count}`,
        ...(version === undefined ? {} : { version }),
    });
}

describe.each([
    { started: 'without a version (host.json defaultVersion)', version: undefined, recorded: '2.0' },
    { started: 'as "2"', version: '2', recorded: '2' },
])('order_processing, version 2 (an instance started $started)', ({ version, recorded }) => {
    const order2 = (input: unknown = order) => run(input, version);

    it('validates, reserves the stock, then charges, fulfils and notifies, each side effect keyed by instance and step', async () => {
        const calls = stubOrderServices(host);
        const { id, status, history } = await order2();

        expect(startedVersion(history)).toBe(recorded);
        expect(calls).toEqual([
            {
                name: 'validate_order',
                attempt: 1,
                input: { order_id: 'B-2001', items, email: 'ada@example.com', payment_method: 'pm_card_visa' },
            },
            { name: 'reserve_stock', attempt: 1, input: { ...keyed(id, 'reserve'), items } },
            {
                name: 'charge_customer',
                attempt: 1,
                input: { ...keyed(id, 'charge'), amount: total, payment_method: 'pm_card_visa' },
            },
            { name: 'fulfill_order', attempt: 1, input: { ...keyed(id, 'fulfil'), items } },
            {
                name: 'send_notification',
                attempt: 1,
                input: { ...keyed(id, 'notify'), email: 'ada@example.com', status: 'completed' },
            },
        ]);
        expect(status.output).toEqual({
            status: 'completed',
            order_id: 'B-2001',
            charge_id: 'ch_1',
            tracking_number: 'TRK1',
            amount: total,
            notification: 'sent',
        });
        expect(status.customStatus).toEqual({ step: 'done', order_id: 'B-2001', outcome: 'completed' });
    });

    it('rejects an order without stock before any charge, in the shape of the other rejections', async () => {
        const calls = stubOrderServices(host, {
            reserve_stock: () => ({ status: 'out_of_stock', reason: 'TEST-OUT-OF-STOCK is out of stock' }),
        });
        const { status } = await order2({ ...order, items: ['MUG', 'TEST-OUT-OF-STOCK'] });
        expect(status.output).toEqual({
            status: 'rejected',
            order_id: 'B-2001',
            reason: 'TEST-OUT-OF-STOCK is out of stock',
        });
        expect(names(calls)).toEqual(['validate_order', 'reserve_stock']);
        expect(status.customStatus).toEqual({ step: 'done', order_id: 'B-2001', outcome: 'rejected' });
    });

    it('reserves nothing when validate_order rejects the order', async () => {
        const calls = stubOrderServices(host, {
            validate_order: () => ({ valid: false, reason: 'No items in order' }),
        });
        const { status } = await order2({ order_id: 'B-2001', items: [] });
        expect(status.output).toEqual({ status: 'rejected', order_id: 'B-2001', reason: 'No items in order' });
        expect(names(calls)).toEqual(['validate_order']);
    });

    it('releases the stock on a decline (retrying a failed release 1 s later) and ends payment_declined, nothing fulfilled or refunded', async () => {
        const calls = stubOrderServices(host, {
            charge_customer: () => ({ status: 'declined', reason: 'Your card was declined.' }),
            release_stock: failing('warehouse api blip', 1, () => ({ status: 'released', reservation_id: 'rs_1' })),
        });
        const { id, status, history } = await order2();
        expect(names(calls)).toEqual([
            'validate_order',
            'reserve_stock',
            'charge_customer',
            'release_stock',
            'release_stock',
        ]);
        expect(calls.at(-1)?.input).toEqual({ ...keyed(id, 'release'), reservation_id: 'rs_1' });
        expect(attemptGaps(history, 'release_stock')).toEqual([1_000]);
        expect(status.output).toEqual({
            status: 'payment_declined',
            order_id: 'B-2001',
            reason: 'Your card was declined.',
        });
        expect(status.customStatus).toEqual({ step: 'done', order_id: 'B-2001', outcome: 'payment_declined' });
    });

    it('releases the stock, then fails the instance with the charge error, when every charge attempt failed', async () => {
        const calls = stubOrderServices(host, { charge_customer: failing('gateway down') });
        const { status, history } = await order2();
        expect(names(calls)).toEqual([
            'validate_order',
            'reserve_stock',
            ...Array(4).fill('charge_customer'),
            'release_stock',
        ]);
        expect(calls.at(-1)?.input).toMatchObject({ reservation_id: 'rs_1' });
        expect(attemptGaps(history, 'charge_customer')).toEqual([1_000, 2_000, 4_000]);
        expect(status.runtimeStatus).toBe('Failed');
        expect(status.output).toEqual(expect.stringContaining("Activity function 'charge_customer' failed"));
        expect(status.output).toEqual(expect.stringContaining('gateway down'));
    });

    it.each([
        [
            'the warehouse cannot ship (TEST-WAREHOUSE-DOWN)',
            () => ({ status: 'unfulfillable', reason: 'The warehouse is down' }),
            /^The warehouse is down$/,
            1,
        ],
        [
            'every fulfillment attempt (4, in test time) failed',
            failing('warehouse offline'),
            /^Fulfillment kept failing: .*warehouse offline/,
            4,
        ],
    ] as const)(
        'refunds the charge, then releases the stock, and ends failed when %s',
        async (_, fulfil, reason, fulfilAttempts) => {
            const calls = stubOrderServices(host, { fulfill_order: fulfil });
            const { id, status } = await order2();
            expect(names(calls)).toEqual([
                'validate_order',
                'reserve_stock',
                'charge_customer',
                ...Array(fulfilAttempts).fill('fulfill_order'),
                'refund_payment',
                'release_stock',
            ]);
            expect(calls.at(-2)?.input).toEqual({ ...keyed(id, 'refund'), charge_id: 'ch_1', amount: total });
            expect(calls.at(-1)?.input).toEqual({ ...keyed(id, 'release'), reservation_id: 'rs_1' });
            expect(status.output).toEqual({
                status: 'failed',
                order_id: 'B-2001',
                reason: expect.stringMatching(reason),
                refunded: true,
                refund_id: 're_1',
            });
            expect(status.customStatus).toEqual({ step: 'done', order_id: 'B-2001', outcome: 'failed' });
        },
    );

    it('fails the instance, charging nothing, after 4 reservation attempts 1, 2 and 4 s apart all failed', async () => {
        const calls = stubOrderServices(host, { reserve_stock: failing('warehouse api down') });
        const { id, status, history } = await order2();
        expect(status.runtimeStatus).toBe('Failed');
        expect(status.output).toEqual(expect.stringContaining('warehouse api down'));
        expect(names(calls)).toEqual(['validate_order', ...Array(4).fill('reserve_stock')]);
        expect(calls.slice(1).map((call) => call.input)).toEqual(Array(4).fill({ ...keyed(id, 'reserve'), items }));
        expect(attemptGaps(history, 'reserve_stock')).toEqual([1_000, 2_000, 4_000]);
    });

    it('fails rather than guess when reserve_stock or release_stock answers with the wrong shape', async () => {
        stubOrderServices(host, { reserve_stock: () => ({ status: 'reserved' }) });
        const noReservation = await order2();
        expect(noReservation.status.runtimeStatus).toBe('Failed');
        expect(noReservation.status.output).toMatch(/order_processing: invalid reserve_stock result: reservation_id/);

        stubOrderServices(host, {
            charge_customer: () => ({ status: 'declined', reason: 'no' }),
            release_stock: () => ({ status: 'kept' }),
        });
        const kept = await order2();
        expect(kept.status.runtimeStatus).toBe('Failed');
        expect(kept.status.output).toMatch(/invalid release_stock result/);
    });
});

describe('order_processing of other versions on this host (host.json defaultVersion "2.0", CurrentOrOlder)', () => {
    it('runs an instance started as "1.0" with the version 1 steps: no stock reserved', async () => {
        const calls = stubOrderServices(host);
        const { status, history } = await run(order, '1.0');
        expect(startedVersion(history)).toBe('1.0');
        expect(names(calls)).toEqual(['validate_order', 'charge_customer', 'fulfill_order', 'send_notification']);
        expect(status.output).toMatchObject({ status: 'completed', order_id: 'B-2001' });
    });

    it('fails an older instance version it does not know ("0.9") before scheduling anything', async () => {
        const calls = stubOrderServices(host);
        const { status, history } = await run(order, '0.9');
        expect(status.runtimeStatus).toBe('Failed');
        expect(status.output).toMatch(/order_processing: version '0.9' is not one this code runs/);
        expect(scheduled(history)).toEqual([]);
        expect(calls).toEqual([]);
    });

    // DTFx compares versions as System.Version does: "2.0.0" is newer than "2.0" (a missing part is lowest).
    it.each(['3.0', 'v2-beta', '2.0.0'])(
        'leaves an instance of the newer version %j Pending, unrun, for newer code (versionFailureStrategy Reject)',
        async (version) => {
            const calls = stubOrderServices(host);
            const id = await host.client.startNew('order_processing', {
                instanceId: `order-B-2001-${++count}`,
                input: order,
                version,
            });
            // Half an hour of test time: the turned-away start comes back to the queue and is turned away again.
            await host.advanceTime('00:30:00');
            expect((await host.client.getStatus(id)).runtimeStatus).toBe('Pending');
            expect(await host.history(id)).toEqual([]);
            expect(calls).toEqual([]);
            // Waiting for it says so at once instead of skipping time until the real-time limit.
            await expect(host.waitForCompletion(id, { timeoutMs: 60_000 })).rejects.toThrow(
                new RegExp(`will not finish on this host: .*'${version.replace('.', '\\.')}'`),
            );
        },
    );
});

/**
 * The custom status after each step, with the fake context: the engine keeps only the last custom status of an
 * episode, in an instance row that later checkpoints overwrite (nothing in history records it), so on the host
 * a client sees the steps in between only by chance. The final status of every outcome is checked above.
 */
describe('order_processing, version 2, progress (fake context)', () => {
    const steps = (fake: OrchestratorRun<unknown>) =>
        fake.customStatuses.map((status) => (status as { step: string }).step);
    function toCharge() {
        const fake = new OrchestratorRun<unknown>(orderProcessing, order, 'order-B-2001', '2.0');
        fake.start();
        fake.resolve({ valid: true, amount: total });
        fake.resolve({ status: 'reserved', reservation_id: 'rs_1' });
        return fake;
    }

    it('sets validating, reserving, charging, fulfilling, notifying, then done', () => {
        const fake = toCharge();
        fake.resolve(charged);
        fake.resolve({ status: 'shipped', tracking_number: 'TRK1' });
        fake.resolve({ status: 'sent', message_id: 'm-1' });
        expect(steps(fake)).toEqual(['validating', 'reserving', 'charging', 'fulfilling', 'notifying', 'done']);
    });

    it('sets releasing while it gives the stock back after a decline', () => {
        const fake = toCharge();
        fake.resolve({ status: 'declined', reason: 'no' });
        expect(steps(fake).at(-1)).toBe('releasing');
    });

    it('sets refunding, then releasing, then done when the order will not ship', () => {
        const fake = toCharge();
        fake.resolve(charged);
        fake.resolve({ status: 'unfulfillable', reason: 'gone' });
        fake.resolve({ refund_id: 're_1' });
        fake.resolve({ status: 'released', reservation_id: 'rs_1' });
        expect(steps(fake).slice(-3)).toEqual(['refunding', 'releasing', 'done']);
    });
});
