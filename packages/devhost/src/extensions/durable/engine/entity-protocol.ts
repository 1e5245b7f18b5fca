/**
 * The Durable entity vocabulary the extension puts on the wire and in storage (docs/protocol.md §14): the
 * scheduler instance id `@name@key`, the request and response messages carried as EventRaised events, and the
 * SchedulerState an entity keeps as the input of its current execution. Pure: ids that must survive a replay
 * come from stableHash128, never from a random source.
 *
 * Upstream: azure-functions-durable-extension src/WebJobs.Extensions.DurableTask/EntityScheduler/
 * (EntityId.cs, RequestMessage.cs, ResponseMessage.cs, SchedulerState.cs, EntityMessageEventNames.cs) and
 * azure-functions-durable-js src/entities/EntityId.ts (getSchedulerIdFromEntityId lower-cases the name).
 */
import { z } from 'zod';
import { dtfxTimestamp, EventType, type TaskMessage } from '../../../shared/history';
import { addressed } from './messages';
import { stableHash128 } from './stable-hash';

export interface EntityId {
    name: string;
    key: string;
}

/** EventRaised name of an operation or lock request (EntityMessageEventNames.RequestMessageEventName). */
export const ENTITY_REQUEST_EVENT = 'op';

/** EventRaised name of a lock release (EntityMessageEventNames.ReleaseMessageEventName). */
export const ENTITY_RELEASE_EVENT = 'release';

/** `@name@key`, the name lower-cased as both the SDK and the extension do. */
export function entityInstanceId(entity: EntityId): string {
    return `@${entity.name.toLowerCase()}@${entity.key}`;
}

/** The entity an instance id names, or undefined when it is an orchestration's id. */
export function parseEntityInstanceId(instanceId: string): EntityId | undefined {
    if (!instanceId.startsWith('@')) return undefined;
    const at = instanceId.indexOf('@', 1);
    if (at < 2) return undefined;
    return { name: instanceId.slice(1, at), key: instanceId.slice(at + 1) };
}

export function isEntityInstanceId(instanceId: string): boolean {
    return parseEntityInstanceId(instanceId) !== undefined;
}

/** An EntityId as the extension serializes it (EntityScheduler/EntityId.cs: `name` lower-cased, `key`). */
export const entityIdSchema = z.object({ name: z.string().min(1), key: z.string() });

/**
 * RequestMessage as Newtonsoft writes it: defaults are left out; unknown fields (sorter stamps) are kept. A lock
 * request has `op: null`, the sorted `lockset` and, once forwarded along it, `pos` (RequestMessage.cs).
 */
export const requestMessageSchema = z.looseObject({
    id: z.string().min(1),
    op: z.string().nullish(),
    signal: z.boolean().optional(),
    input: z.string().nullish(),
    parent: z.string().nullish(),
    parentExecution: z.string().nullish(),
    lockset: z.array(entityIdSchema).min(1).nullish(),
    pos: z.number().int().nonnegative().optional(),
});
export type RequestMessage = z.infer<typeof requestMessageSchema>;

/** ReleaseMessage (EntityScheduler/ReleaseMessage.cs): both members always written, the id being the lock request's. */
export const releaseMessageSchema = z.looseObject({ parent: z.string().nullish(), id: z.string().nullish() });

/** A ReleaseMessage from its JSON text; undefined if not one. */
export function parseReleaseMessage(text: string | null): z.infer<typeof releaseMessageSchema> | undefined {
    if (text === null) return undefined;
    try {
        const parsed = releaseMessageSchema.safeParse(JSON.parse(text));
        return parsed.success ? parsed.data : undefined;
    } catch {
        return undefined;
    }
}

/** The ReleaseMessage JSON an orchestration sends to each entity it held (ReleaseLocks). */
export function releaseMessageText(parent: string, lockRequestId: string): string {
    return JSON.stringify({ parent, id: lockRequestId });
}

/** MessageSorter's state as the extension serializes it (entity-sorter.ts). */
export const sorterSchema = z.looseObject({
    LastSentToInstance: z.record(z.string(), z.string()).optional(),
    ReceivedFromInstance: z
        .record(
            z.string(),
            z.looseObject({
                Last: z.string(),
                ExecutionId: z.string().nullish(),
                Buffered: z.record(z.string(), requestMessageSchema).optional(),
            }),
        )
        .optional(),
    ReceiveHorizon: z.string().optional(),
    SendHorizon: z.string().optional(),
});

export type SorterState = z.infer<typeof sorterSchema>;
export type ReceiveBuffer = NonNullable<SorterState['ReceivedFromInstance']>[string];

/** A sender's label of one request (entity-sorter.ts). */
export interface Label {
    Timestamp: string;
    /** Absent when the sender sent nothing to the target within the reorder window. */
    Predecessor?: string;
}

/** A RequestMessage from its JSON text (an "op" event's input, an EventSent's input); undefined if not one. */
export function parseRequestMessage(text: string | null): RequestMessage | undefined {
    if (text === null) return undefined;
    try {
        const parsed = requestMessageSchema.safeParse(JSON.parse(text));
        return parsed.success ? parsed.data : undefined;
    } catch {
        return undefined;
    }
}

/** SchedulerState: the entity's state and bookkeeping, stored as the current execution's input. */
export const schedulerStateSchema = z.looseObject({
    exists: z.boolean().optional(),
    state: z.string().nullish(),
    queue: z.array(requestMessageSchema).nullish(),
    lockedBy: z.string().nullish(),
    suspended: z.boolean().optional(),
    sorter: sorterSchema.optional(),
});
export type SchedulerState = z.infer<typeof schedulerStateSchema>;

/** The stored input text to a SchedulerState; null (auto-started, or deleted) is the empty state. */
export function parseSchedulerState(input: string | null | undefined): SchedulerState {
    if (input === null || input === undefined || input === '') return {};
    const parsed = schedulerStateSchema.safeParse(JSON.parse(input));
    if (!parsed.success) throw new Error(`not an entity SchedulerState: ${z.prettifyError(parsed.error)}`);
    return parsed.data;
}

/** The entity's state as JSON text when it exists (what readEntityState and the HTTP API return). */
export function entityStateOf(state: SchedulerState): string | undefined {
    return state.exists === true && typeof state.state === 'string' ? state.state : undefined;
}

/** A GUID-shaped id derived from its parts: the same parts give the same id on every replay. */
export function stableGuid(parts: readonly unknown[]): string {
    const hex = stableHash128(JSON.stringify(parts));
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

/** The RequestMessage JSON of an operation (DurableOrchestrationContext / DurableClient build the same). */
export function requestMessageText(request: {
    id: string;
    /** null for a lock request (RequestMessage.Operation, written as null). */
    operation: string | null;
    signal: boolean;
    /** JSON text of the operation input, or undefined for none. */
    input: string | undefined;
    parent: string | null;
    parentExecution: string | null;
    /** The sender's order (entity-sorter.ts): requests from orchestrations and entities carry it; clients have none. */
    label?: Label;
    /** A lock request's entities, sorted (entity-locks.ts). */
    lockSet?: readonly EntityId[];
}): string {
    const message: Record<string, unknown> = { op: request.operation };
    if (request.signal) message['signal'] = true;
    if (request.input !== undefined) message['input'] = request.input;
    message['id'] = request.id;
    if (request.parent !== null) message['parent'] = request.parent;
    if (request.parentExecution !== null) message['parentExecution'] = request.parentExecution;
    // Always both, as the extension writes them (EXT `EntityScheduler/RequestMessage.cs`: plain DateTime members,
    // no DefaultValueHandling): a client's signal carries DateTime's default in each (`DurableClient.cs`
    // SignalEntityAsyncInternal sets neither). Orchestrations and entities always label their requests.
    const label = request.label ?? (request.parent === null ? { Timestamp: NO_DATETIME } : undefined);
    if (label) {
        message['Timestamp'] = label.Timestamp;
        message['Predecessor'] = label.Predecessor ?? NO_DATETIME;
    }
    // `pos` is 0 at the first entity, the default Newtonsoft leaves out.
    if (request.lockSet) message['lockset'] = request.lockSet.map((e) => ({ name: e.name, key: e.key }));
    return JSON.stringify(message);
}

/**
 * DateTime's default as Newtonsoft writes it (Kind Unspecified: no `Z`): the Predecessor of a sender's first
 * request, and both stamps of a client's signal.
 */
export const NO_DATETIME = '0001-01-01T00:00:00';

/**
 * A message to an entity: EventRaised "op" (an operation or lock request) or "release" on the entity's control
 * queue, for its current execution.
 */
export function entityRequestMessage(
    targetInstanceId: string,
    requestText: string,
    now: Date,
    name: string = ENTITY_REQUEST_EVENT,
): TaskMessage {
    return addressed(
        {
            EventType: EventType.EventRaised,
            EventId: -1,
            IsPlayed: false,
            Timestamp: dtfxTimestamp(now),
            Name: name,
            Input: requestText,
        },
        // The entity's current execution: null, never "" (messages.ts toInstance).
        { InstanceId: targetInstanceId, ExecutionId: null },
    );
}

/**
 * The answer to a call: EventRaised named by the request id, carrying ResponseMessage JSON (`result` always
 * written, `exceptionType` only on failure), addressed to the calling execution.
 */
export function entityResponseMessage(options: {
    parent: string;
    parentExecution: string | null;
    requestId: string;
    result: string | null;
    exceptionType: string | null;
    now: Date;
}): TaskMessage {
    const response: Record<string, unknown> = { result: options.result };
    if (options.exceptionType !== null) response['exceptionType'] = options.exceptionType;
    return addressed(
        {
            EventType: EventType.EventRaised,
            EventId: -1,
            IsPlayed: false,
            Timestamp: dtfxTimestamp(options.now),
            Name: options.requestId,
            Input: JSON.stringify(response),
        },
        { InstanceId: options.parent, ExecutionId: options.parentExecution ?? '' },
    );
}

const responseSchema = z.object({ result: z.string().nullish(), exceptionType: z.string().nullish() });

/** Whether a ResponseMessage (as the EventRaised input's parsed value) reports a failed operation. */
export function isFailedResponse(value: unknown): boolean {
    const parsed = responseSchema.safeParse(value);
    return parsed.success && typeof parsed.data.exceptionType === 'string';
}

/** What an orchestration sends an entity (EventSent "op" or "release"), before its label is added (entity-requests.ts). */
export type EntityMessage =
    /** callEntity / signalEntity: `requestId` names the response to a call. */
    | { kind: 'operation'; requestId: string; operation: string; input: string | undefined; signal: boolean }
    /** LockAsync's request to the first entity of the sorted lock set; the last one answers `requestId`. */
    | { kind: 'lock'; requestId: string; lockSet: readonly EntityId[] }
    /** ReleaseLocks: one to each entity held, carrying the lock request's id. */
    | { kind: 'release'; lockRequestId: string };
