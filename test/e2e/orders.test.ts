import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pollUntilDone, startDevhost, type DevhostProcess } from '../support/e2e/devhost-process';
import { charges, ordersApi, type CheckStatus } from '../support/e2e/orders-api';
import { azuriteConnectionString, uniqueHubName } from '../support/storage';

/**
 * order_processing for real money, over real HTTP on the devhost process: the reference recipe's request,
 * every outcome, idempotent starts, the ledger in Table storage (tables of this test's own prefix).
 */
let devhost: DevhostProcess;
const api = ordersApi(() => devhost.origin);

beforeAll(async () => {
    devhost = await startDevhost({
        env: {
            AzureWebJobsStorage: azuriteConnectionString(),
            TASKHUB_NAME: uniqueHubName('Orders'),
            ORDERS_TABLE_PREFIX: uniqueHubName('Orders'),
        },
    });
});

afterAll(async () => {
    expect(await devhost.stop()).toBe(0);
});

describe('order_processing on the devhost', () => {
    it("accepts the reference recipe's curl verbatim and completes the order", async () => {
        const url = `${devhost.origin}/api/orchestrations/order_processing`;
        // The recipe's command line, only the host and port differ.
        const { stdout } = await promisify(execFile)('curl', [
            '-s',
            '-X',
            'POST',
            url,
            '-H',
            'Content-Type: application/json',
            '--data',
            '{"order_id": "12345", "items": ["widget-a", "widget-b"]}',
        ]);
        const started = JSON.parse(stdout) as CheckStatus;
        expect(started.id).toBe('order-12345');
        const status = await pollUntilDone(started.statusQueryGetUri);
        expect(status.runtimeStatus).toBe('Completed');
        expect(status.output).toEqual({
            status: 'completed',
            order_id: '12345',
            charge_id: expect.stringMatching(/^ch_[0-9a-f]{24}$/),
            tracking_number: expect.stringMatching(/^TRK[0-9A-F]{12}$/),
            amount: { cents: 5998, decimal: 59.98 },
            notification: 'skipped',
        });
        expect(status.input).toEqual({
            order_id: '12345',
            items: [
                { sku: 'widget-a', quantity: 1 },
                { sku: 'widget-b', quantity: 1 },
            ],
            payment_method: 'pm_card_visa',
        });
        const order = await api.order('12345');
        expect(order).toMatchObject({ order_id: '12345', instance_id: 'order-12345', runtime_status: 'Completed' });
        expect(order.ledger).toEqual([
            {
                kind: 'charge',
                id: (status.output as { charge_id: string }).charge_id,
                amount_cents: 5998,
                at: expect.any(String),
            },
        ]);
    });

    it('completes with notification "sent" and the attempt in the ledger when there is an email', async () => {
        const status = await api.run('order_processing', {
            order_id: 'A-1001',
            items: [{ sku: 'MUG' }, 'TEE', { name: 'Sticker pack', quantity: 2 }],
            email: 'ada@example.com',
        });
        expect(status.output).toMatchObject({ status: 'completed', amount: { cents: 4 * 2999 }, notification: 'sent' });
        expect(status.customStatus).toEqual({ step: 'done', order_id: 'A-1001', outcome: 'completed' });
        const order = await api.order('A-1001');
        expect(order.shipment?.tracking_number).toBe((status.output as { tracking_number: string }).tracking_number);
        expect(order.notifications).toEqual([
            expect.objectContaining({ to: 'ada@example.com', outcome: 'sent', message_id: expect.any(String) }),
        ]);
    });

    it('rejects an order without items: nothing charged', async () => {
        const status = await api.run('order_processing', { order_id: 'A-1002', items: [] });
        expect(status.output).toEqual({ status: 'rejected', order_id: 'A-1002', reason: 'No items in order' });
        expect((await api.order('A-1002')).ledger).toEqual([]);
    });

    it('pm_card_declined: payment_declined, not retried, nothing charged or shipped', async () => {
        const status = await api.run('order_processing', {
            order_id: 'A-decline',
            items: ['widget-a'],
            payment_method: 'pm_card_declined',
        });
        expect(status.output).toEqual({
            status: 'payment_declined',
            order_id: 'A-decline',
            reason: 'Your card was declined.',
        });
        const order = await api.order('A-decline');
        expect(order.ledger).toEqual([]);
        expect(order.shipment).toBeNull();
    });

    it('pm_card_flaky: the first attempt fails, the retry (about a second later) charges exactly once', async () => {
        const started = await api.start('order_processing', {
            order_id: 'A-flaky',
            items: ['widget-a'],
            payment_method: 'pm_card_flaky',
        });
        // While the retry timer runs, the progress says so.
        const steps = new Set<string>();
        let status;
        const begun = Date.now();
        for (;;) {
            const compact = await api.compactStatus(started.id);
            const step = (compact.custom_status as { step?: string } | null)?.step;
            if (step !== undefined) steps.add(step);
            if (compact.runtime_status === 'Completed') {
                status = compact;
                break;
            }
            expect(Date.now() - begun).toBeLessThan(20_000);
            await new Promise((resolve) => setTimeout(resolve, 50));
        }
        expect(steps).toContain('charging');
        expect(steps).toContain('done');
        expect(Date.now() - begun).toBeGreaterThan(900);
        expect(status).toMatchObject({ output: { status: 'completed', order_id: 'A-flaky' } });
        expect(charges(await api.order('A-flaky'))).toHaveLength(1);
    });

    // These two need the devhost to honour host.json `defaultVersion` (orchestration versioning): a new order
    // then runs order_processing version 2. On a devhost that stamps no version, orders run version 1.
    it('TEST-OUT-OF-STOCK (version 2): rejected when the stock is reserved, never charged', async () => {
        const status = await api.run('order_processing', {
            order_id: 'A-stock',
            items: ['widget-a', { sku: 'TEST-OUT-OF-STOCK', quantity: 2 }],
        });
        expect(status.runtimeStatus).toBe('Completed');
        expect(status.output).toEqual({
            status: 'rejected',
            order_id: 'A-stock',
            reason: 'TEST-OUT-OF-STOCK is out of stock',
        });
        const order = await api.order('A-stock');
        expect(order.ledger).toEqual([]);
        expect(order.shipment).toBeNull();
    });

    it('TEST-WAREHOUSE-DOWN: fulfillment fails after the charge, the charge is refunded, the order is failed with refunded: true', async () => {
        const status = await api.run('order_processing', {
            order_id: 'A-warehouse',
            items: ['widget-a', { sku: 'TEST-WAREHOUSE-DOWN', quantity: 2 }],
        });
        expect(status.runtimeStatus).toBe('Completed');
        expect(status.output).toEqual({
            status: 'failed',
            order_id: 'A-warehouse',
            reason: 'The warehouse cannot ship TEST-WAREHOUSE-DOWN (test mode: the warehouse is down)',
            refunded: true,
            refund_id: expect.stringMatching(/^re_/),
        });
        const order = await api.order('A-warehouse');
        expect(order.ledger.map(({ kind, amount_cents }) => ({ kind, amount_cents }))).toEqual([
            { kind: 'charge', amount_cents: 3 * 2999 },
            { kind: 'refund', amount_cents: 3 * 2999 },
        ]);
        expect(order.ledger[1]?.id).toBe((status.output as { refund_id: string }).refund_id);
        expect(order.shipment).toBeNull();
    });

    it('bounce.test: every notification attempt fails, the order still completes with notification "failed"', async () => {
        const status = await api.run('order_processing', {
            order_id: 'A-bounce',
            items: ['widget-a'],
            email: 'someone@bounce.test',
        });
        expect(status.output).toMatchObject({ status: 'completed', notification: 'failed' });
        const order = await api.order('A-bounce');
        expect(order.notifications.map((n) => n.outcome)).toEqual(['failed', 'failed', 'failed']);
        expect(charges(order)).toHaveLength(1);
    });

    it('the same POST twice is one instance and one charge; a different body under the order_id is 409', async () => {
        const body = { order_id: 'A-twice', items: ['widget-a', 'widget-b'], email: 'ada@example.com' };
        const first = await api.start('order_processing', body);
        const again = await api.start('order_processing', body);
        expect(again).toEqual(first);
        await pollUntilDone(first.statusQueryGetUri);
        // After it finished too, and with the same order written another way (a SKU string is {sku, quantity: 1}).
        const later = await api.start('order_processing', {
            ...body,
            items: [{ sku: 'widget-a' }, { sku: 'widget-b', quantity: 1 }],
        });
        expect(later).toEqual(first);
        expect(charges(await api.order('A-twice'))).toHaveLength(1);

        const conflict = await api.post('order_processing', JSON.stringify({ ...body, items: ['widget-c'] }));
        expect(conflict.status).toBe(409);
        expect(conflict.headers.get('content-type')).toContain('application/problem+json');
        expect(await conflict.json()).toMatchObject({ status: 409, instance_id: 'order-A-twice' });
        expect(charges(await api.order('A-twice'))).toHaveLength(1);
    });

    it('starts a Terminated order again under the same id, and it is charged once', async () => {
        const body = { order_id: 'A-again', items: ['widget-a'], payment_method: 'pm_card_flaky' };
        const first = await api.start('order_processing', body);
        // The first charge attempt fails and a retry timer is set: terminate it there.
        await new Promise((resolve) => setTimeout(resolve, 400));
        const terminated = await fetch(first.terminatePostUri.replace('{text}', 'test'), { method: 'POST' });
        expect(terminated.status).toBe(202);
        expect((await pollUntilDone(first.statusQueryGetUri)).runtimeStatus).toBe('Terminated');

        const second = await api.start('order_processing', body);
        expect(second.id).toBe(first.id);
        const status = await pollUntilDone(second.statusQueryGetUri, 20_000);
        expect(status).toMatchObject({ runtimeStatus: 'Completed', output: { status: 'completed' } });
        expect(charges(await api.order('A-again'))).toHaveLength(1);
    });

    it('gives every order_id a valid instance id, and answers 404 for an unknown order', async () => {
        const status = await api.run('order_processing', { order_id: 'Bestellung #7/ä?', items: ['widget-a'] });
        expect(status.instanceId).toMatch(/^order~[0-9a-f]{40}$/);
        expect((await api.order('Bestellung #7/ä?')).outcome).toMatchObject({ status: 'completed' });

        const unknown = await fetch(`${devhost.origin}/api/orders/never-placed`);
        expect(unknown.status).toBe(404);
        expect(unknown.headers.get('content-type')).toContain('application/problem+json');
        expect(await unknown.json()).toMatchObject({ status: 404, title: 'Order not found' });
    });
});
