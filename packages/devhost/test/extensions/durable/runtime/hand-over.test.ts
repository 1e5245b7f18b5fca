/**
 * A graceful stop hands the work a devhost kept in memory only (in-process-work-items.ts: starts, work items,
 * results) over to the queues the provider reads (durable-runtime.ts stop), so `func start`, the deployed app or
 * the next devhost on the hub finds it there; and the devhost runs what the provider puts on a control queue.
 * On Azurite, with the management fixture.
 */
import { randomUUID } from 'node:crypto';
import { QueueServiceClient } from '@azure/storage-queue';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { controlQueueName } from '../../../../src/extensions/durable/azure-storage/hub-resources';
import { parseMessageData } from '../../../../src/extensions/durable/azure-storage/message-envelope';
import { defaultStorageFactory } from '../../../../src/extensions/durable/default-storage';
import { DEFAULT_DURABLE_CONFIG, type DurableConfig } from '../../../../src/extensions/durable/runtime/durable-config';
import { DurableRuntime } from '../../../../src/extensions/durable/runtime/durable-runtime';
import { unansweredTasks } from '../../../../src/extensions/durable/runtime/in-process-work-items';
import type { InstanceRecord, TaskHubStorage } from '../../../../src/extensions/durable/task-hub-port/task-hub-storage';
import { EventType, type TaskMessage } from '../../../../src/shared/history';
import type { LoadedApp } from '../../../../src/shared/host-contracts';
import { allRows } from '../../../../src/testing/hub-invariants';
import { pollUntil } from '../../../../src/testing/poll-until';
import { startDurableHost, type DurableTestHost } from '../../../support/durable/durable-host';
import { silentLogger } from '../../../support/host/capture-logger';
import { azuriteConnectionString, uniqueHubName } from '../../../support/storage';

const PARTITIONS = 4;
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

let host: DurableTestHost;
const runtimes: DurableRuntime[] = [];
beforeAll(async () => {
    host = await startDurableHost('management');
});
afterAll(async () => {
    for (const runtime of runtimes) await runtime.stop();
    await host?.close();
});

async function hubStorage(hubName: string): Promise<TaskHubStorage> {
    return defaultStorageFactory({ env: process.env, hubName, partitionCount: PARTITIONS });
}

async function startRuntime(hubName: string, config: Partial<DurableConfig> = {}): Promise<DurableRuntime> {
    const runtime = new DurableRuntime({
        app: host.host.app as unknown as LoadedApp,
        storage: await hubStorage(hubName),
        config: { ...DEFAULT_DURABLE_CONFIG, hubName, partitionCount: PARTITIONS, ...config },
        logger: silentLogger,
    });
    runtimes.push(runtime);
    await runtime.start();
    return runtime;
}

interface QueuedMessage {
    queue: 'control' | 'workitems';
    body: string;
    message: TaskMessage;
}

/**
 * Every message on the hub's queues, as a provider would receive it: each is received with a short visibility
 * timeout until the queues are empty, so they are all back, visible, a moment later.
 */
async function everyQueuedMessage(hubName: string): Promise<QueuedMessage[]> {
    const service = QueueServiceClient.fromConnectionString(azuriteConnectionString());
    const queues = [
        ...Array.from({ length: PARTITIONS }, (_, p) => ({
            name: controlQueueName(hubName, p),
            kind: 'control' as const,
        })),
        { name: `${hubName.toLowerCase()}-workitems`, kind: 'workitems' as const },
    ];
    const found: QueuedMessage[] = [];
    for (const { name, kind } of queues) {
        const queue = service.getQueueClient(name);
        for (;;) {
            const { receivedMessageItems } = await queue.receiveMessages({
                numberOfMessages: 32,
                visibilityTimeout: 2,
            });
            if (receivedMessageItems.length === 0) break;
            for (const item of receivedMessageItems) {
                const parsed = parseMessageData(item.messageText);
                if (parsed.kind !== 'inline') throw new Error(`a large message in ${name}: not expected here`);
                found.push({ queue: kind, body: item.messageText, message: parsed.message });
            }
        }
    }
    return found;
}

/** What the provider would need to go on with `row`, and does not find on the queues. */
async function missingForProvider(
    storage: TaskHubStorage,
    row: InstanceRecord,
    queued: readonly QueuedMessage[],
): Promise<string[]> {
    const forIt = queued.filter((q) => q.message.OrchestrationInstance.InstanceId === row.instanceId);
    if (row.runtimeStatus === 'Pending') {
        const start = forIt.some(
            (q) =>
                q.queue === 'control' &&
                q.message.Event.EventType === EventType.ExecutionStarted &&
                q.message.OrchestrationInstance.ExecutionId === row.executionId,
        );
        return start ? [] : [`${row.instanceId}: Pending, and no ExecutionStarted on its control queue`];
    }
    const { events } = await storage.readHistory(row.instanceId);
    return unansweredTasks(events).flatMap((task) => {
        const workItem = forIt.some(
            (q) =>
                q.queue === 'workitems' &&
                q.message.Event.EventType === EventType.TaskScheduled &&
                q.message.Event.EventId === task.EventId,
        );
        const result = forIt.some(
            (q) =>
                q.queue === 'control' &&
                (q.message.Event.EventType === EventType.TaskCompleted ||
                    q.message.Event.EventType === EventType.TaskFailed) &&
                q.message.Event.TaskScheduledId === task.EventId,
        );
        return workItem || result
            ? []
            : [`${row.instanceId}: task ${task.EventId} has neither a work item nor a result`];
    });
}

it('hands the work of a graceful stop in the middle of a burst of starts over to the queues the provider reads', async () => {
    const hubName = uniqueHubName('HandOver');
    // Two activity slots and a stop that does not wait for running activities: most of the work is in memory.
    const first = await startRuntime(hubName, { maxConcurrentActivityFunctions: 2, shutdownTimeoutMs: 0 });
    const ids = Array.from({ length: 24 }, (_, i) => `burst-${i}-${randomUUID().slice(0, 8)}`);
    // Starts keep arriving while the stop runs; one that the stopping runtime refuses is simply not accepted.
    const starts = ids.map((id, i) =>
        sleep(i * 10).then(() =>
            first.client
                .startNew('slowFanOut', { instanceId: id, input: JSON.stringify({ count: 3, delayMs: 150 }) })
                .then(
                    () => id,
                    () => undefined,
                ),
        ),
    );
    await sleep(120);
    await first.stop();
    const accepted = (await Promise.all(starts)).filter((id): id is string => id !== undefined);
    // Activities the stop did not wait for finish and hand their results over after it.
    await sleep(400);

    const storage = await hubStorage(hubName);
    const queued = await everyQueuedMessage(hubName);
    const unfinished = (await allRows(storage)).filter((r) => ['Pending', 'Running'].includes(r.runtimeStatus));
    expect(unfinished.length).toBeGreaterThan(0);
    const missing = (await Promise.all(unfinished.map((row) => missingForProvider(storage, row, queued)))).flat();
    expect(missing).toEqual([]);
    // "The current execution" is null on the wire, never "" (the provider reads "" as an execution of that id).
    // (A client's Sender is "" and "": AzureStorageOrchestrationService.EmptySourceInstance.)
    expect(queued.filter((q) => q.message.OrchestrationInstance.ExecutionId === '').map((q) => q.body)).toEqual([]);

    // The next holder of the hub finds the hand-over mark, skips recovery, and finishes everything from the queues.
    const second = await startRuntime(hubName);
    expect(second.recovery.listing).toBe('not started');
    const rows = await pollUntil(
        async () => Promise.all(accepted.map((id) => storage.readInstance(id))),
        (found) => found.every((row) => row?.runtimeStatus === 'Completed'),
        60_000,
        100,
    );
    expect(rows.map((row) => [row?.runtimeStatus, row?.output])).toEqual(
        accepted.map(() => ['Completed', JSON.stringify(0 + 1 + 4)]),
    );
}, 120_000);

it('runs a sub-orchestration start the provider sent, with a null Generation and the parent as sender', async () => {
    const hubName = uniqueHubName('ProviderStart');
    const runtime = await startRuntime(hubName);
    const child = `child-${randomUUID().slice(0, 8)}`;
    const childExecution = randomUUID().replaceAll('-', '');
    const parent = { $type: 'DurableTask.Core.OrchestrationInstance', InstanceId: 'parent-1', ExecutionId: 'p-exec' };
    const instance = {
        $type: 'DurableTask.Core.OrchestrationInstance',
        InstanceId: child,
        ExecutionId: childExecution,
    };
    // As TaskOrchestrationDispatcher.ProcessCreateSubOrchestrationInstanceDecision builds it (no Generation) and
    // MessageManager serializes it (Newtonsoft, TypeNameHandling.Objects); the queue is the child's partition.
    const body = JSON.stringify({
        $type: 'DurableTask.AzureStorage.MessageData',
        ActivityId: randomUUID(),
        TaskMessage: {
            $type: 'DurableTask.Core.TaskMessage',
            Event: {
                $type: 'DurableTask.Core.History.ExecutionStartedEvent',
                OrchestrationInstance: instance,
                EventType: 0,
                ParentInstance: {
                    $type: 'DurableTask.Core.ParentInstance',
                    Name: 'parentOfGreet',
                    OrchestrationInstance: parent,
                    TaskScheduleId: 0,
                    Version: '',
                },
                Name: 'greet',
                Version: '',
                Input: JSON.stringify('from the provider'),
                Tags: null,
                Correlation: null,
                ParentTraceContext: null,
                ScheduledStartTime: null,
                Generation: null,
                EventId: -1,
                IsPlayed: false,
                Timestamp: '2026-12-07T10:00:00.0000000Z',
            },
            SequenceNumber: 0,
            OrchestrationInstance: instance,
        },
        CompressedBlobName: null,
        SequenceNumber: 1,
        Episode: 1,
        Sender: parent,
        SerializableTraceContext: null,
    });
    const partition = runtime.storage.partitionOf(child);
    const service = QueueServiceClient.fromConnectionString(azuriteConnectionString());
    await service.getQueueClient(controlQueueName(hubName, partition)).sendMessage(body);

    const row = await pollUntil(
        () => runtime.storage.readInstance(child),
        (found) => found?.runtimeStatus === 'Completed',
        30_000,
        50,
    );
    expect(row).toMatchObject({ runtimeStatus: 'Completed', output: JSON.stringify('Hello, from the provider!') });
    const { events } = await runtime.storage.readHistory(child);
    const started = events.find((e) => e.EventType === EventType.ExecutionStarted);
    expect(started).toMatchObject({ Generation: null, ParentInstance: { Name: 'parentOfGreet' } });
}, 60_000);
