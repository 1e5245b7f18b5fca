import { InvocationContext } from '@azure/functions';
import { beforeAll, describe, expect, it } from 'vitest';
import { createReleaseStock } from '../../src/activities/release-stock';
import { createReserveStock } from '../../src/activities/reserve-stock';
import { tableClientFactory } from '../../src/ledger/table-connection';
import { createTableLedger } from '../../src/ledger/table-ledger';
import { orderTableNames } from '../../src/ledger/table-names';
import type { OrderLedger } from '../../src/orders/ledger';
import type { StockService } from '../../src/orders/ports';
import { createTestModeStockService } from '../../src/orders/test-mode-services';
import { azuriteConnectionString, uniqueHubName } from '../support/storage';

/**
 * reserve_stock and release_stock (version 2 orders) with the test-mode warehouse and the real Table storage
 * ledger (the run's Azurite, tables of this file's own prefix); each test has its own order.
 */
const context = () => new InvocationContext({ functionName: 'stock-test', logHandler: () => undefined });
let ledger: OrderLedger;

beforeAll(() => {
    const tables = tableClientFactory({ AzureWebJobsStorage: azuriteConnectionString() });
    ledger = createTableLedger(tables, orderTableNames({ ORDERS_TABLE_PREFIX: uniqueHubName('Stock') }));
});

let orders = 0;
function newOrder() {
    orders += 1;
    const instance = `order-S${orders}`;
    const keyed = (step: string) => ({
        order_id: `S${orders}`,
        instance_id: instance,
        idempotency_key: `${instance}:${step}`,
    });
    return { instance, keyed };
}

/** The test-mode warehouse, counting the calls that reach it. */
function countingStock(): StockService & { reserves: string[]; releases: string[] } {
    const real = createTestModeStockService();
    const counted = {
        reserves: [] as string[],
        releases: [] as string[],
        reserve: (request: Parameters<StockService['reserve']>[0]) => {
            counted.reserves.push(request.idempotencyKey);
            return real.reserve(request);
        },
        release: (request: Parameters<StockService['release']>[0]) => {
            counted.releases.push(request.idempotencyKey);
            return real.release(request);
        },
    };
    return counted;
}

describe('reserve_stock', () => {
    it('holds the stock once with the reserve key and records it; running again returns the same hold without asking the warehouse', async () => {
        const stock = countingStock();
        const reserve = createReserveStock(stock, ledger);
        const { instance, keyed } = newOrder();
        const input = { ...keyed('reserve'), items: [{ sku: 'MUG', quantity: 2 }] };
        const first = await reserve(input, context());
        expect(first).toEqual({ status: 'reserved', reservation_id: expect.stringMatching(/^rs_[0-9a-f]{24}$/) });
        expect(await reserve(input, context())).toEqual(first);
        expect(stock.reserves).toEqual([`${instance}:reserve`]);
        expect(await ledger.read(instance)).toEqual([
            {
                kind: 'reservation',
                id: first.status === 'reserved' ? first.reservation_id : '',
                at: expect.any(String),
            },
        ]);
    });

    it('two runs racing record one reservation, the same for both', async () => {
        const reserve = createReserveStock(createTestModeStockService(), ledger);
        const { instance, keyed } = newOrder();
        const input = { ...keyed('reserve'), items: [{ sku: 'MUG', quantity: 1 }] };
        const [a, b] = await Promise.all([reserve(input, context()), reserve(input, context())]);
        expect(a).toEqual(b);
        expect((await ledger.read(instance)).filter((record) => record.kind === 'reservation')).toHaveLength(1);
    });

    it('answers TEST-OUT-OF-STOCK as out_of_stock and records nothing', async () => {
        const { instance, keyed } = newOrder();
        const input = {
            ...keyed('reserve'),
            items: [
                { sku: 'MUG', quantity: 1 },
                { sku: 'TEST-OUT-OF-STOCK', quantity: 2 },
            ],
        };
        expect(await createReserveStock(createTestModeStockService(), ledger)(input, context())).toEqual({
            status: 'out_of_stock',
            reason: 'TEST-OUT-OF-STOCK is out of stock',
        });
        expect(await ledger.read(instance)).toEqual([]);
    });

    it('holds TEST-WAREHOUSE-DOWN: the stock is there, only shipping fails', async () => {
        const { keyed } = newOrder();
        const input = { ...keyed('reserve'), items: [{ sku: 'TEST-WAREHOUSE-DOWN', quantity: 1 }] };
        expect(await createReserveStock(createTestModeStockService(), ledger)(input, context())).toMatchObject({
            status: 'reserved',
        });
    });

    it('reserves nothing for malformed input', async () => {
        const stock = countingStock();
        const { keyed } = newOrder();
        await expect(createReserveStock(stock, ledger)({ ...keyed('reserve'), items: [] }, context())).rejects.toThrow(
            /^reserve_stock: invalid input: items/,
        );
        await expect(createReserveStock(stock, ledger)({ items: ['MUG'] }, context())).rejects.toThrow(/order_id/);
        expect(stock.reserves).toEqual([]);
    });
});

describe('release_stock', () => {
    it('releases once with the release key and records it; running again answers the same without asking the warehouse', async () => {
        const stock = countingStock();
        const release = createReleaseStock(stock, ledger);
        const { instance, keyed } = newOrder();
        const input = { ...keyed('release'), reservation_id: 'rs_1' };
        expect(await release(input, context())).toEqual({ status: 'released', reservation_id: 'rs_1' });
        expect(await release(input, context())).toEqual({ status: 'released', reservation_id: 'rs_1' });
        expect(stock.releases).toEqual([`${instance}:release`]);
        expect(await ledger.read(instance)).toEqual([
            { kind: 'release', reservation_id: 'rs_1', at: expect.any(String) },
        ]);
    });

    it('two runs racing record one release', async () => {
        const release = createReleaseStock(createTestModeStockService(), ledger);
        const { instance, keyed } = newOrder();
        const input = { ...keyed('release'), reservation_id: 'rs_2' };
        const [a, b] = await Promise.all([release(input, context()), release(input, context())]);
        expect(a).toEqual(b);
        expect((await ledger.read(instance)).filter((record) => record.kind === 'release')).toHaveLength(1);
    });

    it('releases what reserve_stock held, next to the reservation in the ledger', async () => {
        const { instance, keyed } = newOrder();
        const held = await createReserveStock(createTestModeStockService(), ledger)(
            { ...keyed('reserve'), items: [{ sku: 'MUG', quantity: 1 }] },
            context(),
        );
        if (held.status !== 'reserved') throw new Error('expected a reservation');
        await createReleaseStock(createTestModeStockService(), ledger)(
            { ...keyed('release'), reservation_id: held.reservation_id },
            context(),
        );
        expect((await ledger.read(instance)).map((record) => record.kind).sort()).toEqual(['release', 'reservation']);
    });

    it('releases nothing without a reservation id', async () => {
        const stock = countingStock();
        const { keyed } = newOrder();
        await expect(createReleaseStock(stock, ledger)(keyed('release'), context())).rejects.toThrow(
            /^release_stock: invalid input: reservation_id/,
        );
        expect(stock.releases).toEqual([]);
    });
});
