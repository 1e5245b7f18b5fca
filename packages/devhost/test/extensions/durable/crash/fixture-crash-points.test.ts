/**
 * Every crash point of the Durable shapes the app does not have, on the `basic` fixture app: an instance that
 * waits for an external event (its first episode ends waiting, with a custom status), a ContinueAsNew chain
 * across episodes (a durable timer per generation, so the history is replaced under its own rows), and an
 * orchestration that calls and signals an entity. A fault at each task-hub write in turn (crash before or
 * after it, a lost response, a repeated request), then recovery by the same runtime or a fresh one; each
 * instance ends as it should, rows agree with histories, entity operations apply once (the counter's value),
 * nothing is set aside and the queues drain. See test/support/durable/crash-points.ts.
 */
import path from 'node:path';
import { describe, it } from 'vitest';
import { durableConfigFromHostJson } from '../../../../src/extensions/durable/runtime/durable-config';
import { loadApp } from '../../../../src/host/worker/load-app';
import type { LoadedApp } from '../../../../src/shared/host-contracts';
import {
    crashPointSuite,
    ensureStarted,
    jsonOf,
    uniqueSuffix,
    type Scenario,
} from '../../../../src/testing/crash-points';
import { FIXTURES } from '../../../support/durable/durable-host';
import { azuriteConnectionString } from '../../../support/storage';

const suite = crashPointSuite(async () => {
    process.env.AzureWebJobsStorage = azuriteConnectionString();
    process.env.FIXTURE_HUB = 'Unused';
    const app: LoadedApp = await loadApp(path.join(FIXTURES, 'basic'), { env: process.env });
    return {
        app,
        connectionString: azuriteConnectionString(),
        config: durableConfigFromHostJson(app.hostJson, process.env),
    };
});

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

const waitsForEvent: Scenario = {
    name: 'an instance that waits for an event',
    create() {
        const id = `approval-${uniqueSuffix()}`;
        return {
            instances: [id],
            async act({ client }) {
                await ensureStarted(client, 'waitForApproval', id, null);
                // The client raises the event once the instance waits for it (its row says Running, or says
                // 'waiting'); a retried call raises it again, which an instance that already has it ignores.
                for (;;) {
                    const row = await client.getStatus(id);
                    if (row && ['Completed', 'Failed', 'Terminated'].includes(row.runtimeStatus)) return;
                    if (row?.runtimeStatus === 'Running' || row?.customStatus === '"waiting"') break;
                    await sleep(20);
                }
                await client.raiseEvent(id, 'Approval', 'true');
            },
            expect(rows) {
                const row = rows.get(id);
                const problems: string[] = [];
                if (row?.runtimeStatus !== 'Completed' || row.output !== JSON.stringify({ approved: true }))
                    problems.push(`${id}: ${row?.runtimeStatus} ${row?.output}`);
                if (row?.customStatus !== '"waiting"') problems.push(`${id}: custom status ${row?.customStatus}`);
                return Promise.resolve(problems);
            },
        };
    },
};

const continuesAsNew: Scenario = {
    name: 'a ContinueAsNew chain across episodes',
    create() {
        const id = `countdown-${uniqueSuffix()}`;
        return {
            instances: [id],
            act: ({ client }) => ensureStarted(client, 'countdown', id, 2),
            expect(rows) {
                const row = rows.get(id);
                const problems: string[] = [];
                if (row?.runtimeStatus !== 'Completed' || jsonOf(row.output) !== 'liftoff')
                    problems.push(`${id}: ${row?.runtimeStatus} ${row?.output}`);
                // ContinueAsNew starts with a null Generation, which the provider's Merge of the row leaves as the
                // client start wrote it (AzureTableTrackingStore.cs UpdateStateAsync).
                if (row?.generation !== 0) problems.push(`${id}: generation ${row?.generation}`);
                if (row?.customStatus !== JSON.stringify({ left: 0 }))
                    problems.push(`${id}: custom status ${row?.customStatus}`);
                return Promise.resolve(problems);
            },
        };
    },
};

const callsAnEntity: Scenario = {
    name: 'an orchestration that calls and signals an entity',
    create() {
        const key = `c-${uniqueSuffix()}`;
        const id = `entity-${key}`;
        return {
            instances: [id],
            act: ({ client }) => ensureStarted(client, 'entityCounter', id, key),
            async expect(rows, storage) {
                const row = rows.get(id);
                const problems: string[] = [];
                if (row?.runtimeStatus !== 'Completed') return [`${id}: ${row?.runtimeStatus} ${row?.output}`];
                const output = jsonOf(row.output);
                if (JSON.stringify(output) !== JSON.stringify({ first: 5, second: 7, failure: 'caught' }))
                    problems.push(`${id}: output ${row.output}`);
                // Each operation applied once: add 5, add 2 (a request applied twice would show 10, 12 or 9).
                const entity = await storage.readInstance(`@counterentity@${key}`);
                const state = (jsonOf(entity?.input) as { state?: string } | undefined)?.state;
                if (state !== '7') problems.push(`entity ${key}: state ${state}`);
                return problems;
            },
        };
    },
};

describe('recovery at every crash point of events, ContinueAsNew and entities', () => {
    it('recovers an instance that waits for an event at each write', () => suite.run(waitsForEvent), 600_000);
    it('recovers a ContinueAsNew chain at each write', () => suite.run(continuesAsNew), 600_000);
    it('recovers entity calls and signals at each write', () => suite.run(callsAnEntity), 600_000);
});
