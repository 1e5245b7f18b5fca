/**
 * The checkpoint's failure paths, on an in-memory hub with a minimal app (an orchestrator that completes at
 * once with its input): a lost ETag race, a lost row write after the history commit, and a redelivered
 * duplicate. Each must converge to one completed instance with one history.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_DURABLE_CONFIG } from '../../../../src/extensions/durable/runtime/durable-config';
import { DurableRuntime } from '../../../../src/extensions/durable/runtime/durable-runtime';
import {
    CheckpointConflictError,
    type HistoryAppend,
    type InstanceRecord,
} from '../../../../src/extensions/durable/task-hub-port/task-hub-storage';
import { EventType } from '../../../../src/shared/history';
import type { InvokeRequest, LoadedApp } from '../../../../src/shared/host-contracts';
import { MemoryTaskHub } from '../../../../src/testing/memory-task-hub';
import { silentLogger } from '../../../support/host/capture-logger';

/** One orchestrator, `echo`, that returns its input in the first episode (an OrchestratorState as the SDK writes it). */
function echoApp(): LoadedApp {
    const trigger = {
        name: 'orchestrationTrigger1',
        binding: { type: 'orchestrationTrigger', direction: 'in' as const },
    };
    return {
        appDir: '/nowhere',
        hostJson: {},
        functions: new Map([['echo', { name: 'echo', bindings: { orchestrationTrigger1: trigger.binding }, trigger }]]),
        invoke: (request: InvokeRequest) => {
            const payload = JSON.parse(request.inputData[0]?.data.string ?? '{}') as { input: unknown };
            const state = { isDone: true, actions: [[]], output: payload.input, schemaVersion: 2 };
            return Promise.resolve({
                status: 'success',
                invocationId: 'x',
                returnValue: { json: JSON.stringify(state) },
                outputData: [],
            });
        },
        terminate: () => Promise.resolve(),
    };
}

let runtime: DurableRuntime | undefined;

afterEach(async () => {
    await runtime?.stop();
    runtime = undefined;
});

function start(hub: MemoryTaskHub): DurableRuntime {
    runtime = new DurableRuntime({
        app: echoApp(),
        storage: hub,
        config: { ...DEFAULT_DURABLE_CONFIG, hubName: hub.hubName, maxQueuePollingIntervalMs: 100 },
        logger: silentLogger,
    });
    return runtime;
}

async function until(
    read: () => Promise<InstanceRecord | undefined>,
    status: string,
    timeoutMs = 8000,
): Promise<InstanceRecord> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
        const record = await read();
        if (record?.runtimeStatus === status) return record;
        if (Date.now() > deadline) throw new Error(`not ${status}: ${JSON.stringify(record)}`);
        await new Promise((resolve) => setTimeout(resolve, 20));
    }
}

async function drained(hub: MemoryTaskHub): Promise<void> {
    for (let i = 0; i < 200 && hub.messageCount() > 0; i++) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(hub.messageCount()).toBe(0);
}

describe('checkpoint failure paths', () => {
    it('completes normally', async () => {
        const hub = new MemoryTaskHub('CrashA');
        const rt = start(hub);
        await rt.start();
        const record = await rt.client.startNew('echo', { input: '{"n":1}' });
        const done = await until(() => hub.readInstance(record.instanceId), 'Completed');
        expect(done.output).toBe('{"n":1}');
        await drained(hub);
    });

    it('a lost ETag race drops the episode; the redelivered messages complete the instance once', async () => {
        const hub = new MemoryTaskHub('CrashB');
        const append = hub.appendHistory.bind(hub);
        let failures = 1;
        hub.appendHistory = (a: HistoryAppend) =>
            failures-- > 0 ? Promise.reject(new CheckpointConflictError(a.instanceId)) : append(a);
        const rt = start(hub);
        await rt.start();
        const record = await rt.client.startNew('echo', { input: '2' });
        const done = await until(() => hub.readInstance(record.instanceId), 'Completed');
        expect(done.output).toBe('2');
        const history = await hub.readHistory(record.instanceId);
        expect(history.events.filter((e) => e.EventType === EventType.ExecutionStarted)).toHaveLength(1);
        expect(history.events.filter((e) => e.EventType === EventType.ExecutionCompleted)).toHaveLength(1);
        await drained(hub);
    });

    it('a row write lost after the history commit is repaired when the messages come back', async () => {
        const hub = new MemoryTaskHub('CrashC');
        const write = hub.writeInstance.bind(hub);
        let failures = 1;
        hub.writeInstance = (r: InstanceRecord) =>
            r.runtimeStatus === 'Completed' && failures-- > 0
                ? Promise.reject(new Error('storage unavailable'))
                : write(r);
        const rt = start(hub);
        await rt.start();
        const record = await rt.client.startNew('echo', { input: '3' });
        const done = await until(() => hub.readInstance(record.instanceId), 'Completed');
        expect(done.output).toBe('3');
        const history = await hub.readHistory(record.instanceId);
        expect(history.events.filter((e) => e.EventType === EventType.ExecutionCompleted)).toHaveLength(1);
        await drained(hub);
    });

    it('a duplicate delivery after completion is discarded and deleted', async () => {
        const hub = new MemoryTaskHub('CrashD');
        const rt = start(hub);
        await rt.start();
        const record = await rt.client.startNew('echo', { input: '4' });
        await until(() => hub.readInstance(record.instanceId), 'Completed');
        const before = (await hub.readHistory(record.instanceId)).events.length;
        // The same ExecutionStarted again, as a crash between the history write and the delete would leave it.
        const started = (await hub.readHistory(record.instanceId)).events.find(
            (e) => e.EventType === EventType.ExecutionStarted,
        );
        expect(started).toBeDefined();
        if (!started) return;
        await hub.sendControlMessage({
            Event: started,
            SequenceNumber: 0,
            OrchestrationInstance: { InstanceId: record.instanceId, ExecutionId: record.executionId },
        });
        await drained(hub);
        expect((await hub.readHistory(record.instanceId)).events.length).toBe(before);
        expect((await hub.readInstance(record.instanceId))?.runtimeStatus).toBe('Completed');
    });
});
