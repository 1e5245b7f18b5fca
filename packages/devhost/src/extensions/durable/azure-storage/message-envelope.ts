/**
 * Queue message bodies as the provider writes them (docs/protocol.md §5): DTFx `MessageData`
 * serialized by Newtonsoft with `TypeNameHandling.Objects`, so objects carry `$type` (bare type names, no
 * assembly) and enums are integers. `TaskMessage.Event` is declared as the abstract HistoryEvent, so the .NET
 * reader needs its `$type`; the others are written for fidelity. Reading strips every `$type`.
 */
import { z } from 'zod';
import { EventType, type HistoryEvent, type OrchestrationInstanceRef, type TaskMessage } from '../../../shared/history';
import { EVENT_MEMBERS, parseHistoryEvent } from './history-event-schema';
import { normalizeDateTime } from './table-cells';

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

/** ``Dictionary<string, string>`` as Newtonsoft names it on .NET (Core) with the simple assembly format. */
export const STRING_DICTIONARY_TYPE =
    'System.Collections.Generic.Dictionary`2[[System.String, System.Private.CoreLib],[System.String, System.Private.CoreLib]]';

/**
 * The data members each event class declares, in the order Newtonsoft writes them: the class's fields, then
 * its own properties in declaration order (the `EventType` override first), then HistoryEvent's `EventId`,
 * `IsPlayed`, `Timestamp` (reflection lists a derived class's members before its base's; no DataMember sets an
 * Order). Members the devhost does not model get the default DTFx writes (`DurableTask.Core/History/*.cs`).
 */
const PROVIDER_MEMBERS: Partial<Record<EventType, readonly (readonly [string, unknown])[]>> = {
    [EventType.ExecutionStarted]: [
        ['ParentInstance', null],
        ['Name', null],
        ['Version', null],
        ['Input', null],
        ['Tags', null],
        ['Correlation', null],
        ['ParentTraceContext', null],
        ['ScheduledStartTime', null],
        ['Generation', null],
        ['GenerateNewTrace', false],
    ],
    [EventType.TaskScheduled]: [
        ['Name', null],
        ['Version', null],
        ['Input', null],
        ['ParentTraceContext', null],
        ['Tags', null],
    ],
    [EventType.SubOrchestrationInstanceCreated]: [
        ['Name', null],
        ['Version', null],
        ['InstanceId', null],
        ['Input', null],
        ['ClientSpanId', null],
        ['Tags', null],
    ],
    [EventType.EventRaised]: [
        ['Name', null],
        ['Input', null],
        ['ParentTraceContext', null],
    ],
    [EventType.ExecutionRewound]: [
        ['Reason', null],
        ['ParentExecutionId', null],
        ['InstanceId', null],
        ['ParentTraceContext', null],
    ],
};

/** Public fields come before properties in Newtonsoft's member list (ExecutionStartedEvent, GenericEvent). */
const FIELD_MEMBERS: Partial<Record<EventType, readonly string[]>> = {
    [EventType.ExecutionStarted]: ['OrchestrationInstance'],
    [EventType.GenericEvent]: ['Data'],
};

const BASE_MEMBERS = new Set(['EventType', 'EventId', 'IsPlayed', 'Timestamp']);
const DATE_MEMBERS = ['Timestamp', 'ScheduledStartTime', 'FireAt'] as const;
const ISO_FRACTION = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d+))?Z$/;

/**
 * A UTC DateTime as Newtonsoft's IsoDateFormat writes it: up to 7 fractional digits with trailing zeros
 * dropped, and no fraction at all for a whole second (`DateTimeUtils.WriteDateTimeString`).
 */
export function newtonsoftDateTime(text: string): string {
    const m = ISO_FRACTION.exec(text);
    if (!m?.[1]) return text;
    const fraction = (m[2] ?? '').slice(0, 7).replace(/0+$/, '');
    return fraction === '' ? `${m[1]}Z` : `${m[1]}.${fraction}Z`;
}

function typedParent(parent: object): Record<string, unknown> {
    const instance: unknown = Reflect.get(parent, 'OrchestrationInstance');
    // ParentInstance's data members are fields: Name, OrchestrationInstance, TaskScheduleId, Version.
    return withType(`${CORE}.ParentInstance`, {
        Name: Reflect.get(parent, 'Name') ?? null,
        OrchestrationInstance:
            typeof instance === 'object' && instance !== null ? typedInstance(instance) : (instance ?? null),
        TaskScheduleId: Reflect.get(parent, 'TaskScheduleId') ?? 0,
        Version: Reflect.get(parent, 'Version') ?? null,
    });
}

function typedInstance(instance: object): Record<string, unknown> {
    return withType(`${CORE}.OrchestrationInstance`, {
        InstanceId: Reflect.get(instance, 'InstanceId') ?? null,
        ExecutionId: Reflect.get(instance, 'ExecutionId') ?? null,
    });
}

function typedFailure(value: unknown): unknown {
    if (typeof value !== 'object' || value === null) return value;
    const inner: unknown = Reflect.get(value, 'InnerFailure');
    return withType(`${CORE}.FailureDetails`, { ...value, InnerFailure: typedFailure(inner ?? null) });
}

function typedMember(name: string, value: unknown): unknown {
    if (typeof value !== 'object' || value === null) return value;
    switch (name) {
        case 'OrchestrationInstance':
            return typedInstance(value);
        case 'ParentInstance':
            return typedParent(value);
        case 'FailureDetails':
            return typedFailure(value);
        case 'Tags':
            return withType(STRING_DICTIONARY_TYPE, value);
        default:
            return value;
    }
}

/** The event as Newtonsoft writes it with `TypeNameHandling.Objects`: `$type` first, members in DTFx's order. */
function typedEvent(event: HistoryEvent): Record<string, unknown> {
    const source: Record<string, unknown> = { ...event };
    for (const member of DATE_MEMBERS) {
        const value = source[member];
        if (typeof value === 'string') source[member] = newtonsoftDateTime(value);
    }
    const fields = FIELD_MEMBERS[event.EventType] ?? [];
    const declared = PROVIDER_MEMBERS[event.EventType] ?? EVENT_MEMBERS[event.EventType].map((m) => [m, null] as const);
    const out: Record<string, unknown> = { $type: eventTypeName(event.EventType) };
    for (const field of fields) out[field] = typedMember(field, source[field] ?? null);
    out.EventType = event.EventType;
    for (const [member, fallback] of declared)
        if (!fields.includes(member)) out[member] = typedMember(member, source[member] ?? fallback);
    // Members DTFx does not declare (a newer provider's) keep their place before the base members.
    for (const [member, value] of Object.entries(source))
        if (!(member in out) && !BASE_MEMBERS.has(member)) out[member] = typedMember(member, value);
    out.EventId = source.EventId;
    out.IsPlayed = source.IsPlayed;
    out.Timestamp = source.Timestamp;
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
    // Members DTFx declares and the devhost does not model, at their defaults, are noise: drop them.
    for (const [member, fallback] of PROVIDER_MEMBERS[eventType as EventType] ?? [])
        if (!members.includes(member) && event[member] === fallback) delete event[member];
    // Newtonsoft trims a DateTime's trailing zeros; history rows hold 7 digits. One form, so a redelivered
    // event keeps the identity (name, input, timestamp) it has in history (engine/intake.ts).
    for (const member of DATE_MEMBERS) {
        const value = event[member];
        if (typeof value === 'string') event[member] = normalizeDateTime(value);
    }
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
