import { randomBytes, randomUUID } from 'node:crypto';
import { gunzipSync, gzipSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import type { InstanceRecord } from '../../../../src/extensions/durable/task-hub-port/task-hub-storage';
import {
    dtfxTimestamp,
    EventType,
    RuntimeStatus,
    type HistoryEvent,
    type TaskMessage,
} from '../../../../src/shared/history';
import { createTestHub, type TestHub } from '../../../support/task-hub/hub-fixture';
import { instanceRecord } from '../../../support/task-hub/instance-record';

let hub: TestHub;
beforeAll(async () => {
    hub = await createTestHub();
});

/** About 5 MB of JSON that gzip cannot shrink much. */
const FIVE_MB_INPUT = JSON.stringify({ blob: randomBytes(3_750_000).toString('base64') });

function started(instanceId: string, input: string): HistoryEvent {
    return {
        EventType: EventType.ExecutionStarted,
        EventId: -1,
        IsPlayed: false,
        Timestamp: dtfxTimestamp(new Date()),
        OrchestrationInstance: { InstanceId: instanceId, ExecutionId: 'exec-1' },
        ParentInstance: null,
        Name: 'order_processing',
        Version: null,
        Input: input,
        Tags: null,
        Correlation: null,
        ScheduledStartTime: null,
        Generation: 0,
    };
}

function instance(instanceId: string, input: string, runtimeStatus: InstanceRecord['runtimeStatus']): InstanceRecord {
    return instanceRecord(instanceId, { input, runtimeStatus, createdTime: new Date(), lastUpdatedTime: new Date() });
}

async function blobNames(prefix: string): Promise<string[]> {
    const names: string[] = [];
    const container = hub.blobs.getContainerClient(`${hub.hubName.toLowerCase()}-largemessages`);
    for await (const blob of container.listBlobsFlat({ prefix })) names.push(blob.name);
    return names;
}

async function blobText(name: string): Promise<string> {
    const container = hub.blobs.getContainerClient(`${hub.hubName.toLowerCase()}-largemessages`);
    return gunzipSync(await container.getBlobClient(name).downloadToBuffer()).toString('utf8');
}

describe('large payloads in <hub>-largemessages', () => {
    it('carries a 5 MB input intact through an instance row, a history row and a queue message', async () => {
        const id = 'big-1';
        const partition = hub.storage.partitionOf(id);

        await hub.storage.sendControlMessage({
            Event: started(id, FIVE_MB_INPUT),
            SequenceNumber: 0,
            OrchestrationInstance: { InstanceId: id, ExecutionId: 'exec-1' },
        });
        await hub.storage.writeInstance(instance(id, FIVE_MB_INPUT, 'Pending'));
        const [message] = await hub.storage.receiveControlMessages(partition, 32, 30);
        expect(message?.message.Event).toMatchObject({ EventType: EventType.ExecutionStarted, Input: FIVE_MB_INPUT });

        const etag = await hub.storage.appendHistory({
            instanceId: id,
            executionId: 'exec-1',
            startIndex: 0,
            events: [started(id, FIVE_MB_INPUT)],
            etag: undefined,
        });
        expect(etag).toBeTruthy();
        await hub.storage.writeInstance(instance(id, FIVE_MB_INPUT, 'Running'));

        expect((await hub.storage.readHistory(id)).events[0]).toMatchObject({ Input: FIVE_MB_INPUT });
        expect((await hub.storage.readInstance(id))?.input).toBe(FIVE_MB_INPUT);
        await hub.storage.deleteMessage(message!);
    });

    it('uses the provider blob names and columns, with gzip content', async () => {
        const id = 'names^1';
        const queueBody = 'q'.repeat(50 * 1024);
        const message: TaskMessage = {
            Event: {
                EventType: EventType.EventRaised,
                EventId: -1,
                IsPlayed: false,
                Timestamp: dtfxTimestamp(new Date()),
                Name: 'big',
                Input: JSON.stringify(queueBody),
            },
            SequenceNumber: 0,
            OrchestrationInstance: { InstanceId: id, ExecutionId: 'e' },
        };
        await hub.storage.sendControlMessage(message);
        const queue = hub.queues.getQueueClient(hub.storage.controlQueueName(hub.storage.partitionOf(id)));
        const wrapper = JSON.parse((await queue.peekMessages()).peekedMessageItems[0]?.messageText ?? '{}') as Record<
            string,
            unknown
        >;
        expect(wrapper).toMatchObject({ $type: 'DurableTask.AzureStorage.MessageData', TaskMessage: null });
        expect(String(wrapper.CompressedBlobName)).toMatch(/^names\^1\/message-[0-9a-f]{32}-EventRaised\.json\.gz$/);
        expect(JSON.parse(await blobText(String(wrapper.CompressedBlobName)))).toMatchObject({
            TaskMessage: { Event: { Name: 'big' } },
        });

        const large = 'r'.repeat(40_000);
        const failure = {
            ErrorType: 'Error',
            ErrorMessage: 'e'.repeat(40_000),
            StackTrace: null,
            InnerFailure: null,
            IsNonRetriable: false,
        };
        const events: HistoryEvent[] = [
            {
                EventType: EventType.TaskCompleted,
                EventId: -1,
                IsPlayed: false,
                Timestamp: dtfxTimestamp(new Date()),
                TaskScheduledId: 0,
                Result: large,
            },
            {
                EventType: EventType.ExecutionCompleted,
                EventId: 1,
                IsPlayed: false,
                Timestamp: dtfxTimestamp(new Date()),
                OrchestrationStatus: RuntimeStatus.Failed,
                Result: null,
                FailureDetails: failure,
            },
        ];
        await hub.storage.appendHistory({ instanceId: id, executionId: 'e', startIndex: 0, events, etag: undefined });
        const rows = hub.table(`${hub.hubName}History`).listEntities<Record<string, unknown>>();
        const byKey = new Map<string, Record<string, unknown>>();
        for await (const row of rows) if (row.partitionKey === 'names^^1') byKey.set(row.rowKey ?? '', row);
        const completed = byKey.get('0000000000000000') ?? {};
        expect(completed.Result).toBe('');
        expect(String(completed.ResultBlobName)).toMatch(
            /^names\^\^1\/history-0000000000000000-TaskCompleted-[0-9A-F]{8}-Result\.json\.gz$/,
        );
        expect(await blobText(String(completed.ResultBlobName))).toBe(large);
        expect(String(byKey.get('0000000000000001')?.FailureDetailsBlobName)).toMatch(
            /-ExecutionCompleted-[0-9A-F]{8}-FailureDetails\.json\.gz$/,
        );
        expect((await hub.storage.readHistory(id)).events).toEqual(events);
    });

    it('switches to a blob just above 60 KiB of UTF-16 (30,720 characters)', async () => {
        const fits = 'a'.repeat(30_720);
        const over = 'a'.repeat(30_721);
        await hub.storage.writeInstance(instance('limit-fits', fits, 'Running'));
        await hub.storage.writeInstance(instance('limit-over', over, 'Running'));
        const table = hub.table(`${hub.hubName}Instances`);
        expect((await table.getEntity<Record<string, unknown>>('limit-fits', '')).Input).toBe(fits);
        const overRow = await table.getEntity<Record<string, unknown>>('limit-over', '');
        const url = String(overRow.Input);
        expect(url).toMatch(
            new RegExp(
                `/${hub.hubName.toLowerCase()}-largemessages/limit-over/history--Input-[0-9A-F]{8}-Input\\.json\\.gz$`,
            ),
        );
        expect((await hub.storage.readInstance('limit-over'))?.input).toBe(over);
    });

    it('stores the Pending row as "" plus InputBlobName, and reuses the blob for later checkpoints', async () => {
        const id = 'pending-big';
        const input = 'p'.repeat(100_000);
        await hub.storage.writeInstance(instance(id, input, 'Pending'));
        const row = await hub.table(`${hub.hubName}Instances`).getEntity<Record<string, unknown>>(id, '');
        expect(row.Input).toBe('');
        expect(String(row.InputBlobName)).toMatch(/^pending-big\/history--Input-[0-9A-F]{8}-Input\.json\.gz$/);
        expect((await hub.storage.readInstance(id))?.input).toBe(input);

        const before = hub.storage.stats.blobOps;
        await hub.storage.writeInstance(instance(id, input, 'Running'));
        await hub.storage.writeInstance(instance(id, input, 'Running'));
        expect(hub.storage.stats.blobOps).toBe(before);
        expect((await hub.storage.readInstance(id))?.input).toBe(input);
    });

    it('reads a provider-written instance row whose Input is the URL of an ExecutionStarted message blob', async () => {
        const id = 'from-provider';
        const input = JSON.stringify('z'.repeat(70_000));
        const container = hub.blobs.getContainerClient(`${hub.hubName.toLowerCase()}-largemessages`);
        const blobName = `${id}/message-${randomUUID().replace(/-/g, '')}-ExecutionStarted.json.gz`;
        const messageData = {
            TaskMessage: {
                Event: { ...started(id, input) },
                SequenceNumber: 0,
                OrchestrationInstance: { InstanceId: id, ExecutionId: 'exec-1' },
            },
        };
        await container.getBlockBlobClient(blobName).uploadData(gzipSync(JSON.stringify(messageData)));
        await hub.table(`${hub.hubName}Instances`).upsertEntity({
            partitionKey: id,
            rowKey: '',
            ExecutionId: 'exec-1',
            Name: 'order_processing',
            Input: container.getBlobClient(blobName).url,
            CustomStatus: 'null',
            CreatedTime: new Date(),
            LastUpdatedTime: new Date(),
            RuntimeStatus: 'Running',
            Generation: 0,
        });
        expect((await hub.storage.readInstance(id))?.input).toBe(input);
    });

    it('purges every blob of the instance with its rows', async () => {
        const id = 'purge-big';
        await hub.storage.sendControlMessage({
            Event: started(id, FIVE_MB_INPUT),
            SequenceNumber: 0,
            OrchestrationInstance: { InstanceId: id, ExecutionId: 'exec-1' },
        });
        await hub.storage.writeInstance(instance(id, 'x'.repeat(40_000), 'Pending'));
        await hub.storage.appendHistory({
            instanceId: id,
            executionId: 'exec-1',
            startIndex: 0,
            events: [started(id, FIVE_MB_INPUT)],
            etag: undefined,
        });
        expect((await blobNames(`${id}/`)).length).toBeGreaterThanOrEqual(3);
        expect(await hub.storage.purgeInstance(id)).toBe(true);
        expect(await blobNames(`${id}/`)).toEqual([]);
        expect(await hub.storage.readInstance(id)).toBeUndefined();
    });
});
