/**
 * Provider → devhost: bodies and rows exactly as the Durable Task Azure Storage provider writes them
 * (test/support/task-hub/provider-golden.ts) are put on Azurite raw, and the devhost's storage reads them right.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { parseRequestMessage } from '../../../../src/extensions/durable/engine/entity-protocol';
import { clientMessageKey } from '../../../../src/extensions/durable/engine/intake';
import { EventType } from '../../../../src/shared/history';
import { createTestHub, type TestHub } from '../../../support/task-hub/hub-fixture';
import {
    clientSignalRequestJson,
    continueAsNewStartedRow,
    eventRaisedEventJson,
    executionStartedEventJson,
    executionTerminatedEventJson,
    gzipText,
    largeMessageBlobName,
    markerRow,
    messageDataJson,
    pendingInstanceRow,
    sentinelRow,
    wrapperMessageDataJson,
} from '../../../support/task-hub/provider-golden';

let hub: TestHub;
beforeAll(async () => {
    hub = await createTestHub();
});

const stamp = '2024-05-06T07:08:09.12Z';
/** The same instant as history rows and the devhost hold it (7 digits). */
const stored = '2024-05-06T07:08:09.1200000Z';
const created = new Date('2024-05-06T07:08:09.120Z');

async function putRaw(instanceId: string, body: string): Promise<void> {
    await hub.queues
        .getQueueClient(hub.storage.controlQueueName(hub.storage.partitionOf(instanceId)))
        .sendMessage(body);
}

/** The devhost's reading of the one message for `instanceId` (deleted once read). */
async function receiveOne(instanceId: string) {
    const batch = await hub.storage.receiveControlMessages(hub.storage.partitionOf(instanceId), 32, 30);
    const mine = batch.filter((m) => m.message.OrchestrationInstance.InstanceId === instanceId);
    expect(mine).toHaveLength(1);
    await Promise.all(batch.map((m) => hub.storage.deleteMessage(m)));
    const [only] = mine;
    if (!only) throw new Error('no message');
    return only.message;
}

describe('the devhost reads what the provider writes', () => {
    // TaskHubClient.InternalCreateOrchestrationInstanceWithRaisedEventAsync → AzureStorageOrchestrationService.
    // CreateTaskOrchestrationAsync (message first, then AzureTableTrackingStore.SetNewExecutionAsync's Pending row).
    it('a client start the provider sent reads as an ExecutionStarted with Generation 0 and a Pending instance', async () => {
        const id = 'p-start';
        const event = executionStartedEventJson({
            instanceId: id,
            executionId: 'e1',
            name: 'flow',
            input: '{"n":1}',
            generation: 0,
            timestamp: stamp,
        });
        await putRaw(
            id,
            messageDataJson({
                activityId: crypto.randomUUID(),
                sequenceNumber: 1,
                eventJson: event,
                instanceId: id,
                executionId: 'e1',
            }),
        );
        await hub.table(`${hub.hubName}Instances`).createEntity(
            pendingInstanceRow({
                instanceId: id,
                executionId: 'e1',
                name: 'flow',
                input: '{"n":1}',
                hubName: hub.hubName,
                created,
                generation: 0,
            }),
        );
        const message = await receiveOne(id);
        expect(message.OrchestrationInstance).toEqual({ InstanceId: id, ExecutionId: 'e1' });
        expect(message.Event).toMatchObject({
            EventType: EventType.ExecutionStarted,
            OrchestrationInstance: { InstanceId: id, ExecutionId: 'e1' },
            ParentInstance: null,
            Name: 'flow',
            Version: '',
            Input: '{"n":1}',
            Generation: 0,
            EventId: -1,
            Timestamp: stored,
        });
        // Members the devhost does not model, at DTFx's defaults, are not carried along.
        expect(message.Event).not.toHaveProperty('GenerateNewTrace');
        expect(await hub.storage.readInstance(id)).toMatchObject({
            executionId: 'e1',
            runtimeStatus: 'Pending',
            input: '{"n":1}',
            generation: 0,
            tags: null,
            customStatus: null,
            createdTime: created,
        });
    });

    // TaskOrchestrationDispatcher.ProcessCreateSubOrchestrationInstanceDecision; TaskHubQueue.AddMessageAsync (Sender, Episode).
    it('a sub-orchestration start the provider sent, with Generation null, reads with its parent', async () => {
        const id = 'p-child';
        const event = executionStartedEventJson({
            instanceId: id,
            executionId: 'ce',
            name: 'childFlow',
            input: '7',
            generation: null,
            timestamp: stamp,
            parent: { name: 'parentFlow', instanceId: 'p-parent', executionId: 'pe', taskScheduleId: 3 },
        });
        await putRaw(
            id,
            messageDataJson({
                activityId: crypto.randomUUID(),
                sequenceNumber: 9,
                episode: 2,
                sender: { InstanceId: 'p-parent', ExecutionId: 'pe' },
                eventJson: event,
                instanceId: id,
                executionId: 'ce',
            }),
        );
        const message = await receiveOne(id);
        expect(message.Event).toMatchObject({
            EventType: EventType.ExecutionStarted,
            Generation: null,
            ParentInstance: {
                Name: 'parentFlow',
                Version: '',
                TaskScheduleId: 3,
                OrchestrationInstance: { InstanceId: 'p-parent', ExecutionId: 'pe' },
            },
        });
        expect(JSON.stringify(message.Event)).not.toContain('$type');
    });

    // AzureTableTrackingStore.UpdateStateAsync (TableEntityConverter rows, sentinel, merged Instances row) after a
    // ContinueAsNew in TaskOrchestrationDispatcher: the new execution's ExecutionStarted has no Generation.
    it('a ContinueAsNew execution the provider wrote reads with Generation null and the generation kept on the row', async () => {
        const id = 'p-can';
        const history = hub.table(`${hub.hubName}History`);
        const at = { partitionKey: id, executionId: 'gen2', timestamp: created };
        await history.createEntity(markerRow('OrchestratorStarted', { ...at, rowKey: '0000000000000000' }));
        await history.createEntity(
            continueAsNewStartedRow({
                partitionKey: id,
                rowKey: '0000000000000001',
                instanceId: id,
                executionId: 'gen2',
                name: 'loop',
                input: '2',
                timestamp: created,
            }),
        );
        await history.createEntity(markerRow('OrchestratorCompleted', { ...at, rowKey: '0000000000000002' }));
        await history.createEntity(sentinelRow(id, 'gen2'));
        await hub.table(`${hub.hubName}Instances`).createEntity({
            ...pendingInstanceRow({
                instanceId: id,
                executionId: 'gen2',
                name: 'loop',
                input: '2',
                hubName: hub.hubName,
                created,
                generation: 0,
            }),
            RuntimeStatus: 'Running',
            CustomStatus: 'null',
        });

        const snapshot = await hub.storage.readHistory(id);
        expect(snapshot.executionId).toBe('gen2');
        expect(snapshot.events.map((e) => e.EventType)).toEqual([
            EventType.OrchestratorStarted,
            EventType.ExecutionStarted,
            EventType.OrchestratorCompleted,
        ]);
        expect(snapshot.events[1]).toMatchObject({
            Generation: null,
            ParentInstance: null,
            Tags: null,
            Input: '2',
            OrchestrationInstance: { InstanceId: id, ExecutionId: 'gen2' },
            Timestamp: stored,
        });
        expect(await hub.storage.readInstance(id)).toMatchObject({
            runtimeStatus: 'Running',
            generation: 0,
            customStatus: null,
        });
    });

    // TaskHubClient.RaiseEventAsync, with the ExecutionId nulled by the extension's DurableClient.
    it('a raised event the provider sent keeps "ExecutionId": null and the identity a redelivery repeats', async () => {
        const id = 'p-raise';
        const event = eventRaisedEventJson({ name: 'approval', input: 'true', timestamp: stamp });
        const body = messageDataJson({
            activityId: crypto.randomUUID(),
            sequenceNumber: 2,
            eventJson: event,
            instanceId: id,
            executionId: null,
        });
        await putRaw(id, body);
        const message = await receiveOne(id);
        expect(message.OrchestrationInstance).toEqual({ InstanceId: id, ExecutionId: null });
        expect(message.Event).toEqual({
            EventType: EventType.EventRaised,
            Name: 'approval',
            Input: 'true',
            EventId: -1,
            IsPlayed: false,
            Timestamp: stored,
        });
        // History keeps 7 digits: the redelivered message must give the same key as the event history holds.
        expect(clientMessageKey(message.Event)).toBe(clientMessageKey({ ...message.Event, Timestamp: stored }));
    });

    // AzureStorageOrchestrationService.ForceTerminateTaskOrchestrationAsync.
    it('a terminate the provider sent reads as ExecutionTerminated for the current execution', async () => {
        const id = 'p-terminate';
        await putRaw(
            id,
            messageDataJson({
                activityId: crypto.randomUUID(),
                sequenceNumber: 3,
                eventJson: executionTerminatedEventJson({ reason: 'stop', timestamp: stamp }),
                instanceId: id,
                executionId: null,
            }),
        );
        const message = await receiveOne(id);
        expect(message.OrchestrationInstance.ExecutionId).toBeNull();
        expect(message.Event).toMatchObject({ EventType: EventType.ExecutionTerminated, Input: 'stop' });
    });

    // EXT DurableClient.SignalEntityAsyncInternal (RequestMessage.cs) through TaskHubClient.RaiseEventAsync.
    it('a client entity signal the provider sent reads as an "op" request to @name@key', async () => {
        const id = '@counter@k1';
        const request = clientSignalRequestJson({ op: 'add', input: '1', id: '0f8fad5b-d9cb-469f-a165-70867728950e' });
        await putRaw(
            id,
            messageDataJson({
                activityId: crypto.randomUUID(),
                sequenceNumber: 4,
                eventJson: eventRaisedEventJson({ name: 'op', input: request, timestamp: stamp }),
                instanceId: id,
                executionId: null,
            }),
        );
        const message = await receiveOne(id);
        expect(message.OrchestrationInstance).toEqual({ InstanceId: id, ExecutionId: null });
        expect(message.Event).toMatchObject({ EventType: EventType.EventRaised, Name: 'op', Input: request });
        expect(
            message.Event.EventType === EventType.EventRaised && parseRequestMessage(message.Event.Input),
        ).toMatchObject({
            op: 'add',
            signal: true,
            input: '1',
            id: '0f8fad5b-d9cb-469f-a165-70867728950e',
        });
    });

    // MessageManager.SerializeMessageDataAsync / DeserializeQueueMessageAsync; SetNewExecutionAsync's inputPayloadOverride.
    it('a large start the provider sent through a blob reads whole, and so does its Pending row holding the blob URL', async () => {
        const id = 'p-large';
        const activityId = crypto.randomUUID();
        const input = JSON.stringify('z'.repeat(50 * 1024));
        const full = messageDataJson({
            activityId,
            sequenceNumber: 5,
            instanceId: id,
            executionId: 'le',
            eventJson: executionStartedEventJson({
                instanceId: id,
                executionId: 'le',
                name: 'big',
                input,
                generation: 0,
                timestamp: stamp,
            }),
        });
        const blobName = largeMessageBlobName(id, activityId, 'ExecutionStarted');
        const container = hub.blobs.getContainerClient(`${hub.hubName.toLowerCase()}-largemessages`);
        await container.getBlockBlobClient(blobName).uploadData(gzipText(full));
        await putRaw(id, wrapperMessageDataJson(blobName));
        await hub.table(`${hub.hubName}Instances`).createEntity(
            pendingInstanceRow({
                instanceId: id,
                executionId: 'le',
                name: 'big',
                input: `${container.url}/${blobName}`,
                hubName: hub.hubName,
                created,
                generation: 0,
            }),
        );

        const message = await receiveOne(id);
        expect(message.Event).toMatchObject({ EventType: EventType.ExecutionStarted, Input: input });
        expect((await hub.storage.readInstance(id))?.input).toBe(input);
    });

    // AzureTableTrackingStore.CompressLargeMessageAsync: "" in the column, the blob named in <Column>BlobName.
    it('a history row the provider wrote with a large column in a blob reads whole', async () => {
        const id = 'p-large-row';
        const input = JSON.stringify('w'.repeat(40 * 1024));
        const blobName = `${id}/history-0000000000000001-ExecutionStarted-1A2B3C4D-Input.json.gz`;
        await hub.blobs
            .getContainerClient(`${hub.hubName.toLowerCase()}-largemessages`)
            .getBlockBlobClient(blobName)
            .uploadData(gzipText(input));
        const history = hub.table(`${hub.hubName}History`);
        const at = { partitionKey: id, executionId: 'x1', timestamp: created };
        await history.createEntity(markerRow('OrchestratorStarted', { ...at, rowKey: '0000000000000000' }));
        await history.createEntity({
            ...continueAsNewStartedRow({
                partitionKey: id,
                rowKey: '0000000000000001',
                instanceId: id,
                executionId: 'x1',
                name: 'big',
                input: '',
                timestamp: created,
            }),
            InputBlobName: blobName,
        });
        await history.createEntity(sentinelRow(id, 'x1'));
        const snapshot = await hub.storage.readHistory(id);
        expect(snapshot.events[1]).toMatchObject({ EventType: EventType.ExecutionStarted, Input: input });
    });
});
