/**
 * Recovery's promises one by one, on Azurite with the `basic` fixture app, each at the crash point or fault
 * that broke it (src/testing/fault-injecting-storage.ts):
 * - a start whose row write landed but whose answer was lost (the SDK's retry met the row, or gave up) runs
 *   at once, keyed or not, and so does the restart of a finished instance;
 * - after a crash between the first checkpoint's history write and its row write, the row says what history
 *   says: Completed (an instance that ended in its first episode) or Running (one that ended waiting), with
 *   the custom status the orchestrator set;
 * - an accepted restart's Pending row is not overwritten by the old execution, whose open tasks do not run;
 * - recovery goes on past an instance it cannot read (and a listing that fails), and recovers it later;
 * - loading an instance costs no blob listing (the work-item outbox is gone);
 * - an orchestration's request to an entity no function implements fails it, as in the extension.
 */
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
    createTaskHubStorage,
    parseConnectionString,
    type AzureTaskHubStorage,
} from '../../../../src/extensions/durable/azure-storage';
import { executionStartedMessage } from '../../../../src/extensions/durable/engine';
import {
    executionCompleted,
    orchestratorCompleted,
    orchestratorStarted,
    taskScheduled,
} from '../../../../src/extensions/durable/engine/events';
import {
    durableConfigFromHostJson,
    type DurableConfig,
} from '../../../../src/extensions/durable/runtime/durable-config';
import { DurableRuntime } from '../../../../src/extensions/durable/runtime/durable-runtime';
import type { InstanceRecord, TaskHubStorage } from '../../../../src/extensions/durable/task-hub-port/task-hub-storage';
import { loadApp } from '../../../../src/host/worker/load-app';
import { EventType, RuntimeStatus } from '../../../../src/shared/history';
import type { InvokeRequest, LoadedApp } from '../../../../src/shared/host-contracts';
import type { LogEntry } from '../../../../src/shared/host-contracts';
import { FaultInjectingStorage, crashableApp, type FaultPlan } from '../../../../src/testing/fault-injecting-storage';
import { pollUntil } from '../../../../src/testing/poll-until';
import { FIXTURES } from '../../../support/durable/durable-host';
import { captureLogger } from '../../../support/durable/durable-host';
import { clearHandOverMark } from '../../../support/durable/hand-over-mark';
import { withOverrides } from '../../../support/durable/storage-overrides';
import { azuriteConnectionString, uniqueHubName } from '../../../support/storage';
import { instanceRecord } from '../../../support/task-hub/instance-record';

let app: LoadedApp;
let config: Omit<DurableConfig, 'hubName'>;
const runtimes: DurableRuntime[] = [];
const logs: LogEntry[] = [];

beforeAll(async () => {
    process.env.AzureWebJobsStorage = azuriteConnectionString();
    process.env.FIXTURE_HUB = 'Unused';
    app = await loadApp(path.join(FIXTURES, 'basic'), { env: process.env });
    config = {
        ...durableConfigFromHostJson(app.hostJson, process.env),
        messageLeaseSeconds: 1,
        maxMessageLeaseSeconds: 2,
        maxQueuePollingIntervalMs: 200,
        shutdownTimeoutMs: 1_000,
    };
});

afterEach(async () => {
    await Promise.all(runtimes.splice(0).map((runtime) => runtime.stop().catch(() => undefined)));
});

afterAll(() => undefined);

function hub(hubName: string): AzureTaskHubStorage {
    return createTaskHubStorage({ connection: parseConnectionString(azuriteConnectionString()), hubName });
}

async function startRuntime(hubName: string, storage: TaskHubStorage, withApp = app): Promise<DurableRuntime> {
    const runtime = new DurableRuntime({
        app: withApp,
        storage,
        config: { ...config, hubName },
        logger: captureLogger(logs),
    });
    await runtime.start();
    runtimes.push(runtime);
    return runtime;
}

/** A runtime whose storage injects `plan`'s fault; it is left as it is if it crashes. */
async function faultyRuntime(
    hubName: string,
    plan: FaultPlan,
): Promise<{ runtime: DurableRuntime; faults: FaultInjectingStorage }> {
    const faults = new FaultInjectingStorage(hub(hubName));
    const runtime = new DurableRuntime({
        app: crashableApp(app, faults),
        storage: faults.storage,
        config: { ...config, hubName },
        logger: captureLogger(logs),
    });
    await runtime.start();
    faults.arm(plan);
    faults.onCrash(() => runtimes.splice(runtimes.indexOf(runtime), 1));
    runtimes.push(runtime);
    return { runtime, faults };
}

const row = (storage: TaskHubStorage, id: string) => (): Promise<InstanceRecord | undefined> =>
    storage.readInstance(id);
const completed = (record: InstanceRecord | undefined): boolean => record?.runtimeStatus === 'Completed';
const crashed = (faults: FaultInjectingStorage): Promise<void> =>
    new Promise<void>((resolve) => faults.onCrash(resolve)).then(() => faults.lockReleased());

describe('a start whose answer was lost', () => {
    it('runs at once, keyed or not, when the SDK retried the insert and met its own row', async () => {
        const hubName = uniqueHubName('Lost');
        const { runtime } = await faultyRuntime(hubName, { call: 'writeNewExecution', at: 1, fault: 'retried' });
        const keyed = await runtime.client.startNew('sequence', { instanceId: 'keyed-1' });
        expect(keyed.instanceId).toBe('keyed-1');
        expect(await pollUntil(row(hub(hubName), 'keyed-1'), completed)).toMatchObject({ runtimeStatus: 'Completed' });
    });

    it('runs at once when the insert landed and the call failed', async () => {
        const hubName = uniqueHubName('Lost');
        const { runtime } = await faultyRuntime(hubName, { call: 'writeNewExecution', at: 1, fault: 'error-after' });
        const unkeyed = await runtime.client.startNew('sequence', {});
        expect(await pollUntil(row(hub(hubName), unkeyed.instanceId), completed)).toMatchObject({
            runtimeStatus: 'Completed',
            executionId: unkeyed.executionId,
        });
    });

    it('restarts a finished instance when the answer of its conditional replace was lost', async () => {
        const hubName = uniqueHubName('Lost');
        const { runtime, faults } = await faultyRuntime(hubName, { at: 1_000_000, fault: 'retried' });
        const first = await runtime.client.startNew('sequence', { instanceId: 'again' });
        await pollUntil(row(hub(hubName), 'again'), completed);
        // The restart's writes: the insert (refused: the row exists), then the replace under the row's ETag.
        faults.arm({ call: 'writeNewExecution', at: 2, fault: 'retried' });
        const second = await runtime.client.restart('again', false);
        expect(second.executionId).not.toBe(first.executionId);
        const done = await pollUntil(
            row(hub(hubName), 'again'),
            (r) => completed(r) && r?.executionId === second.executionId,
        );
        expect(done).toMatchObject({ runtimeStatus: 'Completed', executionId: second.executionId });
    });
});

describe('recovery brings the row in line with history', () => {
    it('shows an instance that ended in its first episode as Completed, with its custom status', async () => {
        const hubName = uniqueHubName('First');
        const { runtime, faults } = await faultyRuntime(hubName, {
            call: 'appendHistory',
            at: 1,
            fault: 'crash-after',
        });
        await runtime.client.startNew('quickWithStatus', { instanceId: 'quick' });
        await crashed(faults);
        expect((await hub(hubName).readInstance('quick'))?.runtimeStatus).toBe('Pending');
        await startRuntime(hubName, hub(hubName));
        const record = await pollUntil(row(hub(hubName), 'quick'), completed);
        expect(record).toMatchObject({ runtimeStatus: 'Completed', output: '42', customStatus: '{"step":"done"}' });
    });

    it('shows an instance whose first episode ended waiting as Running, with its custom status', async () => {
        const hubName = uniqueHubName('First');
        const { runtime, faults } = await faultyRuntime(hubName, {
            call: 'appendHistory',
            at: 1,
            fault: 'crash-after',
        });
        await runtime.client.startNew('waitForApproval', { instanceId: 'waiting' });
        await crashed(faults);
        await startRuntime(hubName, hub(hubName));
        const record = await pollUntil(row(hub(hubName), 'waiting'), (r) => r?.runtimeStatus === 'Running');
        expect(record).toMatchObject({ runtimeStatus: 'Running', customStatus: '"waiting"' });
    });

    it('leaves an accepted restart alone: the old execution neither overwrites its Pending row nor runs its open tasks', async () => {
        const hubName = uniqueHubName('Restart');
        const storage = hub(hubName);
        await storage.createIfNotExists();
        const then = new Date(Date.now() - 60_000);
        // The old execution finished with a task it never awaited (scheduled with its input, no result).
        const oldStart = executionStartedMessage({
            instanceId: 'restarted',
            executionId: 'old-execution',
            name: 'sequence',
            version: '',
            input: ['x'],
            now: then,
        });
        const old = oldStart.Event;
        await storage.appendHistory({
            instanceId: 'restarted',
            executionId: 'old-execution',
            startIndex: 0,
            etag: undefined,
            events: [
                orchestratorStarted(then),
                old,
                taskScheduled(0, 'hello', '["x"]', then),
                executionCompleted(1, RuntimeStatus.Completed, '"done"', then),
                orchestratorCompleted(then),
            ],
            isCheckpointComplete: true,
        });
        // A restart was accepted (its start message on the queue, hidden by the process that then died).
        const now = new Date();
        const restart = instanceRecord('restarted', {
            executionId: 'new-execution',
            name: 'sequence',
            version: '',
            input: '["y"]',
            runtimeStatus: 'Pending',
            createdTime: now,
            lastUpdatedTime: now,
        });
        expect(await storage.writeNewExecution(restart, undefined)).toBe(true);
        const hellos: string[] = [];
        const counting: LoadedApp = {
            ...app,
            invoke: (request: InvokeRequest) => {
                if (request.functionName === 'hello') hellos.push(request.inputData[0]?.data.string ?? '');
                return app.invoke(request);
            },
        };
        const runtime = await startRuntime(hubName, storage, counting);
        await runtime.recoveryListed;
        // A late copy of the old execution's start comes back too (its delete was lost): still nothing.
        await storage.sendControlMessage(oldStart);
        await new Promise((resolve) => setTimeout(resolve, 1_500));
        expect(await storage.readInstance('restarted')).toMatchObject({
            runtimeStatus: 'Pending',
            executionId: 'new-execution',
        });
        expect(hellos).toEqual([]);
        // The restart's own start message comes back: it runs, as the new execution.
        await storage.sendControlMessage(
            executionStartedMessage({
                instanceId: 'restarted',
                executionId: 'new-execution',
                name: 'sequence',
                version: '',
                input: ['y'],
                now,
            }),
        );
        const done = await pollUntil(row(storage, 'restarted'), completed);
        expect(done).toMatchObject({ executionId: 'new-execution', output: '["Hello, y!"]' });
    });

    it('goes on past an instance it cannot read and a listing that fails, and recovers them once it can', async () => {
        const hubName = uniqueHubName('Partial');
        const first = await startRuntime(hubName, hub(hubName));
        for (const id of ['readable', 'unreadable']) await first.client.startNew('waitForApproval', { instanceId: id });
        const storage = hub(hubName);
        for (const id of ['readable', 'unreadable'])
            await pollUntil(row(storage, id), (r) => r?.runtimeStatus === 'Running');
        await first.stop();
        runtimes.splice(runtimes.indexOf(first), 1);
        await clearHandOverMark(storage);
        // Both rows lost their first checkpoint's write (a crash between history and row).
        for (const id of ['readable', 'unreadable']) {
            const record = await storage.readInstance(id);
            if (record) await storage.writeInstance({ ...record, runtimeStatus: 'Pending', customStatus: null });
        }
        let listings = 0;
        let unreadable = 0;
        const real = hub(hubName);
        const outage = (): Promise<never> =>
            Promise.reject(Object.assign(new Error('service unavailable'), { statusCode: 503 }));
        const flaky = withOverrides(real, {
            queryInstances: (query, token) => (listings++ === 0 ? outage() : real.queryInstances(query, token)),
            readHistory: (id) => (id === 'unreadable' && unreadable++ < 2 ? outage() : real.readHistory(id)),
        });
        const second = await startRuntime(hubName, flaky);
        expect(await pollUntil(row(storage, 'readable'), (r) => r?.runtimeStatus === 'Running')).toMatchObject({
            customStatus: '"waiting"',
        });
        const reported = await pollUntil(
            () => Promise.resolve(second.recovery.unrecovered.map((u) => u.instanceId)),
            (ids) => ids.includes('unreadable'),
            5_000,
        );
        expect(reported).toContain('unreadable');
        expect(
            await pollUntil(row(storage, 'unreadable'), (r) => r?.runtimeStatus === 'Running', 20_000),
        ).toMatchObject({
            customStatus: '"waiting"',
        });
        expect(second.recovery.unrecovered).toEqual([]);
        expect(listings).toBeGreaterThan(1);
    }, 30_000);
});

describe('loading and entity requests', () => {
    it('loads an instance another process left without listing any blob', async () => {
        const hubName = uniqueHubName('Load');
        const first = await startRuntime(hubName, hub(hubName));
        await first.client.startNew('waitForApproval', { instanceId: 'left' });
        await pollUntil(row(hub(hubName), 'left'), (r) => r?.runtimeStatus === 'Running');
        await first.stop();
        runtimes.splice(runtimes.indexOf(first), 1);
        const storage = hub(hubName);
        const second = await startRuntime(hubName, storage);
        await second.recoveryListed;
        await new Promise((resolve) => setTimeout(resolve, 300));
        const before = storage.stats.blobOps;
        await second.client.raiseEvent('left', 'Approval', 'true');
        expect(await pollUntil(row(storage, 'left'), completed)).toMatchObject({ output: '{"approved":true}' });
        expect(storage.stats.blobOps - before).toBe(0);
    });

    it("fails an orchestration that calls an entity no function implements, with the extension's message", async () => {
        const hubName = uniqueHubName('Entity');
        const storage = hub(hubName);
        const runtime = await startRuntime(hubName, storage);
        await runtime.client.startNew('callsUnknownEntity', { instanceId: 'caller' });
        const done = await pollUntil(row(storage, 'caller'), (r) => r?.runtimeStatus === 'Failed');
        expect(done?.output).toContain(
            "The function 'nobody' doesn't exist, is disabled, or is not an entity function. Additional info: The following are the known entity functions: 'counterEntity'.",
        );
        expect(await storage.readInstance('@nobody@k')).toBeUndefined();
        const { events } = await storage.readHistory('caller');
        expect(events.some((e) => e.EventType === EventType.EventSent)).toBe(false);
    });
});
