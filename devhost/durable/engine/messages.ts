/**
 * Control-queue messages the client side sends to an instance (start, raise event, terminate, suspend,
 * resume), shaped as DTFx TaskMessages. The runtime enqueues them on the instance's control queue.
 */
import {
    dtfxTimestamp,
    EventType,
    type ExecutionStartedEvent,
    type ParentInstanceRef,
    type TaskMessage,
} from '../history';

export interface ExecutionStartedOptions {
    instanceId: string;
    executionId: string;
    name: string;
    /** The input value (serialized here to JSON text); `undefined` means no input. */
    input: unknown;
    parent?: ParentInstanceRef | null;
    scheduledStartTime?: Date | null;
    version?: string | null;
    generation?: number;
    tags?: Record<string, string> | null;
    now: Date;
}

export function executionStartedEvent(options: ExecutionStartedOptions): ExecutionStartedEvent {
    return {
        EventType: EventType.ExecutionStarted,
        EventId: -1,
        IsPlayed: false,
        Timestamp: dtfxTimestamp(options.now),
        OrchestrationInstance: { InstanceId: options.instanceId, ExecutionId: options.executionId },
        ParentInstance: options.parent ?? null,
        Name: options.name,
        Version: options.version ?? '',
        Input: options.input === undefined ? null : JSON.stringify(options.input),
        Tags: options.tags ?? null,
        Correlation: null,
        ScheduledStartTime: options.scheduledStartTime ? dtfxTimestamp(options.scheduledStartTime) : null,
        Generation: options.generation ?? 0,
    };
}

export function executionStartedMessage(options: ExecutionStartedOptions): TaskMessage {
    return {
        Event: executionStartedEvent(options),
        SequenceNumber: 0,
        OrchestrationInstance: { InstanceId: options.instanceId, ExecutionId: options.executionId },
    };
}

/**
 * Messages from clients address the instance, not one execution: an empty ExecutionId means "whichever
 * execution is current", as the Azure Storage provider treats it.
 */
function toInstance(instanceId: string, executionId?: string): TaskMessage['OrchestrationInstance'] {
    return { InstanceId: instanceId, ExecutionId: executionId ?? '' };
}

export function eventRaisedMessage(options: {
    instanceId: string;
    executionId?: string;
    name: string;
    /** The event data value; serialized to JSON text (`undefined` means no data). */
    data: unknown;
    now: Date;
}): TaskMessage {
    return {
        Event: {
            EventType: EventType.EventRaised,
            EventId: -1,
            IsPlayed: false,
            Timestamp: dtfxTimestamp(options.now),
            Name: options.name,
            Input: options.data === undefined ? null : JSON.stringify(options.data),
        },
        SequenceNumber: 0,
        OrchestrationInstance: toInstance(options.instanceId, options.executionId),
    };
}

export function terminateMessage(options: { instanceId: string; reason: string | null; now: Date }): TaskMessage {
    return {
        Event: {
            EventType: EventType.ExecutionTerminated,
            EventId: -1,
            IsPlayed: false,
            Timestamp: dtfxTimestamp(options.now),
            Input: options.reason,
        },
        SequenceNumber: 0,
        OrchestrationInstance: toInstance(options.instanceId),
    };
}

export function suspendMessage(options: { instanceId: string; reason: string | null; now: Date }): TaskMessage {
    return {
        Event: {
            EventType: EventType.ExecutionSuspended,
            EventId: -1,
            IsPlayed: false,
            Timestamp: dtfxTimestamp(options.now),
            Reason: options.reason,
        },
        SequenceNumber: 0,
        OrchestrationInstance: toInstance(options.instanceId),
    };
}

export function resumeMessage(options: { instanceId: string; reason: string | null; now: Date }): TaskMessage {
    return {
        Event: {
            EventType: EventType.ExecutionResumed,
            EventId: -1,
            IsPlayed: false,
            Timestamp: dtfxTimestamp(options.now),
            Reason: options.reason,
        },
        SequenceNumber: 0,
        OrchestrationInstance: toInstance(options.instanceId),
    };
}

/** Wakes a rewound instance: its episode replays the reopened history (see rewind.ts). */
export function rewindMessage(options: { instanceId: string; reason: string | null; now: Date }): TaskMessage {
    return {
        Event: {
            EventType: EventType.ExecutionRewound,
            EventId: -1,
            IsPlayed: false,
            Timestamp: dtfxTimestamp(options.now),
            Reason: options.reason,
        },
        SequenceNumber: 0,
        OrchestrationInstance: toInstance(options.instanceId),
    };
}
