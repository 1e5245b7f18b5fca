/**
 * Control-queue messages the client side sends to an instance (start, raise event, terminate, suspend,
 * resume), shaped as DTFx TaskMessages. The runtime enqueues them on the instance's control queue.
 */
import {
    dtfxTimestamp,
    EventType,
    type ExecutionStartedEvent,
    type HistoryEvent,
    type MessageTarget,
    type ParentInstanceRef,
    type TaskMessage,
} from '../../../shared/history';

export interface ExecutionStartedOptions {
    instanceId: string;
    executionId: string;
    name: string;
    /** The input value (serialized here to JSON text); `undefined` means no input. */
    input: unknown;
    parent?: ParentInstanceRef | null;
    scheduledStartTime?: Date | null;
    version?: string | null;
    /** Client starts only (DTFx `int?`): other starts leave it null. */
    generation?: number | null;
    tags?: Record<string, string> | null;
    now: Date;
}

export function executionStartedEvent(options: ExecutionStartedOptions): ExecutionStartedEvent {
    return {
        ...fresh(EventType.ExecutionStarted, options.now),
        OrchestrationInstance: { InstanceId: options.instanceId, ExecutionId: options.executionId },
        ParentInstance: options.parent ?? null,
        Name: options.name,
        Version: options.version ?? '',
        Input: options.input === undefined ? null : JSON.stringify(options.input),
        Tags: options.tags ?? null,
        Correlation: null,
        ScheduledStartTime: options.scheduledStartTime ? dtfxTimestamp(options.scheduledStartTime) : null,
        Generation: options.generation ?? null,
    };
}

export function executionStartedMessage(options: ExecutionStartedOptions): TaskMessage {
    return addressed(executionStartedEvent(options), {
        InstanceId: options.instanceId,
        ExecutionId: options.executionId,
    });
}

/**
 * Messages from clients address the instance, not one execution: a null ExecutionId means "whichever
 * execution is current". Only null does: DTFx loads the history of execution "" (none) and drops the message
 * as sent to no such instance (`OrchestrationSessionManager.cs`, `Tracking/AzureTableTrackingStore.cs`
 * GetHistoryEventsAsync, `Core/Common/Entities.cs` AutoStart).
 */
function toInstance(instanceId: string, executionId?: string): MessageTarget {
    return { InstanceId: instanceId, ExecutionId: executionId ?? null };
}

/**
 * The members every event a client sends starts with: not yet numbered, not yet played, stamped now. `ticks`
 * (100 ns units within the millisecond) lets a client give each message its own timestamp, as DTFx's
 * DateTime.UtcNow does: a raised event is identified by name, data and timestamp (intake.ts).
 */
function fresh<T extends EventType>(
    type: T,
    now: Date,
    ticks = 0,
): { EventType: T; EventId: -1; IsPlayed: false; Timestamp: string } {
    return { EventType: type, EventId: -1, IsPlayed: false, Timestamp: dtfxTimestamp(now, ticks) };
}

/** `event` as a message to `instance` (the one envelope every message of an orchestration has). */
export function addressed(event: HistoryEvent, instance: TaskMessage['OrchestrationInstance']): TaskMessage {
    return { Event: event, SequenceNumber: 0, OrchestrationInstance: instance };
}

export function eventRaisedMessage(options: {
    instanceId: string;
    executionId?: string;
    name: string;
    /** The event data value; serialized to JSON text (`undefined` means no data). */
    data: unknown;
    now: Date;
    /** Sub-millisecond ticks of the timestamp (0-9999). */
    ticks?: number;
}): TaskMessage {
    return addressed(
        {
            ...fresh(EventType.EventRaised, options.now, options.ticks),
            Name: options.name,
            Input: options.data === undefined ? null : JSON.stringify(options.data),
        },
        toInstance(options.instanceId, options.executionId),
    );
}

interface ReasonOptions {
    instanceId: string;
    reason: string | null;
    now: Date;
    /** Sub-millisecond ticks of the timestamp (0-9999). */
    ticks?: number;
}

export function terminateMessage(options: ReasonOptions): TaskMessage {
    return addressed(
        { ...fresh(EventType.ExecutionTerminated, options.now, options.ticks), Input: options.reason },
        toInstance(options.instanceId),
    );
}

/** Suspend, resume and rewind carry only a reason. */
function reasonMessage(
    type: EventType.ExecutionSuspended | EventType.ExecutionResumed | EventType.ExecutionRewound,
    options: ReasonOptions,
): TaskMessage {
    return addressed(
        { ...fresh(type, options.now, options.ticks), Reason: options.reason },
        toInstance(options.instanceId),
    );
}

export function suspendMessage(options: ReasonOptions): TaskMessage {
    return reasonMessage(EventType.ExecutionSuspended, options);
}

export function resumeMessage(options: ReasonOptions): TaskMessage {
    return reasonMessage(EventType.ExecutionResumed, options);
}

/** Wakes a rewound instance: its episode replays the reopened history (see rewind.ts). */
export function rewindMessage(options: ReasonOptions): TaskMessage {
    return reasonMessage(EventType.ExecutionRewound, options);
}
