/**
 * In-process work items (runtime/in-process-work-items.ts) on Azurite: a fan-out sends no work-item message,
 * its history keeps the activities' inputs, and a runtime stopped before its activities ran hands them over to
 * the work-item queue, where the next runtime on the hub finds them and completes the instance.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultStorageFactory } from '../../../../src/extensions/durable/default-storage';
import { taskCompleted, taskFailed } from '../../../../src/extensions/durable/engine';
import {
    orchestratorCompleted,
    orchestratorStarted,
    taskScheduled,
} from '../../../../src/extensions/durable/engine/events';
import { DEFAULT_DURABLE_CONFIG, type DurableConfig } from '../../../../src/extensions/durable/runtime/durable-config';
import { DurableRuntime } from '../../../../src/extensions/durable/runtime/durable-runtime';
import { unansweredTasks } from '../../../../src/extensions/durable/runtime/in-process-work-items';
import type { StorageFactory } from '../../../../src/extensions/durable/runtime/storage-factory';
import type {
    HistoryAppend,
    InstanceRecord,
    TaskHubStorage,
} from '../../../../src/extensions/durable/task-hub-port/task-hub-storage';
import { EventType, type HistoryEvent } from '../../../../src/shared/history';
import type { LoadedApp } from '../../../../src/shared/host-contracts';
import {
    startDurableHost,
    startOrchestration,
    waitForStatus,
    type DurableTestHost,
} from '../../../support/durable/durable-host';
import { clearHandOverMark } from '../../../support/durable/hand-over-mark';
import { silentLogger } from '../../../support/host/capture-logger';
import { uniqueHubName } from '../../../support/storage';
import { instanceRecord } from '../../../support/task-hub/instance-record';

const now = new Date('2026-01-01T00:00:00Z');
const squares = (count: number): number => Array.from({ length: count }, (_, n) => n * n).reduce((a, b) => a + b, 0);

describe('unansweredTasks', () => {
    it('lists the scheduled tasks that have an input and no result', () => {
        const events: HistoryEvent[] = [
            taskScheduled(0, 'a', '"x"', now),
            taskScheduled(1, 'b', '"y"', now),
            taskScheduled(2, 'c', '"z"', now),
            taskScheduled(3, 'queued', null, now),
            taskCompleted(0, '1', now),
            taskFailed(2, 'c', { message: 'no' }, now),
        ];
        expect(unansweredTasks(events).map((e) => [e.EventId, e.Name])).toEqual([[1, 'b']]);
    });
});

const counter = { sent: 0 };
let host: DurableTestHost;
const runtimes: DurableRuntime[] = [];
beforeAll(async () => {
    host = await startDurableHost('management', { createStorage: countingWorkItems(counter) });
});
afterAll(async () => {
    for (const runtime of runtimes) await runtime.stop();
    await host?.close();
});

/** Storage whose work-item sends are counted. */
function countingWorkItems(counter: { sent: number }): StorageFactory {
    return async (request) => {
        const storage: TaskHubStorage = await defaultStorageFactory(request);
        const sendWorkItem = storage.sendWorkItem.bind(storage);
        storage.sendWorkItem = (message, options) => {
            counter.sent++;
            return sendWorkItem(message, options);
        };
        const hidden = storage as TaskHubStorage & { sendHidden?: (q: string, ...rest: never[]) => Promise<unknown> };
        const sendHidden = hidden.sendHidden?.bind(storage);
        if (sendHidden)
            hidden.sendHidden = (queue: string, ...rest: never[]) => {
                if (queue === 'workItem') counter.sent++;
                return sendHidden(queue, ...rest);
            };
        return storage;
    };
}

it('runs a fan-out without a single work-item message, and history keeps each activity input', async () => {
    const started = await startOrchestration(host.origin, 'slowFanOut', { count: 40, delayMs: 0 });
    const done = await waitForStatus(started.statusQueryGetUri, 60_000, 50);
    expect(done).toMatchObject({ runtimeStatus: 'Completed', output: squares(40) });
    expect(counter.sent).toBe(0);
    const runtime = host.durable.runtime;
    if (!runtime) throw new Error('no runtime');
    const { events } = await runtime.storage.readHistory(started.id);
    // Each input as the work item carries it (DTFx's JSON array of the activity's parameters).
    const inputs = events.flatMap((e) => (e.EventType === EventType.TaskScheduled ? [e.Input] : []));
    expect(
        inputs
            .map((input) => (JSON.parse(input ?? 'null') as { n: number }[])[0]?.n)
            .sort((a, b) => Number(a) - Number(b)),
    ).toEqual(Array.from({ length: 40 }, (_, i) => i));
}, 90_000);

/** A runtime of the management fixture on `hubName`, started; stopped after all tests. */
async function startRuntime(hubName: string, config: Partial<DurableConfig> = {}): Promise<DurableRuntime> {
    const storage = await defaultStorageFactory({ env: process.env, hubName, partitionCount: 4 });
    const runtime = new DurableRuntime({
        app: host.host.app as unknown as LoadedApp,
        storage,
        config: { ...DEFAULT_DURABLE_CONFIG, hubName, ...config },
        logger: silentLogger,
    });
    runtimes.push(runtime);
    await runtime.start();
    return runtime;
}

async function waitForRow(runtime: DurableRuntime, id: string, status: string): Promise<InstanceRecord | undefined> {
    const deadline = Date.now() + 30_000;
    let record = await runtime.storage.readInstance(id);
    while (record?.runtimeStatus !== status && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 50));
        record = await runtime.storage.readInstance(id);
    }
    return record;
}

it('hands the activities a stopped runtime did not run over to the work-item queue, where the next runtime finds them', async () => {
    const hubName = uniqueHubName('InProc');
    const runtimeOnHub = (config: Partial<DurableConfig>): Promise<DurableRuntime> => startRuntime(hubName, config);
    // One activity slot and a stop that does not wait: most of the fan-out is scheduled and never run.
    const first = await runtimeOnHub({ maxConcurrentActivityFunctions: 1, shutdownTimeoutMs: 0 });
    const id = `inproc-${Date.now().toString(36)}`;
    await first.client.startNew('slowFanOut', { instanceId: id, input: JSON.stringify({ count: 12, delayMs: 200 }) });
    for (let i = 0; i < 200; i++) {
        const { events } = await first.storage.readHistory(id);
        if (events.some((e) => e.EventType === EventType.TaskScheduled)) break;
        await new Promise((resolve) => setTimeout(resolve, 25));
    }
    await first.stop();
    const left = unansweredTasks((await first.storage.readHistory(id)).events);
    expect(left.length).toBeGreaterThan(0);

    const second = await runtimeOnHub({});
    const deadline = Date.now() + 60_000;
    let record = await second.storage.readInstance(id);
    while (record?.runtimeStatus !== 'Completed' && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 50));
        record = await second.storage.readInstance(id);
    }
    expect(record?.runtimeStatus).toBe('Completed');
    expect(JSON.parse(record?.output ?? 'null')).toBe(squares(12));
}, 120_000);

it('repairs a row a crash left behind its history: the next runtime writes Completed from history', async () => {
    // A kill between the last history write and its row write: history says Completed, the row Running. An
    // in-process result has no queue copy that would come back and repair the row, so recovery must.
    const hubName = uniqueHubName('InProcRow');
    const first = await startRuntime(hubName);
    const id = `row-${Date.now().toString(36)}`;
    await first.client.startNew('order', { instanceId: id, input: JSON.stringify(7) });
    const completed = await waitForRow(first, id, 'Completed');
    expect(completed?.output).toBe(JSON.stringify('reserve:7>charge:7>ship:7'));
    await first.stop();
    await clearHandOverMark(first.storage);
    if (!completed) throw new Error('not completed');
    await first.storage.writeInstance({ ...completed, runtimeStatus: 'Running', output: null, completedTime: null });
    expect((await first.storage.readInstance(id))?.runtimeStatus).toBe('Running');

    const second = await startRuntime(hubName);
    const repaired = await waitForRow(second, id, 'Completed');
    expect(repaired).toMatchObject({ runtimeStatus: 'Completed', output: completed.output });
}, 60_000);

it('runs the scheduled tasks of an instance that has history and no row when its start message comes back', async () => {
    // A sub-orchestration's first checkpoint committed (ExecutionStarted, one TaskScheduled) and its process
    // died before the deferred row write: start-up recovery, which finds instances by their rows, cannot see
    // it. The parent's start message, never deleted, comes back; the dispatcher must run the task then.
    const hubName = uniqueHubName('InProcOrphan');
    const storage = await defaultStorageFactory({ env: process.env, hubName, partitionCount: 4 });
    await storage.createIfNotExists();
    const id = `orphan-${Date.now().toString(36)}`;
    const started: HistoryEvent = {
        EventType: EventType.ExecutionStarted,
        EventId: -1,
        IsPlayed: false,
        Timestamp: now.toISOString(),
        OrchestrationInstance: { InstanceId: id, ExecutionId: 'exec-1' },
        ParentInstance: null,
        Name: 'greet',
        Version: '',
        Input: JSON.stringify('orphan'),
        Tags: null,
        Correlation: null,
        ScheduledStartTime: null,
        Generation: 0,
    };
    await storage.appendHistory({
        instanceId: id,
        executionId: 'exec-1',
        startIndex: 0,
        etag: undefined,
        isCheckpointComplete: true,
        events: [
            orchestratorStarted(now),
            started,
            taskScheduled(0, 'hello', JSON.stringify(['orphan']), now),
            orchestratorCompleted(now),
        ],
    });
    await storage.sendControlMessage({
        Event: started,
        SequenceNumber: 0,
        OrchestrationInstance: { InstanceId: id, ExecutionId: 'exec-1' },
    });
    expect(await storage.readInstance(id)).toBeUndefined();

    const runtime = await startRuntime(hubName);
    const record = await waitForRow(runtime, id, 'Completed');
    expect(record).toMatchObject({ runtimeStatus: 'Completed', output: JSON.stringify('Hello, orphan!') });
}, 60_000);

/** A runtime on a fresh hub whose control-queue sends are counted (hidden sends go through the same call). */
async function runtimeCountingControlSends(hubName: string): Promise<{ runtime: DurableRuntime; sent: () => number }> {
    let sent = 0;
    const storage = await defaultStorageFactory({ env: process.env, hubName, partitionCount: 4 });
    const sendControl = storage.sendControlMessage.bind(storage);
    storage.sendControlMessage = (message, options) => {
        sent++;
        return sendControl(message, options);
    };
    const runtime = new DurableRuntime({
        app: host.host.app as unknown as LoadedApp,
        storage,
        config: { ...DEFAULT_DURABLE_CONFIG, hubName },
        logger: silentLogger,
    });
    runtimes.push(runtime);
    await runtime.start();
    return { runtime, sent: () => sent };
}

it('starts a new instance in memory without a control message; a restart of a finished one goes through the queue', async () => {
    const { runtime, sent } = await runtimeCountingControlSends(uniqueHubName('InProcStart'));
    const id = `fresh-${Date.now().toString(36)}`;
    await runtime.client.startNew('greet', { instanceId: id, input: JSON.stringify('first') });
    expect(await waitForRow(runtime, id, 'Completed')).toMatchObject({ output: JSON.stringify('Hello, first!') });
    expect(sent()).toBe(0);

    // The old execution's history and a Pending row could not tell recovery whether the new execution started.
    await runtime.client.startNew('greet', { instanceId: id, input: JSON.stringify('second') });
    const again = await waitForRow(runtime, id, 'Completed');
    expect(again?.input).toBe(JSON.stringify('second'));
    expect(again?.output).toBe(JSON.stringify('Hello, second!'));
    expect(sent()).toBe(1);
}, 60_000);

it('starts the instances a crashed process accepted and never ran: a Pending row without history', async () => {
    // A process that accepts starts and dies before any first checkpoint: its history writes fail, so all that
    // is left of each start is the Pending row (there is no control message behind it).
    const hubName = uniqueHubName('InProcPending');
    const doomed = await defaultStorageFactory({ env: process.env, hubName, partitionCount: 4 });
    doomed.appendHistory = () => Promise.reject(new Error('simulated crash before the first checkpoint'));
    const first = new DurableRuntime({
        app: host.host.app as unknown as LoadedApp,
        storage: doomed,
        config: { ...DEFAULT_DURABLE_CONFIG, hubName },
        logger: silentLogger,
    });
    await first.start();
    const stamp = Date.now().toString(36);
    const accepted = [`accepted-a-${stamp}`, `accepted-b-${stamp}`];
    for (const id of accepted) await first.client.startNew('greet', { instanceId: id, input: JSON.stringify(id) });
    await first.stop();
    for (const id of accepted) {
        expect((await doomed.readInstance(id))?.runtimeStatus).toBe('Pending');
        expect((await doomed.readHistory(id)).executionId).toBeNull();
    }

    // A Pending row without history whose start is a queue message (a scheduled start, or a start by the
    // provider) must be left to that message: recovery starting it would run it early or without its parent.
    const queued = `queued-${stamp}`;
    const inAnHour = new Date(Date.now() + 3_600_000);
    expect(
        await doomed.writeNewExecution(
            instanceRecord(queued, {
                executionId: 'exec-queued',
                name: 'greet',
                version: '',
                input: JSON.stringify(queued),
                runtimeStatus: 'Pending',
                createdTime: now,
                lastUpdatedTime: now,
                scheduledStartTime: inAnHour,
            }),
            undefined,
        ),
    ).toBe(true);

    const second = await startRuntime(hubName);
    for (const id of accepted) {
        const record = await waitForRow(second, id, 'Completed');
        expect(record).toMatchObject({ runtimeStatus: 'Completed', output: JSON.stringify(`Hello, ${id}!`) });
        const { events } = await second.storage.readHistory(id);
        expect(events.filter((e) => e.EventType === EventType.ExecutionStarted)).toHaveLength(1);
    }
    expect((await second.storage.readInstance(queued))?.runtimeStatus).toBe('Pending');
    expect((await second.storage.readHistory(queued)).executionId).toBeNull();
}, 60_000);

/**
 * A runtime of the management fixture on a fresh hub whose commits of a TaskScheduled go through `commit`
 * (which may hold or fail them), and whose app records each activity invocation.
 */
async function runtimeWithCommitHook(
    hubName: string,
    commit: (write: (request?: HistoryAppend) => Promise<string>, request: HistoryAppend) => Promise<string>,
): Promise<{ runtime: DurableRuntime; activityRuns: string[] }> {
    const storage = await defaultStorageFactory({ env: process.env, hubName, partitionCount: 4 });
    const appendHistory = storage.appendHistory.bind(storage);
    storage.appendHistory = (request) =>
        request.events.some((e) => e.EventType === EventType.TaskScheduled)
            ? commit((changed) => appendHistory(changed ?? request), request)
            : appendHistory(request);
    const activityRuns: string[] = [];
    const app = host.host.app as unknown as LoadedApp;
    const watched: LoadedApp = Object.create(app, {
        invoke: {
            value: (request: Parameters<LoadedApp['invoke']>[0]) => {
                activityRuns.push(request.functionName);
                return app.invoke(request);
            },
        },
    }) as LoadedApp;
    const runtime = new DurableRuntime({
        app: watched,
        storage,
        config: { ...DEFAULT_DURABLE_CONFIG, hubName },
        logger: silentLogger,
    });
    runtimes.push(runtime);
    await runtime.start();
    return { runtime, activityRuns };
}

it('starts an activity while the commit that schedules it is under way, and hands its result over only after it', async () => {
    // As the provider sends its work items before its history write: the activity overlaps the commit, and
    // the orchestration hears of its result only once the schedule is in history.
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => (release = resolve));
    let commitsStarted = 0;
    const { runtime, activityRuns } = await runtimeWithCommitHook(uniqueHubName('InProcEarly'), async (write) => {
        commitsStarted++;
        await held;
        return write();
    });
    const id = `early-${Date.now().toString(36)}`;
    await runtime.client.startNew('greet', { instanceId: id, input: JSON.stringify('early') });
    const deadline = Date.now() + 10_000;
    while (!activityRuns.includes('hello') && Date.now() < deadline)
        await new Promise((resolve) => setTimeout(resolve, 10));
    expect(commitsStarted).toBe(1);
    expect(activityRuns).toContain('hello');
    // The activity is done; its schedule is not in history yet, so neither is its result.
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect((await runtime.storage.readHistory(id)).events).toEqual([]);

    release();
    const record = await waitForRow(runtime, id, 'Completed');
    expect(record).toMatchObject({ runtimeStatus: 'Completed', output: JSON.stringify('Hello, early!') });
    expect(activityRuns.filter((name) => name === 'hello')).toHaveLength(1);
}, 60_000);

it('runs an activity again when the commit of its schedule failed: history keeps one schedule and one result', async () => {
    let failures = 0;
    const { runtime, activityRuns } = await runtimeWithCommitHook(uniqueHubName('InProcDrop'), async (write) => {
        if (failures === 0) {
            failures++;
            // Fails after the activity had time to finish: its result must not reach the orchestration.
            await new Promise((resolve) => setTimeout(resolve, 200));
            throw new Error('storage unavailable');
        }
        return write();
    });
    const id = `drop-${Date.now().toString(36)}`;
    await runtime.client.startNew('greet', { instanceId: id, input: JSON.stringify('again') });
    const record = await waitForRow(runtime, id, 'Completed');
    expect(record).toMatchObject({ runtimeStatus: 'Completed', output: JSON.stringify('Hello, again!') });
    expect(failures).toBe(1);
    // At least once: the dropped schedule's run and the one the retried episode scheduled.
    expect(activityRuns.filter((name) => name === 'hello')).toHaveLength(2);
    const { events } = await runtime.storage.readHistory(id);
    expect(events.filter((e) => e.EventType === EventType.TaskScheduled)).toHaveLength(1);
    expect(events.filter((e) => e.EventType === EventType.TaskCompleted)).toHaveLength(1);
}, 60_000);

it('applies the results of tasks whose schedules a checkpoint committed in part before it failed', async () => {
    // A checkpoint of several transactions (over 99 rows) that fails after the first: history keeps the
    // committed prefix (some TaskScheduled events), the start message is then a duplicate, and only the
    // results of the tasks in the prefix can move the instance on. Here the prefix is written by hand.
    let failures = 0;
    const { runtime, activityRuns } = await runtimeWithCommitHook(
        uniqueHubName('InProcPrefix'),
        async (write, request) => {
            if (failures > 0) return write();
            failures++;
            // OrchestratorStarted, ExecutionStarted and the first two of five TaskScheduled, as a first transaction.
            await write({ ...request, events: request.events.slice(0, 4), isCheckpointComplete: false });
            throw new Error('storage unavailable after the first transaction');
        },
    );
    const id = `prefix-${Date.now().toString(36)}`;
    await runtime.client.startNew('slowFanOut', { instanceId: id, input: JSON.stringify({ count: 5, delayMs: 0 }) });
    const record = await waitForRow(runtime, id, 'Completed');
    expect(record).toMatchObject({ runtimeStatus: 'Completed', output: JSON.stringify(squares(5)) });
    expect(failures).toBe(1);
    expect(activityRuns.length).toBeGreaterThanOrEqual(5);
    const { events } = await runtime.storage.readHistory(id);
    expect(events.filter((e) => e.EventType === EventType.TaskScheduled)).toHaveLength(5);
    expect(events.filter((e) => e.EventType === EventType.TaskCompleted)).toHaveLength(5);
}, 60_000);
