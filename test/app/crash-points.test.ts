/**
 * Every crash point of the app's workflows on the devhost: the built app (dist/, as it ships) on Azurite, with
 * a fault injected at each task-hub write in turn (crash before it, crash after it, a lost response, a
 * repeated request: devhost/testing's fault-injecting storage), then recovered by the same runtime or a
 * fresh one. Scenarios: the reference recipe's order, a keyed restart of a finished order, a 300-item
 * parallel_processing, and instances that end in their first episode (completed and failed). At every point:
 * each instance ends as it should, its row agrees with its history, histories are clean, money moved once
 * (one charge, the one the output names, no refund), nothing was set aside and the queues drain.
 *
 * Debugging: CRASH_POINTS=3,7 runs only those write indices; CRASH_POINTS_TRACE=1 prints each run's phases;
 * CRASH_POINTS_ALL_LOGS=1 puts every log line of a failing run in its report.
 */
import path from 'node:path';
import { TableClient } from '@azure/data-tables';
import { describe, it } from 'vitest';
import { loadApp } from 'devhost';
import { silentLogger, uniqueHubName, type InstanceRecord } from 'devhost/testing';
import { crashPointSuite, ensureStarted, jsonOf, uniqueSuffix, type Scenario } from 'devhost/testing/crash-points';
import { azuriteConnectionString } from '../support/storage';

const ROOT = path.resolve(__dirname, '../..');
const LEDGER_PREFIX = uniqueHubName('Cp');

const suite = crashPointSuite(async () => {
    process.env.AzureWebJobsStorage = azuriteConnectionString();
    process.env.ORDERS_TABLE_PREFIX = LEDGER_PREFIX;
    // The app's own logs (an activity's context.log) are not what these runs check.
    const app = await loadApp(ROOT, { env: process.env, logger: silentLogger });
    return { app, connectionString: azuriteConnectionString() };
});

/** The ledger rows of an order (one partition per instance, a row per kind: charge, refund, shipment). */
async function ledger(instanceId: string): Promise<Map<string, Record<string, unknown>>> {
    const table = TableClient.fromConnectionString(azuriteConnectionString(), `${LEDGER_PREFIX}Ledger`, {
        allowInsecureConnection: true,
    });
    const rows = new Map<string, Record<string, unknown>>();
    for await (const row of table.listEntities({ queryOptions: { filter: `PartitionKey eq '${instanceId}'` } }))
        rows.set(String(row.rowKey), JSON.parse(String(row.record)) as Record<string, unknown>);
    return rows;
}

/** A completed order: charged once (the charge its output names), shipped, never refunded, status 'done'. */
async function completedOrderProblems(row: InstanceRecord | undefined, instanceId: string): Promise<string[]> {
    if (row?.runtimeStatus !== 'Completed') return [`${instanceId}: ${row?.runtimeStatus ?? 'no row'}`];
    const output = jsonOf(row.output) as { status?: string; charge_id?: string; tracking_number?: string };
    const rows = await ledger(instanceId);
    const problems: string[] = [];
    if (output.status !== 'completed') problems.push(`${instanceId}: output ${row.output}`);
    if (rows.get('charge')?.id !== output.charge_id)
        problems.push(`${instanceId}: ledger charge ${JSON.stringify(rows.get('charge'))}, output ${output.charge_id}`);
    if (rows.get('shipment')?.tracking_number !== output.tracking_number)
        problems.push(`${instanceId}: ledger shipment ${JSON.stringify(rows.get('shipment'))}`);
    if (rows.has('refund')) problems.push(`${instanceId}: refunded`);
    const status = jsonOf(row.customStatus) as { step?: string } | undefined;
    if (status?.step !== 'done') problems.push(`${instanceId}: custom status ${row.customStatus}`);
    return problems;
}

const recipeOrder: Scenario = {
    name: 'order_processing (the recipe request)',
    create() {
        const orderId = `cp-${uniqueSuffix()}`;
        const instanceId = `order-${orderId}`;
        return {
            instances: [instanceId],
            act: ({ client }) =>
                ensureStarted(client, 'order_processing', instanceId, {
                    order_id: orderId,
                    items: ['widget-a', 'widget-b'],
                }),
            expect: (rows) => completedOrderProblems(rows.get(instanceId), instanceId),
        };
    },
};

const keyedRestart: Scenario = {
    name: 'keyed restart of a finished order',
    create() {
        const orderId = `rs-${uniqueSuffix()}`;
        const instanceId = `order-${orderId}`;
        let first: InstanceRecord | undefined;
        return {
            instances: [instanceId],
            async setup({ client }) {
                await ensureStarted(client, 'order_processing', instanceId, { order_id: orderId, items: ['widget-a'] });
                first = await client.waitForCompletion(instanceId, 20_000, 20);
                if (first?.runtimeStatus !== 'Completed') throw new Error(`setup: ${first?.runtimeStatus}`);
            },
            async act({ client }) {
                // A retry of a restart that got no answer: restart only if the finished execution is still the row's.
                const row = await client.getStatus(instanceId);
                if (row?.executionId !== first?.executionId) return;
                await client.restart(instanceId, false);
            },
            async expect(rows) {
                const row = rows.get(instanceId);
                const problems = await completedOrderProblems(row, instanceId);
                if (row?.executionId === first?.executionId) problems.push(`${instanceId}: not restarted`);
                const output = jsonOf(row?.output ?? null) as { charge_id?: string };
                if (output.charge_id !== (jsonOf(first?.output ?? null) as { charge_id?: string }).charge_id)
                    problems.push(`${instanceId}: the restart charged again (${output.charge_id})`);
                return problems;
            },
        };
    },
};

const fanOut: Scenario = {
    name: 'parallel_processing of 300 items',
    create() {
        const instanceId = `par-${uniqueSuffix()}`;
        const items = Array.from({ length: 300 }, (_, i) => `item-${i}`);
        return {
            instances: [instanceId],
            act: ({ client }) => ensureStarted(client, 'parallel_processing', instanceId, { items }),
            expect(rows) {
                const row = rows.get(instanceId);
                if (row?.runtimeStatus !== 'Completed')
                    return Promise.resolve([`${instanceId}: ${row?.runtimeStatus}`]);
                const output = jsonOf(row.output) as {
                    total: number;
                    successful: number;
                    results: { item: unknown }[];
                };
                const problems: string[] = [];
                if (output.total !== 300 || output.successful !== 300) problems.push(`${instanceId}: ${row.output}`);
                if (output.results.map((r) => r.item).join() !== items.join())
                    problems.push(`${instanceId}: results out of order`);
                if (row.customStatus !== JSON.stringify({ processed: 300, total: 300 }))
                    problems.push(`${instanceId}: custom status ${row.customStatus}`);
                return Promise.resolve(problems);
            },
        };
    },
};

const endsInFirstEpisode: Scenario = {
    name: 'instances that end in their first episode (one completes, one fails)',
    create() {
        const empty = `empty-${uniqueSuffix()}`;
        const invalid = `order-bad-${uniqueSuffix()}`;
        return {
            instances: [empty, invalid],
            async act({ client }) {
                await ensureStarted(client, 'parallel_processing', empty, { items: [] });
                await ensureStarted(client, 'order_processing', invalid, { items: ['widget-a'] });
            },
            expect(rows) {
                const problems: string[] = [];
                const done = rows.get(empty);
                if (done?.runtimeStatus !== 'Completed' || (jsonOf(done.output) as { total?: number }).total !== 0)
                    problems.push(`${empty}: ${done?.runtimeStatus} ${done?.output}`);
                if (done?.customStatus !== JSON.stringify({ processed: 0, total: 0 }))
                    problems.push(`${empty}: custom status ${done?.customStatus}`);
                const failed = rows.get(invalid);
                if (failed?.runtimeStatus !== 'Failed' || !failed.output?.includes('order_id'))
                    problems.push(`${invalid}: ${failed?.runtimeStatus} ${failed?.output}`);
                return Promise.resolve(problems);
            },
        };
    },
};

describe('recovery at every crash point of the app', () => {
    it('recovers the recipe order from a fault at each of its task-hub writes', () => suite.run(recipeOrder), 600_000);
    it('recovers a keyed restart of a finished order at each write', () => suite.run(keyedRestart), 600_000);
    it(
        'recovers instances that end in their first episode at each write',
        () => suite.run(endsInFirstEpisode),
        600_000,
    );
    it('recovers a 300-item parallel_processing at each write', () => suite.run(fanOut), 900_000);
});
