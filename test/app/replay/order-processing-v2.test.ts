/**
 * order_processing version 2, as built into dist/, on the devhost's Durable engine with the real SDK and the
 * app's real activities (test-mode services, the real Table ledger on the run's Azurite): instances started
 * with version "2.0", as the host stamps them from host.json defaultVersion. Version 1 on the engine:
 * order-processing.test.ts (instances without a version); recorded version 1 histories:
 * recorded-histories.test.ts and in-flight-v1.test.ts.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { EventType } from 'devhost/history';
import { tableClientFactory } from '../../../src/ledger/table-connection';
import { createTableLedger } from '../../../src/ledger/table-ledger';
import { orderTableNames } from '../../../src/ledger/table-names';
import type { LedgerRecord } from '../../../src/orders/ledger';
import { UNIT_PRICE_CENTS } from '../../../src/orders/money';
import { loadBuiltApp } from '../../support/replay/built-app';
import { ReplayRun, scheduledEvents } from '../../support/replay/replay-run';
import { azuriteConnectionString, uniqueHubName } from '../../support/storage';

const app = loadBuiltApp();
const ORCHESTRATOR = 'order_processing';
const VERSION = '2.0';

beforeAll(() => {
    process.env.AzureWebJobsStorage = azuriteConnectionString();
    process.env.ORDERS_TABLE_PREFIX = uniqueHubName('ReplayV2');
});

/** The order's ledger rows, as the app wrote them, by kind. */
async function ledgerKinds(instanceId: string): Promise<LedgerRecord['kind'][]> {
    const ledger = createTableLedger(tableClientFactory(), orderTableNames());
    return (await ledger.read(instanceId)).map((record) => record.kind).sort();
}

let runs = 0;
function newRun(): ReplayRun {
    runs += 1;
    return new ReplayRun(app, `order-replay-v2-${runs}`);
}

const order = { order_id: 'V2-1', items: ['MUG', { sku: 'TEE', quantity: 2 }], email: 'ada@example.com' };
const total = { cents: 3 * UNIT_PRICE_CENTS, decimal: (3 * UNIT_PRICE_CENTS) / 100 };

describe('order_processing version 2 replayed on the engine (built app)', () => {
    it('reserves the stock before the charge, then fulfils and notifies, with the real activities', async () => {
        const run = newRun();
        await run.start(ORCHESTRATOR, order, { version: VERSION });
        const status = await run.driveWithRealActivities();
        expect(status.runtimeStatus).toBe('Completed');
        expect(run.scheduled.map((activity) => activity.name)).toEqual([
            'validate_order',
            'reserve_stock',
            'charge_customer',
            'fulfill_order',
            'send_notification',
        ]);
        expect(run.scheduled[1]?.input).toEqual({
            order_id: 'V2-1',
            instance_id: run.instanceId,
            idempotency_key: `${run.instanceId}:reserve`,
            items: [
                { sku: 'MUG', quantity: 1 },
                { sku: 'TEE', quantity: 2 },
            ],
        });
        expect(run.output()).toMatchObject({ status: 'completed', amount: total, notification: 'sent' });
        expect(await ledgerKinds(run.instanceId)).toEqual(['charge', 'notification', 'reservation', 'shipment']);
    });

    it('rejects TEST-OUT-OF-STOCK at the reservation: never charged, nothing in the ledger', async () => {
        const run = newRun();
        await run.start(ORCHESTRATOR, { ...order, items: ['MUG', 'TEST-OUT-OF-STOCK'] }, { version: VERSION });
        const status = await run.driveWithRealActivities();
        expect(status.runtimeStatus).toBe('Completed');
        expect(run.output()).toEqual({
            status: 'rejected',
            order_id: 'V2-1',
            reason: 'TEST-OUT-OF-STOCK is out of stock',
        });
        expect(run.scheduled.map((activity) => activity.name)).toEqual(['validate_order', 'reserve_stock']);
        expect(await ledgerKinds(run.instanceId)).toEqual([]);
    });

    it('TEST-WAREHOUSE-DOWN: charged, not shipped, refunded and the stock released; the order ends failed', async () => {
        const run = newRun();
        await run.start(ORCHESTRATOR, { ...order, items: ['TEST-WAREHOUSE-DOWN'] }, { version: VERSION });
        await run.driveWithRealActivities();
        expect(run.scheduled.map((activity) => activity.name)).toEqual([
            'validate_order',
            'reserve_stock',
            'charge_customer',
            'fulfill_order',
            'refund_payment',
            'release_stock',
        ]);
        expect(run.output()).toEqual({
            status: 'failed',
            order_id: 'V2-1',
            reason: 'The warehouse cannot ship TEST-WAREHOUSE-DOWN (test mode: the warehouse is down)',
            refunded: true,
            refund_id: expect.stringMatching(/^re_/),
        });
        expect(await ledgerKinds(run.instanceId)).toEqual(['charge', 'refund', 'release', 'reservation']);
    });

    it('releases the stock after a declined card (pm_card_declined) and ends payment_declined, nothing charged', async () => {
        const run = newRun();
        await run.start(ORCHESTRATOR, { ...order, payment_method: 'pm_card_declined' }, { version: VERSION });
        await run.driveWithRealActivities();
        expect(run.output()).toEqual({
            status: 'payment_declined',
            order_id: 'V2-1',
            reason: 'Your card was declined.',
        });
        expect(run.scheduled.map((activity) => activity.name)).toEqual([
            'validate_order',
            'reserve_stock',
            'charge_customer',
            'release_stock',
        ]);
        expect(await ledgerKinds(run.instanceId)).toEqual(['release', 'reservation']);
    });

    it('releases the stock, then fails the instance, when every charge attempt fails', async () => {
        const run = newRun();
        await run.start(ORCHESTRATOR, order, { version: VERSION });
        await run.runReal(0);
        await run.episode();
        await run.runReal(1);
        await run.episode();
        for (let attempt = 1; attempt <= 4; attempt++) {
            const [pending] = run.pending();
            if (pending?.name !== 'charge_customer') throw new Error(`expected charge attempt ${attempt}`);
            run.fail(pending.id, 'gateway down');
            await run.episode();
            run.hub.advance(60_000);
            await run.episode();
        }
        expect(run.pending().map((activity) => activity.name)).toEqual(['release_stock']);
        const end = await run.driveWithRealActivities();
        expect(end.runtimeStatus).toBe('Failed');
        expect(end.output).toContain("Activity function 'charge_customer' failed:  gateway down");
        expect(scheduledEvents(run.history()).map((event) => event.Name)).not.toContain('fulfill_order');
        expect(await ledgerKinds(run.instanceId)).toEqual(['release', 'reservation']);
    });

    it('keeps the version of the instance in its history: ExecutionStarted says "2.0"', async () => {
        const run = newRun();
        await run.start(ORCHESTRATOR, order, { version: VERSION });
        const started = run.history().find((event) => event.EventType === EventType.ExecutionStarted);
        expect(started).toMatchObject({ Version: VERSION });
    });
});
