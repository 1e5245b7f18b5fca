/**
 * What the real Durable Task Azure Storage provider writes, byte for byte, hand-derived from its C# source
 * (Azure/durabletask `src/DurableTask.AzureStorage`, `src/DurableTask.Core`; Azure/azure-functions-durable-extension
 * `src/WebJobs.Extensions.DurableTask`). The golden tests put these on Azurite raw and check the devhost reads
 * them, and compare what the devhost writes against the same shapes.
 *
 * Newtonsoft rules the queue bodies follow (MessageManager.cs: `TypeNameHandling.Objects`, a binder that names
 * types without assembly): `$type` first in every object but MessageData.Sender (`TypeNameHandling.None`);
 * a class's fields, then its own properties in declaration order (the `EventType` override first), then its base
 * class's (`EventId`, `IsPlayed`, `Timestamp`); every [DataMember] written, nulls included, except those with
 * `EmitDefaultValue = false` (MessageData.Episode, MessageData.Sender); enums as numbers; DateTimes in UTC with
 * trailing zeros of the 7 fractional digits dropped.
 */
import { gunzipSync, gzipSync } from 'node:zlib';

const CORE = 'DurableTask.Core';
const json = (value: unknown): string => JSON.stringify(value);

/** `{"$type":"<type>",<members>}` with the members in the given order. */
function typed(type: string, members: readonly (readonly [string, string])[]): string {
    return `{${[[`$type`, json(type)] as const, ...members].map(([k, v]) => `${json(k)}:${v}`).join(',')}}`;
}

/** DurableTask.Core/OrchestrationInstance.cs: InstanceId, ExecutionId. */
export function instanceJson(instanceId: string, executionId: string | null): string {
    return typed(`${CORE}.OrchestrationInstance`, [
        ['InstanceId', json(instanceId)],
        ['ExecutionId', json(executionId)],
    ]);
}

export interface ProviderEventBase {
    timestamp: string;
}

/**
 * DurableTask.Core/History/ExecutionStartedEvent.cs as TaskHubClient.cs (client start, Generation set by
 * AzureStorageOrchestrationService.CreateTaskOrchestrationAsync) or TaskOrchestrationDispatcher.cs
 * (ProcessCreateSubOrchestrationInstanceDecision: ParentInstance set, Generation null) builds it.
 */
export function executionStartedEventJson(e: {
    instanceId: string;
    executionId: string;
    name: string;
    input: string | null;
    generation: number | null;
    timestamp: string;
    parent?: { name: string; instanceId: string; executionId: string; taskScheduleId: number };
}): string {
    const parent = e.parent
        ? typed(`${CORE}.ParentInstance`, [
              // ParentInstance.cs: four public fields in declaration order.
              ['Name', json(e.parent.name)],
              ['OrchestrationInstance', instanceJson(e.parent.instanceId, e.parent.executionId)],
              ['TaskScheduleId', json(e.parent.taskScheduleId)],
              ['Version', json('')],
          ])
        : 'null';
    return typed(`${CORE}.History.ExecutionStartedEvent`, [
        ['OrchestrationInstance', instanceJson(e.instanceId, e.executionId)],
        ['EventType', '0'],
        ['ParentInstance', parent],
        ['Name', json(e.name)],
        ['Version', json('')],
        ['Input', json(e.input)],
        ['Tags', 'null'],
        ['Correlation', 'null'],
        ['ParentTraceContext', 'null'],
        ['ScheduledStartTime', 'null'],
        ['Generation', json(e.generation)],
        ['GenerateNewTrace', 'false'],
        ['EventId', '-1'],
        ['IsPlayed', 'false'],
        ['Timestamp', json(e.timestamp)],
    ]);
}

/** DurableTask.Core/History/EventRaisedEvent.cs (TaskHubClient.RaiseEventAsync: EventId -1). */
export function eventRaisedEventJson(e: { name: string; input: string | null; timestamp: string }): string {
    return typed(`${CORE}.History.EventRaisedEvent`, [
        ['EventType', '15'],
        ['Name', json(e.name)],
        ['Input', json(e.input)],
        ['ParentTraceContext', 'null'],
        ['EventId', '-1'],
        ['IsPlayed', 'false'],
        ['Timestamp', json(e.timestamp)],
    ]);
}

/** DurableTask.Core/History/ExecutionTerminatedEvent.cs (ForceTerminateTaskOrchestrationAsync: EventId -1). */
export function executionTerminatedEventJson(e: { reason: string; timestamp: string }): string {
    return typed(`${CORE}.History.ExecutionTerminatedEvent`, [
        ['EventType', '3'],
        ['Input', json(e.reason)],
        ['EventId', '-1'],
        ['IsPlayed', 'false'],
        ['Timestamp', json(e.timestamp)],
    ]);
}

/**
 * DurableTask.AzureStorage/MessageData.cs around DurableTask.Core/TaskMessage.cs, as
 * Messaging/TaskHubQueue.cs AddMessageAsync fills it: a fresh ActivityId, the static SequenceNumber counter,
 * the sender's episode (none for clients: left out) and the sender (clients: EmptySourceInstance, "" and "").
 */
export function messageDataJson(m: {
    activityId: string;
    eventJson: string;
    instanceId: string;
    executionId: string | null;
    sequenceNumber: number;
    episode?: number;
    sender?: { InstanceId: string; ExecutionId: string };
}): string {
    const sender = m.sender ?? { InstanceId: '', ExecutionId: '' };
    return typed('DurableTask.AzureStorage.MessageData', [
        ['ActivityId', json(m.activityId)],
        [
            'TaskMessage',
            typed(`${CORE}.TaskMessage`, [
                ['Event', m.eventJson],
                ['SequenceNumber', '0'],
                ['OrchestrationInstance', instanceJson(m.instanceId, m.executionId)],
                ['OrchestrationExecutionContext', 'null'],
            ]),
        ],
        ['CompressedBlobName', 'null'],
        ['SequenceNumber', json(m.sequenceNumber)],
        ...(m.episode === undefined ? [] : ([['Episode', json(m.episode)]] as const)),
        ['Sender', `{"InstanceId":${json(sender.InstanceId)},"ExecutionId":${json(sender.ExecutionId)}}`],
        ['SerializableTraceContext', 'null'],
    ]);
}

/**
 * MessageManager.SerializeMessageDataAsync for a body over 45 KiB: `new MessageData { CompressedBlobName }`,
 * every other member at its default (Episode and Sender, null, left out).
 */
export function wrapperMessageDataJson(blobName: string): string {
    return (
        `{"$type":"DurableTask.AzureStorage.MessageData","ActivityId":"00000000-0000-0000-0000-000000000000",` +
        `"TaskMessage":null,"CompressedBlobName":${json(blobName)},"SequenceNumber":0,"SerializableTraceContext":null}`
    );
}

/** MessageManager.GetNewLargeMessageBlobName: `{InstanceId}/message-{ActivityId:N}-{EventType}.json.gz`. */
export function largeMessageBlobName(instanceId: string, activityId: string, eventType: string): string {
    return `${instanceId}/message-${activityId.replace(/-/g, '')}-${eventType}.json.gz`;
}

/**
 * EXT EntityScheduler/RequestMessage.cs as DurableClient.SignalEntityAsyncInternal fills it for a client:
 * `op`, `signal`, `input`, `id`; no parent; Timestamp and Predecessor (always written) at DateTime's default.
 */
export function clientSignalRequestJson(r: { op: string; input: string; id: string }): string {
    return (
        `{"op":${json(r.op)},"signal":true,"input":${json(r.input)},"id":${json(r.id)},` +
        `"Timestamp":"0001-01-01T00:00:00","Predecessor":"0001-01-01T00:00:00"}`
    );
}

/**
 * Tracking/AzureTableTrackingStore.SetNewExecutionAsync: the Pending row a client start inserts. No nulls are
 * stored (ScheduledStartTime), Tags goes through TagsSerializer ("null"), no CustomStatus.
 */
export function pendingInstanceRow(r: {
    instanceId: string;
    executionId: string;
    name: string;
    input: string;
    hubName: string;
    created: Date;
    generation: number;
}): Record<string, unknown> & { partitionKey: string; rowKey: string } {
    return {
        partitionKey: r.instanceId,
        rowKey: '',
        Input: r.input,
        CreatedTime: r.created,
        Name: r.name,
        Version: '',
        RuntimeStatus: 'Pending',
        LastUpdatedTime: r.created,
        TaskHubName: r.hubName,
        ExecutionId: r.executionId,
        Generation: r.generation,
        Tags: 'null',
    };
}

/** The columns of a provider ExecutionStarted history row (TableEntityConverter.Serialize: nulls not stored). */
export const PROVIDER_EXECUTION_STARTED_COLUMNS = [
    'EventId',
    'EventType',
    'ExecutionId',
    'GenerateNewTrace',
    'Input',
    'IsPlayed',
    'Name',
    'OrchestrationInstance',
    'ParentInstance',
    'ParentTraceContext',
    'Tags',
    'Version',
    '_Timestamp',
] as const;

/**
 * Tracking/TableEntityConverter.Serialize of a new execution's ExecutionStartedEvent, as
 * AzureTableTrackingStore.UpdateStateAsync writes it after a ContinueAsNew (TaskOrchestrationDispatcher.cs
 * builds it without Generation): enums by name, Timestamp as `_Timestamp`, objects as Newtonsoft JSON with the
 * default serializer (no `$type`), `ExecutionId` on the row; Generation, Correlation, ScheduledStartTime null
 * and so absent.
 */
export function continueAsNewStartedRow(r: {
    partitionKey: string;
    rowKey: string;
    instanceId: string;
    executionId: string;
    name: string;
    input: string;
    timestamp: Date;
}): Record<string, unknown> & { partitionKey: string; rowKey: string } {
    return {
        partitionKey: r.partitionKey,
        rowKey: r.rowKey,
        OrchestrationInstance: `{"InstanceId":${json(r.instanceId)},"ExecutionId":${json(r.executionId)}}`,
        EventType: 'ExecutionStarted',
        ParentInstance: 'null',
        Name: r.name,
        Version: '',
        Input: r.input,
        Tags: 'null',
        ParentTraceContext: 'null',
        GenerateNewTrace: false,
        EventId: -1,
        IsPlayed: false,
        _Timestamp: r.timestamp,
        ExecutionId: r.executionId,
    };
}

/** OrchestratorStarted / OrchestratorCompleted rows: the base members only. */
export function markerRow(
    type: 'OrchestratorStarted' | 'OrchestratorCompleted',
    r: { partitionKey: string; rowKey: string; executionId: string; timestamp: Date },
): Record<string, unknown> & { partitionKey: string; rowKey: string } {
    return {
        partitionKey: r.partitionKey,
        rowKey: r.rowKey,
        EventType: type,
        EventId: -1,
        IsPlayed: false,
        _Timestamp: r.timestamp,
        ExecutionId: r.executionId,
    };
}

/** AzureTableTrackingStore.UploadHistoryBatch: the sentinel of a completed checkpoint. */
export function sentinelRow(
    partitionKey: string,
    executionId: string,
): Record<string, unknown> & {
    partitionKey: string;
    rowKey: string;
} {
    return {
        partitionKey,
        rowKey: 'sentinel',
        ExecutionId: executionId,
        IsCheckpointComplete: true,
        CheckpointCompletedTimestamp: new Date(),
    };
}

/** MessageManager.CompressAndUploadAsBytesAsync: UTF-8, gzip. */
export function gzipText(text: string): Buffer {
    return gzipSync(Buffer.from(text, 'utf8'));
}

export function gunzipText(data: Buffer): string {
    return gunzipSync(data).toString('utf8');
}

/** The ordered key list of every object in a JSON text, depth first (to compare member order). */
export function memberOrder(text: string): string[][] {
    const orders: string[][] = [];
    const walk = (value: unknown): void => {
        if (Array.isArray(value)) value.forEach(walk);
        else if (typeof value === 'object' && value !== null) {
            orders.push(Object.keys(value));
            Object.values(value).forEach(walk);
        }
    };
    walk(JSON.parse(text));
    return orders;
}
