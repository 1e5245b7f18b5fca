import { OrchestrationRuntimeStatus } from 'durable-functions';
import { describe, expect, it } from 'vitest';
import { getOrder } from '../../src/http/get-order';
import type { LedgerRecord, OrderLedger } from '../../src/orders/ledger';
import { FakeDurableClient } from '../support/app/fake-durable-client';
import { httpRequest, quietContext, readResponse } from '../support/app/http';

/** A ledger that serves fixed records per order key, or fails every read. */
function fixedLedger(records: Record<string, LedgerRecord[]>, failure?: Error): OrderLedger {
    const read = async (orderKey: string): Promise<LedgerRecord[]> => {
        if (failure) throw failure;
        return records[orderKey] ?? [];
    };
    return {
        read,
        find: async () => undefined,
        recordOnce: async (_key, _order, record) => record,
        appendNotification: async () => undefined,
    };
}

async function orderOf(orderId: string, client: FakeDurableClient, ledger: OrderLedger) {
    const { context, logs } = quietContext('get_order');
    const request = httpRequest({ method: 'GET', path: `/api/orders/${orderId}`, params: { order_id: orderId } });
    return { ...(await readResponse(await getOrder(request, client, ledger, context))), logs };
}

const at = '2026-01-02T03:04:05.000Z';

describe('get_order', () => {
    it('joins the instance status with the ledger: money, shipment and notifications apart', async () => {
        const client = new FakeDurableClient();
        const outcome = { status: 'failed', order_id: 'A-1', reason: 'x', refunded: true, refund_id: 're_1' };
        client.instances.set('order-A-1', {
            name: 'order_processing',
            instanceId: 'order-A-1',
            runtimeStatus: OrchestrationRuntimeStatus.Completed,
            input: {},
            output: outcome,
            customStatus: undefined,
            createdTime: new Date(at),
            lastUpdatedTime: new Date(at),
        });
        const ledger = fixedLedger({
            'order-A-1': [
                { kind: 'charge', id: 'ch_1', amount_cents: 2999, at },
                { kind: 'refund', id: 're_1', charge_id: 'ch_1', amount_cents: 2999, at },
                { kind: 'notification', to: 'a@b.co', outcome: 'failed', message_id: null, error: 'bounced', at },
            ],
        });
        const { status, body } = await orderOf('A-1', client, ledger);
        expect(status).toBe(200);
        expect(body).toEqual({
            order_id: 'A-1',
            instance_id: 'order-A-1',
            runtime_status: 'Completed',
            outcome,
            ledger: [
                { kind: 'charge', id: 'ch_1', amount_cents: 2999, at },
                { kind: 'refund', id: 're_1', amount_cents: 2999, at },
            ],
            shipment: null,
            notifications: [{ to: 'a@b.co', outcome: 'failed', message_id: null, error: 'bounced', at }],
        });
    });

    it('shows no outcome while the order runs', async () => {
        const client = new FakeDurableClient();
        await client.startNew('order_processing', { instanceId: 'order-A-2', input: {} });
        const { body } = await orderOf('A-2', client, fixedLedger({}));
        expect(body).toMatchObject({ runtime_status: 'Pending', outcome: null, ledger: [] });
    });

    it('answers 404 with a problem document when there is neither an instance nor a record', async () => {
        const { status, contentType, body } = await orderOf('nope', new FakeDurableClient(), fixedLedger({}));
        expect(status).toBe(404);
        expect(contentType).toBe('application/problem+json');
        expect(body).toMatchObject({ status: 404, type: 'urn:order-workflows:problem:not-found' });
    });

    it('still shows the ledger of an order whose instance was purged', async () => {
        const ledger = fixedLedger({ 'order-A-3': [{ kind: 'charge', id: 'ch_3', amount_cents: 2999, at }] });
        const { status, body } = await orderOf('A-3', new FakeDurableClient(), ledger);
        expect(status).toBe(200);
        expect(body).toMatchObject({ runtime_status: null, ledger: [{ id: 'ch_3' }] });
    });

    it('answers 502 without internals when the ledger cannot be read', async () => {
        const failing = fixedLedger({}, new Error('ECONNREFUSED 127.0.0.1:10002 secret'));
        const { status, body, logs } = await orderOf('A-4', new FakeDurableClient(), failing);
        expect(status).toBe(502);
        expect(JSON.stringify(body)).not.toContain('ECONNREFUSED');
        expect(logs.some((line) => line.level === 'error')).toBe(true);
    });
});
