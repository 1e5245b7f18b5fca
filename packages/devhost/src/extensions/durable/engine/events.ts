/**
 * Builders for the history events the engine and the activity dispatcher create, shaped as DTFx serializes
 * them (docs/protocol.md §9, §11). Every builder takes the clock explicitly: time comes from
 * episodes, never from `new Date()` inside the engine.
 */
import { z } from 'zod';
import {
    dtfxTimestamp,
    EventType,
    type EventSentEvent,
    type ExecutionCompletedEvent,
    type OrchestratorCompletedEvent,
    type OrchestratorStartedEvent,
    type RuntimeStatus,
    type SubOrchestrationInstanceCompletedEvent,
    type SubOrchestrationInstanceCreatedEvent,
    type SubOrchestrationInstanceFailedEvent,
    type TaskCompletedEvent,
    type TaskFailedEvent,
    type TaskScheduledEvent,
    type TimerCreatedEvent,
    type TimerFiredEvent,
} from '../../../shared/history';

export function orchestratorStarted(now: Date): OrchestratorStartedEvent {
    return { EventType: EventType.OrchestratorStarted, EventId: -1, IsPlayed: false, Timestamp: dtfxTimestamp(now) };
}

export function orchestratorCompleted(now: Date): OrchestratorCompletedEvent {
    return { EventType: EventType.OrchestratorCompleted, EventId: -1, IsPlayed: false, Timestamp: dtfxTimestamp(now) };
}

/**
 * `input` is the JSON text DTFx stores for an activity: a one-element array `[<action input>]`
 * (the extension's legacy "inputs are arrays" path for JavaScript).
 */
export function taskScheduled(id: number, name: string, input: string | null, now: Date): TaskScheduledEvent {
    return {
        EventType: EventType.TaskScheduled,
        EventId: id,
        IsPlayed: false,
        Timestamp: dtfxTimestamp(now),
        Name: name,
        Version: '',
        Input: input,
    };
}

/** DTFx's record of SendEvent: the target instance, the event name and its data as sent. */
export function eventSent(id: number, instanceId: string, name: string, input: string, now: Date): EventSentEvent {
    return {
        EventType: EventType.EventSent,
        EventId: id,
        IsPlayed: false,
        Timestamp: dtfxTimestamp(now),
        InstanceId: instanceId,
        Name: name,
        Input: input,
    };
}

export function timerCreated(id: number, fireAt: Date, now: Date): TimerCreatedEvent {
    return {
        EventType: EventType.TimerCreated,
        EventId: id,
        IsPlayed: false,
        Timestamp: dtfxTimestamp(now),
        FireAt: dtfxTimestamp(fireAt),
    };
}

export function timerFired(timerId: number, fireAt: Date): TimerFiredEvent {
    // A timer message's Timestamp is its due time: that is when it becomes an event.
    return {
        EventType: EventType.TimerFired,
        EventId: -1,
        IsPlayed: false,
        Timestamp: dtfxTimestamp(fireAt),
        TimerId: timerId,
        FireAt: dtfxTimestamp(fireAt),
    };
}

export function subOrchestrationCreated(
    id: number,
    name: string,
    instanceId: string,
    now: Date,
    version = '',
): SubOrchestrationInstanceCreatedEvent {
    return {
        EventType: EventType.SubOrchestrationInstanceCreated,
        EventId: id,
        IsPlayed: false,
        Timestamp: dtfxTimestamp(now),
        Name: name,
        Version: version,
        InstanceId: instanceId,
        // Like TaskScheduled, the input travels in the child's ExecutionStarted, not in the parent's history.
        Input: null,
    };
}

export function subOrchestrationCompleted(
    taskScheduledId: number,
    result: string | null,
    now: Date,
): SubOrchestrationInstanceCompletedEvent {
    return {
        EventType: EventType.SubOrchestrationInstanceCompleted,
        EventId: -1,
        IsPlayed: false,
        Timestamp: dtfxTimestamp(now),
        TaskScheduledId: taskScheduledId,
        Result: result,
    };
}

export function subOrchestrationFailed(
    taskScheduledId: number,
    reason: string | null,
    details: string | null,
    now: Date,
): SubOrchestrationInstanceFailedEvent {
    return {
        EventType: EventType.SubOrchestrationInstanceFailed,
        EventId: -1,
        IsPlayed: false,
        Timestamp: dtfxTimestamp(now),
        TaskScheduledId: taskScheduledId,
        Reason: reason,
        Details: details,
        FailureDetails: null,
    };
}

export function executionCompleted(
    id: number,
    status: RuntimeStatus,
    result: string | null,
    now: Date,
): ExecutionCompletedEvent {
    return {
        EventType: EventType.ExecutionCompleted,
        EventId: id,
        IsPlayed: false,
        Timestamp: dtfxTimestamp(now),
        OrchestrationStatus: status,
        Result: result,
        FailureDetails: null,
    };
}

/** An activity's return value as TaskCompleted: serialized once to JSON; `undefined` becomes a null Result. */
export function taskCompleted(scheduledId: number, result: unknown, now: Date): TaskCompletedEvent {
    return {
        EventType: EventType.TaskCompleted,
        EventId: -1,
        IsPlayed: false,
        Timestamp: dtfxTimestamp(now),
        TaskScheduledId: scheduledId,
        Result: result === undefined ? null : JSON.stringify(result),
    };
}

/**
 * An activity's failure as the extension reports it. Reason keeps the extension's double space (the text
 * after "Exception:" in the worker's RpcException). Details stands in for the serialized .NET exception:
 * JSON naming the RpcException with the JavaScript message and stack, so the SDK's
 * `Reason + " \n " + Details` error tells the orchestrator what failed and where.
 */
export function taskFailed(
    scheduledId: number,
    functionName: string,
    error: { message: string; stack?: string },
    now: Date,
): TaskFailedEvent {
    const rpcMessage = `Result: Failure\nException: ${error.message}\nStack: ${error.stack ?? ''}`;
    return {
        EventType: EventType.TaskFailed,
        EventId: -1,
        IsPlayed: false,
        Timestamp: dtfxTimestamp(now),
        TaskScheduledId: scheduledId,
        Reason: `Activity function '${functionName}' failed:  ${error.message}`,
        Details: JSON.stringify({
            ClassName: 'Microsoft.Azure.WebJobs.Script.Workers.Rpc.RpcException',
            Message: rpcMessage,
            RemoteMessage: error.message,
            RemoteStackTrace: error.stack ?? null,
        }),
        FailureDetails: null,
    };
}

const activityInputArray = z.array(z.unknown());

/**
 * The value an activity handler receives. TaskScheduled.Input is `[x]` where x is the SDK's action input
 * (strings arrive JSON-encoded by the SDK); the extension binds x as text and the Node library JSON-parses
 * it, so the net effect is the original value (docs/protocol.md §11).
 */
export function activityInput(scheduled: TaskScheduledEvent): unknown {
    if (scheduled.Input === null) return undefined;
    const parsed = tryParseJson(scheduled.Input);
    const asArray = activityInputArray.safeParse(parsed);
    const first = asArray.success ? asArray.data[0] : parsed;
    if (typeof first === 'string') return tryParseJson(first);
    return first;
}

/** JSON text to a value; text that is not JSON stays text (the Node library's tryJsonParse). */
export function tryParseJson(text: string): unknown {
    try {
        return JSON.parse(text) as unknown;
    } catch {
        return text;
    }
}
