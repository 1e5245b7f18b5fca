/**
 * Devhost → provider: what the devhost writes to a task hub has the exact shape the Durable Task Azure Storage
 * provider writes (test/support/task-hub/provider-golden.ts), so the real extension can take over the hub.
 */
import { odata } from '@azure/data-tables';
import { beforeAll, describe, expect, it } from 'vitest';
import { escapeDataString } from '../../../../src/extensions/durable/azure-storage/large-payloads';
import { newtonsoftDateTime } from '../../../../src/extensions/durable/azure-storage/message-envelope';
import { entityRequestMessage, requestMessageText } from '../../../../src/extensions/durable/engine/entity-protocol';
import { orchestratorCompleted, orchestratorStarted } from '../../../../src/extensions/durable/engine/events';
import {
    eventRaisedMessage,
    executionStartedEvent,
    executionStartedMessage,
    terminateMessage,
} from '../../../../src/extensions/durable/engine/messages';
import { createTestHub, type TestHub } from '../../../support/task-hub/hub-fixture';
import { instanceRecord } from '../../../support/task-hub/instance-record';
import {
    clientSignalRequestJson,
    eventRaisedEventJson,
    executionStartedEventJson,
    executionTerminatedEventJson,
    gunzipText,
    largeMessageBlobName,
    messageDataJson,
    pendingInstanceRow,
    PROVIDER_EXECUTION_STARTED_COLUMNS,
    wrapperMessageDataJson,
} from '../../../support/task-hub/provider-golden';

let hub: TestHub;
beforeAll(async () => {
    hub = await createTestHub();
});

const now = new Date('2024-05-06T07:08:09.120Z');
/** Newtonsoft drops the trailing zeros of the 7 fractional digits. */
const stamp = '2024-05-06T07:08:09.12Z';

/** Takes the one message on the instance's control queue, raw, and deletes it. */
async function takeRaw(instanceId: string): Promise<string> {
    const queue = hub.queues.getQueueClient(hub.storage.controlQueueName(hub.storage.partitionOf(instanceId)));
    const received = await queue.receiveMessages({ numberOfMessages: 32 });
    const mine = received.receivedMessageItems.filter((m) => m.messageText.includes(JSON.stringify(instanceId)));
    expect(mine).toHaveLength(1);
    const [item] = mine;
    if (!item) throw new Error('no message');
    await queue.deleteMessage(item.messageId, item.popReceipt);
    return item.messageText;
}

/** What the body says of itself that the provider makes fresh per message (ActivityId, SequenceNumber). */
function envelopeOf(body: string): { activityId: string; sequenceNumber: number } {
    const parsed = JSON.parse(body) as { ActivityId: string; SequenceNumber: number };
    return { activityId: parsed.ActivityId, sequenceNumber: parsed.SequenceNumber };
}

function userColumns(row: Record<string, unknown>): string[] {
    return Object.keys(row)
        .filter((k) => !['partitionKey', 'rowKey', 'etag', 'timestamp', 'odata.metadata'].includes(k))
        .filter((k) => !k.endsWith('@odata.type'))
        .sort();
}

describe('devhost writes what the provider writes', () => {
    // MessageData.cs / TaskHubQueue.AddMessageAsync / TaskHubClient.InternalCreateOrchestrationInstanceWithRaisedEventAsync;
    // AzureTableTrackingStore.SetNewExecutionAsync for the row.
    it('a client start is the provider ExecutionStarted body, byte for byte, and the provider Pending row', async () => {
        const id = 'golden-start';
        await hub.storage.sendControlMessage(
            executionStartedMessage({
                instanceId: id,
                executionId: 'e1',
                name: 'flow',
                input: { n: 1 },
                generation: 0,
                now,
            }),
        );
        const body = await takeRaw(id);
        const { activityId, sequenceNumber } = envelopeOf(body);
        // TaskHubQueue: Interlocked.Increment on a static counter, so a process's first message is 1.
        expect(sequenceNumber).toBe(1);
        expect(body).toBe(
            messageDataJson({
                activityId,
                sequenceNumber,
                instanceId: id,
                executionId: 'e1',
                eventJson: executionStartedEventJson({
                    instanceId: id,
                    executionId: 'e1',
                    name: 'flow',
                    input: '{"n":1}',
                    generation: 0,
                    timestamp: stamp,
                }),
            }),
        );

        await hub.storage.writeNewExecution(
            instanceRecord(id, {
                executionId: 'e1',
                name: 'flow',
                version: '',
                input: '{"n":1}',
                runtimeStatus: 'Pending',
                createdTime: now,
                lastUpdatedTime: now,
            }),
            undefined,
        );
        const row = await hub.table(`${hub.hubName}Instances`).getEntity<Record<string, unknown>>(id, '');
        const expected = pendingInstanceRow({
            instanceId: id,
            executionId: 'e1',
            name: 'flow',
            input: '{"n":1}',
            hubName: hub.hubName,
            created: now,
            generation: 0,
        });
        expect(userColumns(row)).toEqual(userColumns(expected));
        expect(row).toMatchObject({ RuntimeStatus: 'Pending', Generation: 0, Tags: 'null', Version: '' });
    });

    // TaskOrchestrationDispatcher.ProcessCreateSubOrchestrationInstanceDecision; MessageData.Episode / Sender.
    it('a sub-orchestration start carries ParentInstance, "Generation": null, the parent as Sender and its Episode', async () => {
        const child = 'golden-child';
        const parent = { InstanceId: 'golden-parent', ExecutionId: 'pe' };
        await hub.storage.sendControlMessage(
            executionStartedMessage({
                instanceId: child,
                executionId: 'ce',
                name: 'childFlow',
                input: 7,
                parent: { Name: 'parentFlow', Version: '', TaskScheduleId: 3, OrchestrationInstance: parent },
                now,
            }),
            { origin: { sender: parent, episode: 2 } },
        );
        const body = await takeRaw(child);
        const { activityId, sequenceNumber } = envelopeOf(body);
        expect(body).toBe(
            messageDataJson({
                activityId,
                sequenceNumber,
                instanceId: child,
                executionId: 'ce',
                episode: 2,
                sender: parent,
                eventJson: executionStartedEventJson({
                    instanceId: child,
                    executionId: 'ce',
                    name: 'childFlow',
                    input: '7',
                    generation: null,
                    timestamp: stamp,
                    parent: { name: 'parentFlow', instanceId: 'golden-parent', executionId: 'pe', taskScheduleId: 3 },
                }),
            }),
        );
    });

    // AzureTableTrackingStore.UpdateStateAsync + TableEntityConverter.Serialize after TaskOrchestrationDispatcher's
    // ContinueAsNew (no queue message: the new execution's rows are the record).
    it('a ContinueAsNew execution is written as rows with no Generation column, as the provider writes them', async () => {
        const id = 'golden-can';
        await hub.storage.appendHistory({
            instanceId: id,
            executionId: 'gen2',
            startIndex: 0,
            etag: undefined,
            newExecution: true,
            isCheckpointComplete: true,
            events: [
                orchestratorStarted(now),
                executionStartedEvent({ instanceId: id, executionId: 'gen2', name: 'loop', input: 2, now }),
                orchestratorCompleted(now),
            ],
        });
        const rows: Record<string, unknown>[] = [];
        for await (const row of hub
            .table(`${hub.hubName}History`)
            .listEntities<Record<string, unknown>>({ queryOptions: { filter: odata`PartitionKey eq ${id}` } }))
            rows.push(row);
        const started = rows.find((r) => r.EventType === 'ExecutionStarted');
        if (!started) throw new Error('no ExecutionStarted row');
        expect(started.rowKey).toBe('0000000000000001');
        expect(started).not.toHaveProperty('Generation');
        expect(started).toMatchObject({
            OrchestrationInstance: `{"InstanceId":"${id}","ExecutionId":"gen2"}`,
            ParentInstance: 'null',
            Tags: 'null',
            Version: '',
            Input: '2',
            EventId: -1,
            IsPlayed: false,
            ExecutionId: 'gen2',
        });
        // Not written by the devhost: ParentTraceContext ("null") and GenerateNewTrace (false), which the provider
        // reads back as those defaults when the column is absent (TableEntityConverter.Deserialize).
        const notWritten = ['ParentTraceContext', 'GenerateNewTrace'];
        expect(userColumns(started)).toEqual(
            PROVIDER_EXECUTION_STARTED_COLUMNS.filter((c) => !notWritten.includes(c)).sort(),
        );
    });

    // TaskHubClient.RaiseEventAsync (DurableClient.RaiseEventInternalAsync nulls the ExecutionId).
    it('a raised event is the provider EventRaised body, addressed with "ExecutionId": null', async () => {
        const id = 'golden-raise';
        await hub.storage.sendControlMessage(eventRaisedMessage({ instanceId: id, name: 'approval', data: true, now }));
        const body = await takeRaw(id);
        expect(body).toBe(
            messageDataJson({
                ...envelopeOf(body),
                instanceId: id,
                executionId: null,
                eventJson: eventRaisedEventJson({ name: 'approval', input: 'true', timestamp: stamp }),
            }),
        );
    });

    // AzureStorageOrchestrationService.ForceTerminateTaskOrchestrationAsync.
    it('a terminate is the provider ExecutionTerminated body, addressed with "ExecutionId": null', async () => {
        const id = 'golden-terminate';
        await hub.storage.sendControlMessage(terminateMessage({ instanceId: id, reason: 'stop', now }));
        const body = await takeRaw(id);
        expect(body).toBe(
            messageDataJson({
                ...envelopeOf(body),
                instanceId: id,
                executionId: null,
                eventJson: executionTerminatedEventJson({ reason: 'stop', timestamp: stamp }),
            }),
        );
    });

    // EXT DurableClient.SignalEntityAsyncInternal + EntityScheduler/RequestMessage.cs, sent by TaskHubClient.RaiseEventAsync.
    it('a client entity signal is an "op" EventRaised whose RequestMessage has default Timestamp and Predecessor', async () => {
        const id = '@counter@k1';
        const requestId = '0f8fad5b-d9cb-469f-a165-70867728950e';
        const text = requestMessageText({
            id: requestId,
            operation: 'add',
            signal: true,
            input: '1',
            parent: null,
            parentExecution: null,
        });
        expect(text).toBe(clientSignalRequestJson({ op: 'add', input: '1', id: requestId }));
        await hub.storage.sendControlMessage(entityRequestMessage(id, text, now));
        const body = await takeRaw(id);
        expect(body).toBe(
            messageDataJson({
                ...envelopeOf(body),
                instanceId: id,
                executionId: null,
                eventJson: eventRaisedEventJson({ name: 'op', input: text, timestamp: stamp }),
            }),
        );
    });

    // MessageManager.SerializeMessageDataAsync / GetNewLargeMessageBlobName / CompressAndUploadAsBytesAsync.
    it('a message over 45 KiB goes to a gzipped blob named as the provider names it, the queue holding the wrapper', async () => {
        const id = 'golden-large';
        const input = 'x'.repeat(50 * 1024);
        await hub.storage.sendControlMessage(
            executionStartedMessage({ instanceId: id, executionId: 'le', name: 'big', input, generation: 0, now }),
        );
        const queue = hub.queues.getQueueClient(hub.storage.controlQueueName(hub.storage.partitionOf(id)));
        const received = await queue.receiveMessages({ numberOfMessages: 32 });
        const item = received.receivedMessageItems.find((m) => m.messageText.includes(`"${id}/message-`));
        if (!item) throw new Error('no wrapper message');
        const blobName = (JSON.parse(item.messageText) as { CompressedBlobName: string }).CompressedBlobName;
        const hex = /^golden-large\/message-([0-9a-f]{32})-ExecutionStarted\.json\.gz$/.exec(blobName)?.[1] ?? '';
        const activityId = `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
        expect(blobName).toBe(largeMessageBlobName(id, activityId, 'ExecutionStarted'));
        expect(item.messageText).toBe(wrapperMessageDataJson(blobName));

        const blob = await hub.blobs
            .getContainerClient(`${hub.hubName.toLowerCase()}-largemessages`)
            .getBlobClient(blobName)
            .downloadToBuffer();
        const full = gunzipText(blob);
        expect(full).toBe(
            messageDataJson({
                ...envelopeOf(full),
                activityId,
                instanceId: id,
                executionId: 'le',
                eventJson: executionStartedEventJson({
                    instanceId: id,
                    executionId: 'le',
                    name: 'big',
                    input: JSON.stringify(input),
                    generation: 0,
                    timestamp: stamp,
                }),
            }),
        );
        await queue.deleteMessage(item.messageId, item.popReceipt);
    });

    // AzureTableTrackingStore.CompressLargeMessageAsync / GetBlobName / SetInstancesTablePropertyFromHistoryProperty
    // (the row names the history blob by URL); MessageManager.GetBlobUrl (Uri.EscapeDataString).
    it('a large history column becomes "" plus <Column>BlobName, and an instance row holds the EscapeDataString URL', async () => {
        const id = "golden(big)!'*";
        const input = JSON.stringify('y'.repeat(40 * 1024));
        await hub.storage.appendHistory({
            instanceId: id,
            executionId: 'he',
            startIndex: 0,
            etag: undefined,
            isCheckpointComplete: true,
            events: [
                orchestratorStarted(now),
                {
                    ...executionStartedEvent({ instanceId: id, executionId: 'he', name: 'big', input: null, now }),
                    Input: input,
                },
            ],
        });
        const row = await hub.table(`${hub.hubName}History`).getEntity<Record<string, unknown>>(id, '0000000000000001');
        expect(row.Input).toBe('');
        expect(row.InputBlobName).toMatch(
            /^golden\(big\)!'\*\/history-0000000000000001-ExecutionStarted-[0-9A-F]{8}-Input\.json\.gz$/,
        );

        await hub.storage.writeInstance(
            instanceRecord(id, {
                executionId: 'he',
                name: 'big',
                version: '',
                input,
                createdTime: now,
                lastUpdatedTime: now,
            }),
        );
        const instance = await hub.table(`${hub.hubName}Instances`).getEntity<Record<string, unknown>>(id, '');
        expect(instance.Input).toMatch(
            new RegExp(
                `/${hub.hubName.toLowerCase()}-largemessages/golden%28big%29%21%27%2A/history-0000000000000001-ExecutionStarted-[0-9A-F]{8}-Input\\.json\\.gz$`,
            ),
        );
        expect(escapeDataString("a!b'c(d)e*f g")).toBe('a%21b%27c%28d%29e%2Af%20g');
        expect((await hub.storage.readInstance(id))?.input).toBe(input);
    });

    it('writes DateTimes as Newtonsoft does: trailing zeros of the 7 digits dropped, none for a whole second', () => {
        expect(newtonsoftDateTime('2024-05-06T07:08:09.1200000Z')).toBe('2024-05-06T07:08:09.12Z');
        expect(newtonsoftDateTime('2024-05-06T07:08:09.0000000Z')).toBe('2024-05-06T07:08:09Z');
        expect(newtonsoftDateTime('2024-05-06T07:08:09.1234567Z')).toBe('2024-05-06T07:08:09.1234567Z');
    });
});
