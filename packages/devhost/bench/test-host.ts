/* eslint-disable import-x/order -- the fake @azure/functions-core must be installed before any other import runs. */
/**
 * The testing toolkit's speed (createTestHost: the in-memory task hub, virtual time): what an app's test pays
 * per order, and per test of a three-day timeout. Two apps, so two processes (a process loads one app):
 *   BENCH_TEST_HOST=orders   the app under benchmark's order_processing, its own activities with the ledger on
 *                            a private in-memory Azurite, then with its four side-effect activities stubbed
 *   BENCH_TEST_HOST=timer    the toolkit fixture's three-day approval timeout, skipped in virtual time
 * Prints one JSON document. Timings are reported, never asserted.
 */
import { installCoreModule } from '../src/host/worker/core-module';
installCoreModule();

import path from 'node:path';
import { startAzurite } from '../src/host/local-storage/azurite';
import { createTestHost, type TestHost } from '../src/testing/test-host';
import { uniqueHubName } from '../src/testing/unique-hub-name';
import { appUnderBench } from './support/app-under-bench';
import { summary, type Summary } from './support/stats';

const QUICK = process.env.BENCH_QUICK === '1';
const WARMUP = QUICK ? 5 : 20;
const RUNS = QUICK ? 30 : 200;

async function timed(runs: number, once: (i: number) => Promise<void>): Promise<Summary> {
    for (let i = 0; i < WARMUP; i++) await once(-1 - i);
    const samples: number[] = [];
    for (let i = 0; i < runs; i++) {
        const began = performance.now();
        await once(i);
        samples.push(Number((performance.now() - began).toFixed(2)));
    }
    return summary(samples);
}

async function order(host: TestHost, orderId: string): Promise<void> {
    const response = await host.fetch('/api/orchestrations/order_processing', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ order_id: orderId, items: ['widget-a', 'widget-b'] }),
    });
    const { id } = (await response.json()) as { id: string };
    const status = await host.waitForCompletion(id);
    if (status.runtimeStatus !== 'Completed') throw new Error(`${id}: ${status.runtimeStatus}`);
}

async function orders(): Promise<unknown> {
    const azurite = await startAzurite({ inMemory: true, ports: { blob: 0, queue: 0, table: 0 } });
    process.env.AzureWebJobsStorage = azurite.connectionString;
    process.env.ORDERS_TABLE_PREFIX = uniqueHubName('Bench');
    const host = await createTestHost({ appDir: appUnderBench() });
    try {
        const withLedger = await timed(RUNS, (i) => order(host, `ledger-${i}`));
        const results: Record<string, unknown> = {
            reserve_stock: { status: 'reserved', reservation_id: 'r-bench' },
            charge_customer: { status: 'charged', charge_id: 'ch-bench', amount: { cents: 5998, decimal: 59.98 } },
            fulfill_order: { status: 'shipped', tracking_number: 'TRK-BENCH' },
            send_notification: { status: 'skipped' },
        };
        const stubs = Object.entries(results).map(([name, value]) => host.stubActivity(name, () => value));
        const stubbed = await timed(RUNS, (i) => order(host, `stubbed-${i}`));
        for (const stub of stubs) stub.restore();
        return { orders: RUNS, withLedgerMs: withLedger, stubbedMs: stubbed };
    } finally {
        await host.close();
        await azurite.stop();
    }
}

async function timer(): Promise<unknown> {
    const host = await createTestHost({ appDir: path.resolve(__dirname, '../../test/fixtures/durable-apps/toolkit') });
    try {
        const threeDayTimeout = await timed(QUICK ? 20 : 100, async () => {
            const status = await host.waitForCompletion(await host.client.startNew('approval'));
            if ((status.output as { outcome?: string }).outcome !== 'timed out') throw new Error('not timed out');
        });
        return { threeDayTimeoutMs: threeDayTimeout };
    } finally {
        await host.close();
    }
}

(process.env.BENCH_TEST_HOST === 'timer' ? timer() : orders())
    .then((result) => console.log(JSON.stringify(result)))
    .catch((error: unknown) => {
        console.error(error);
        process.exit(1);
    });
