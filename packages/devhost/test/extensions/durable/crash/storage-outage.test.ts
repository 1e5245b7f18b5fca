/**
 * A storage outage in the middle of a burst, on Azurite with the `basic` fixture: for 20 seconds every call to
 * the task hub fails as an unreachable account fails (connection refused), or hangs as a frozen one does
 * (`kill -STOP` on Azurite). Afterwards every instance completes, none fails, nothing is set aside as poison:
 * an outage says nothing about the work, so it never counts towards poison (before, about 15 s of errors set
 * every checkpointing instance aside as Failed). The burst mixes in-process work (activity sequences), queue
 * messages (sub-orchestrations) and durable timers.
 */
import path from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createTaskHubStorage, parseConnectionString } from '../../../../src/extensions/durable/azure-storage';
import { durableConfigFromHostJson } from '../../../../src/extensions/durable/runtime/durable-config';
import { DurableRuntime } from '../../../../src/extensions/durable/runtime/durable-runtime';
import type { TaskHubStorage } from '../../../../src/extensions/durable/task-hub-port/task-hub-storage';
import { loadApp } from '../../../../src/host/worker/load-app';
import { isTerminalStatus } from '../../../../src/shared/history';
import type { LoadedApp, LogEntry } from '../../../../src/shared/host-contracts';
import { allRows, hubProblems, poisonBlobs } from '../../../../src/testing/hub-invariants';
import { captureLogger, FIXTURES } from '../../../support/durable/durable-host';
import { silentLogger } from '../../../support/host/capture-logger';
import { azuriteConnectionString, uniqueHubName } from '../../../support/storage';

const OUTAGE_MS = 20_000;
let app: LoadedApp;
let runtime: DurableRuntime | undefined;

beforeAll(async () => {
    process.env.AzureWebJobsStorage = azuriteConnectionString();
    process.env.FIXTURE_HUB = 'Unused';
    // The fixture's failing activity logs each failure: not what this test reads.
    app = await loadApp(path.join(FIXTURES, 'basic'), { env: process.env, logger: silentLogger });
});

afterEach(async () => {
    await runtime?.stop();
    runtime = undefined;
});

type Outage = 'refused' | 'frozen';

/** The task hub's storage, but unreachable while `down` says so: every call fails, or waits for the end. */
function outageStorage(inner: TaskHubStorage, kind: Outage, down: { until: number }): TaskHubStorage {
    const local = new Set(['partitionOf', 'controlQueueName', 'acquireHubLock']);
    return new Proxy(inner, {
        get(target, property, receiver) {
            const value: unknown = Reflect.get(target, property, receiver);
            if (typeof value !== 'function' || typeof property !== 'string' || local.has(property)) {
                return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
            }
            const method = value as (...args: unknown[]) => Promise<unknown>;
            return async (...args: unknown[]) => {
                const left = down.until - Date.now();
                if (left > 0 && kind === 'refused')
                    throw Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:10002'), { code: 'ECONNREFUSED' });
                if (left > 0) await new Promise((resolve) => setTimeout(resolve, left));
                return method.apply(target, args);
            };
        },
    });
}

async function burstThroughOutage(kind: Outage): Promise<void> {
    const hubName = uniqueHubName('Outage');
    const storage = createTaskHubStorage({ connection: parseConnectionString(azuriteConnectionString()), hubName });
    const down = { until: 0 };
    const logs: LogEntry[] = [];
    runtime = new DurableRuntime({
        app,
        storage: outageStorage(storage, kind, down),
        config: {
            ...durableConfigFromHostJson(app.hostJson, process.env),
            hubName,
            messageLeaseSeconds: 2,
            maxMessageLeaseSeconds: 4,
            maxQueuePollingIntervalMs: 500,
        },
        logger: captureLogger(logs),
    });
    await runtime.start();
    const client = runtime.client;
    const ids: string[] = [];
    const starts: Array<Promise<unknown>> = [];
    for (let i = 0; i < 20; i++) starts.push(client.startNew('sequence', { instanceId: `seq-${i}` }));
    for (let i = 0; i < 5; i++) starts.push(client.startNew('parent', { instanceId: `parent-${i}`, input: '"kid"' }));
    for (let i = 0; i < 5; i++) starts.push(client.startNew('timer', { instanceId: `timer-${i}`, input: '300' }));
    await Promise.all(starts);
    ids.push(
        ...Array.from({ length: 20 }, (_, i) => `seq-${i}`),
        ...Array.from({ length: 5 }, (_, i) => `parent-${i}`),
        ...Array.from({ length: 5 }, (_, i) => `timer-${i}`),
    );
    // The outage begins while the burst is in its first steps.
    await new Promise((resolve) => setTimeout(resolve, 150));
    down.until = Date.now() + OUTAGE_MS;
    await new Promise((resolve) => setTimeout(resolve, OUTAGE_MS));

    const deadline = Date.now() + 40_000;
    let open = ids;
    while (open.length > 0 && Date.now() < deadline) {
        const rows = await Promise.all(open.map((id) => storage.readInstance(id)));
        open = open.filter((_, i) => !isTerminalStatus(rows[i]?.runtimeStatus ?? 'Pending'));
        await new Promise((resolve) => setTimeout(resolve, 200));
    }
    expect(open, 'instances not finished 40 s after the outage').toEqual([]);
    // Every instance the burst started completed (a parent catches its failing child: that child fails by design).
    const rows = await allRows(storage);
    const failed = rows.filter((r) => ids.includes(r.instanceId) && r.runtimeStatus !== 'Completed');
    expect(failed.map((r) => `${r.instanceId} ${r.runtimeStatus}: ${r.output}`)).toEqual([]);
    const parents = rows.filter((r) => r.instanceId.startsWith('parent-'));
    expect(parents.map((r) => JSON.parse(r.output ?? 'null') as unknown)).toEqual(
        parents.map(() => expect.objectContaining({ child: 'child says Hello, kid!' })),
    );
    expect(await hubProblems(storage)).toEqual([]);
    expect(await poisonBlobs(azuriteConnectionString(), hubName)).toEqual([]);
    expect(logs.filter((e) => e.message.includes('poison'))).toEqual([]);
}

describe('a 20-second storage outage in the middle of a burst', () => {
    it('fails nothing when every call is refused meanwhile', () => burstThroughOutage('refused'), 90_000);
    it('fails nothing when every call hangs meanwhile', () => burstThroughOutage('frozen'), 90_000);
});
