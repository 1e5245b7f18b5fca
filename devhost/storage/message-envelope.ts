/**
 * Queue message bodies as the provider writes them (docs/protocol.md §5): DTFx `MessageData`
 * serialized by Newtonsoft with `TypeNameHandling.Objects`, so objects carry `$type` (bare type names, no
 * assembly) and enums are integers. `TaskMessage.Event` is declared as the abstract HistoryEvent, so the .NET
 * reader needs its `$type`; the others are written for fidelity. Reading strips every `$type`.
 */
import { z } from 'zod';
import { EventType, type HistoryEvent, type OrchestrationInstanceRef, type TaskMessage } from '../protocol/history';
import { EVENT_MEMBERS, parseHistoryEvent } from './history-event-schema';

const CORE = 'DurableTask.Core';

/**
 * `DurableTask.Core.History.<Name>Event`; GenericEvent is the one class not named `<Name>Event`, and
 * ExecutionFailed (EventType 2) has no class at all (`DurableTask.Core/History/`), so no message can carry it.
 */
export function eventTypeName(type: EventType): string {
    if (type === EventType.ExecutionFailed) throw new Error('DTFx has no history event class for ExecutionFailed.');
    const name = EventType[type];
    return `${CORE}.History.${type === EventType.GenericEvent ? name : `${name}Event`}`;
}

function withType<T extends object>(typeName: string, value: T): { $type: string } & T {
    return { $type: typeName, ...value };
}

function typedFailure(value: unknown): unknown {
    if (typeof value !== 'object' || value === null) return value;
    const inner: unknown = Reflect.get(value, 'InnerFailure');
    return withType(`${CORE}.FailureDetails`, { ...value, InnerFailure: typedFailure(inner ?? null) });
}

function typedEvent(event: HistoryEvent): Record<string, unknown> {
    const out: Record<string, unknown> = withType(eventTypeName(event.EventType), { ...event });
    const instance: unknown = Reflect.get(event, 'OrchestrationInstance');
    if (typeof instance === 'object' && instance !== null)
        out.OrchestrationInstance = withType(`${CORE}.OrchestrationInstance`, instance);
    const parent: unknown = Reflect.get(event, 'ParentInstance');
    if (typeof parent === 'object' && parent !== null) {
        const parentInstance: unknown = Reflect.get(parent, 'OrchestrationInstance');
        out.ParentInstance = withType(`${CORE}.ParentInstance`, {
            ...parent,
            OrchestrationInstance:
                typeof parentInstance === 'object' && parentInstance !== null
                    ? withType(`${CORE}.OrchestrationInstance`, parentInstance)
                    : parentInstance,
        });
    }
    if ('FailureDetails' in event) out.FailureDetails = typedFailure(event.FailureDetails);
    return out;
}

export interface EnvelopeFields {
    /** A GUID; also names the blob of a large message. */
    activityId: string;
    /** The sender's per-process message counter. */
    sequenceNumber: number;
    /** The execution that sent the message (both ids empty for clients). */
    sender: OrchestrationInstanceRef;
    /** The sender's episode count; left out when unknown (DTFx `EmitDefaultValue = false`). */
    episode?: number;
}

/** The full `MessageData` JSON of one task message. */
export function serializeMessageData(message: TaskMessage, fields: EnvelopeFields): string {
    return JSON.stringify({
        $type: 'DurableTask.AzureStorage.MessageData',
        ActivityId: fields.activityId,
        TaskMessage: {
            $type: `${CORE}.TaskMessage`,
            Event: typedEvent(message.Event),
            SequenceNumber: message.SequenceNumber,
            OrchestrationInstance: withType(`${CORE}.OrchestrationInstance`, {
                InstanceId: message.OrchestrationInstance.InstanceId,
                ExecutionId: message.OrchestrationInstance.ExecutionId,
            }),
            OrchestrationExecutionContext: null,
        },
        CompressedBlobName: null,
        SequenceNumber: fields.sequenceNumber,
        ...(fields.episode === undefined ? {} : { Episode: fields.episode }),
        // `TypeNameHandling.None` on Sender in MessageData.cs: no `$type` here.
        Sender: { InstanceId: fields.sender.InstanceId, ExecutionId: fields.sender.ExecutionId },
        SerializableTraceContext: null,
    });
}

/** What goes on the queue when the message itself went to a blob: a MessageData with only the blob name. */
export function serializeWrapperMessageData(compressedBlobName: string): string {
    return JSON.stringify({
        $type: 'DurableTask.AzureStorage.MessageData',
        ActivityId: '00000000-0000-0000-0000-000000000000',
        TaskMessage: null,
        CompressedBlobName: compressedBlobName,
        SequenceNumber: 0,
        SerializableTraceContext: null,
    });
}

/** Newtonsoft's `$type` metadata is not data; drop it at every depth. */
export function stripTypeNames(value: unknown): unknown {
    if (Array.isArray(value)) return value.map(stripTypeNames);
    if (typeof value !== 'object' || value === null) return value;
    const out: Record<string, unknown> = {};
    for (const [key, member] of Object.entries(value)) if (key !== '$type') out[key] = stripTypeNames(member);
    return out;
}

const envelopeSchema = z.looseObject({
    ActivityId: z.string().optional(),
    TaskMessage: z
        .looseObject({
            Event: z.record(z.string(), z.unknown()),
            SequenceNumber: z.number(),
            // DTFx addresses "the latest execution" with a null ExecutionId (raised events, terminate).
            OrchestrationInstance: z.looseObject({
                InstanceId: z.string(),
                ExecutionId: z.string().nullable().optional(),
            }),
        })
        .nullable()
        .optional(),
    CompressedBlobName: z.string().nullable().optional(),
    SequenceNumber: z.number().optional(),
});

export type ParsedMessageData =
    { kind: 'inline'; message: TaskMessage; activityId: string | undefined } | { kind: 'blob'; blobName: string };

/**
 * A queue message body back to a task message. Like the provider's reader it accepts raw JSON and base64
 * (a body that does not start with `{` is base64-decoded first).
 */
export function parseMessageData(body: string): ParsedMessageData {
    const json = body.trimStart().startsWith('{') ? body : Buffer.from(body, 'base64').toString('utf8');
    const envelope = envelopeSchema.parse(stripTypeNames(JSON.parse(json)));
    if (envelope.CompressedBlobName) return { kind: 'blob', blobName: envelope.CompressedBlobName };
    if (!envelope.TaskMessage)
        throw new SyntaxError('Queue message has neither a TaskMessage nor a CompressedBlobName.');
    const rawEvent = envelope.TaskMessage.Event;
    // Members the sender left out are null, as DTFx's deserializer would leave them.
    const eventType: unknown = rawEvent.EventType;
    const members = typeof eventType === 'number' ? (EVENT_MEMBERS[eventType as EventType] ?? []) : [];
    const event: Record<string, unknown> = {};
    for (const member of members) event[member] = null;
    Object.assign(event, rawEvent);
    return {
        kind: 'inline',
        activityId: envelope.ActivityId,
        message: {
            Event: parseHistoryEvent(event),
            SequenceNumber: envelope.TaskMessage.SequenceNumber,
            OrchestrationInstance: {
                InstanceId: envelope.TaskMessage.OrchestrationInstance.InstanceId,
                ExecutionId: envelope.TaskMessage.OrchestrationInstance.ExecutionId ?? null,
            },
        },
    };
}
