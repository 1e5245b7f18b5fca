/**
 * What an unfinished orchestration waits for, as the instance page's "Waiting for" shows it (DfMon and the
 * scheduler's dashboard answer "why is it still Pending?" the same way): its open tasks and timers from history,
 * the entity answers it waits for, the external events its last replay still awaited (history records no wait:
 * only this devhost's engine knows, and only for an instance it ran since it started), the messages queued for
 * it, and why this devhost does not run it when it does not. A pure function of what the extension gathers.
 */
import { EventType, type HistoryEvent, type TaskMessage } from '../../shared/history';
import { ENTITY_REQUEST_EVENT, isEntityInstanceId, parseRequestMessage } from '../durable/engine/entity-protocol';
import type { OpenEventWaits } from '../durable/runtime/open-event-waits';
import type { RejectedInstance } from '../durable/runtime/version-gate';
import type { InstanceRecord } from '../durable/task-hub-port/task-hub-storage';

export interface WaitingFor {
    /** Activities and sub-orchestrations scheduled and not yet answered, in schedule order. */
    tasks: Array<{
        kind: 'activity' | 'subOrchestration';
        name: string;
        taskId: number;
        scheduledTime: string;
        /** The sub-orchestration's instance id. */
        instanceId?: string;
    }>;
    /** Timers created and not fired (a cancelled timer still fires at its time and is then ignored). */
    timers: Array<{ timerId: number; fireAt: string; createdTime: string }>;
    /** Entity operations called (not signalled) and lock requests, still without an answer. */
    entities: Array<{ entityId: string; operation: string | null; requestId: string; sentTime: string }>;
    /** The external events awaited, by name, or why they are not known. */
    events:
        | { known: true; asOf: string; names: Array<{ name: string; waiters: number }> }
        | { known: false; reason: string };
    /** Messages for the instance not taken by an episode yet: held in this devhost's memory, or on the queue. */
    messages: QueuedMessage[];
    /** Why the queue could not be read, when it could not. */
    messagesNote?: string;
    /** Why this devhost does not run it now, when it does not (version, suspension, a scheduled start, failures). */
    notRunning: string[];
}

export interface QueuedMessage {
    /** 'held': received by this devhost, waiting for the instance's next episode; 'queue': on its control queue. */
    where: 'held' | 'queue';
    eventType: string;
    /** The event's name (an external event, a task), when it has one. */
    name?: string;
    /** When it was put on the queue, if known. */
    insertedOn?: string;
}

export interface WaitingForInput {
    record: InstanceRecord;
    /** The current execution's history. */
    history: readonly HistoryEvent[];
    now: Date;
    /** Undefined when this devhost runs no Durable runtime on the hub. */
    runtime?: {
        eventWaits: OpenEventWaits | undefined;
        held: readonly TaskMessage[];
        rejection: RejectedInstance | undefined;
        /** The runtime's last error on this instance, while its episodes keep failing. */
        failing?: { attempts: number; error: string };
    };
    queued: QueuedMessage[];
    queueError?: string;
}

export function waitingFor(input: WaitingForInput): WaitingFor {
    const { history, record } = input;
    const answered = new Set<number>();
    const fired = new Set<number>();
    const raised = new Set<string>();
    for (const event of history) {
        if (
            event.EventType === EventType.TaskCompleted ||
            event.EventType === EventType.TaskFailed ||
            event.EventType === EventType.SubOrchestrationInstanceCompleted ||
            event.EventType === EventType.SubOrchestrationInstanceFailed
        )
            answered.add(event.TaskScheduledId);
        else if (event.EventType === EventType.TimerFired) fired.add(event.TimerId);
        else if (event.EventType === EventType.EventRaised) raised.add(event.Name);
    }
    const tasks: WaitingFor['tasks'] = [];
    const timers: WaitingFor['timers'] = [];
    const entities: WaitingFor['entities'] = [];
    for (const event of history) {
        if (event.EventType === EventType.TaskScheduled && !answered.has(event.EventId))
            tasks.push({ kind: 'activity', name: event.Name, taskId: event.EventId, scheduledTime: event.Timestamp });
        else if (event.EventType === EventType.SubOrchestrationInstanceCreated && !answered.has(event.EventId))
            tasks.push({
                kind: 'subOrchestration',
                name: event.Name,
                taskId: event.EventId,
                scheduledTime: event.Timestamp,
                instanceId: event.InstanceId,
            });
        else if (event.EventType === EventType.TimerCreated && !fired.has(event.EventId))
            timers.push({ timerId: event.EventId, fireAt: event.FireAt, createdTime: event.Timestamp });
        else if (
            event.EventType === EventType.EventSent &&
            event.Name === ENTITY_REQUEST_EVENT &&
            isEntityInstanceId(event.InstanceId)
        ) {
            const request = parseRequestMessage(event.Input);
            // A signal gets no answer; the answer to a call or a lock request is an EventRaised named by its id.
            if (request && !request.signal && !raised.has(request.id))
                entities.push({
                    entityId: event.InstanceId,
                    operation: request.op ?? null,
                    requestId: request.id,
                    sentTime: event.Timestamp,
                });
        }
    }
    const messages: QueuedMessage[] = [
        ...(input.runtime?.held ?? []).map((message) => ({ where: 'held' as const, ...describe(message) })),
        ...input.queued,
    ];
    return {
        tasks,
        timers,
        entities,
        events: eventsAwaited(input, new Set(entities.map((entity) => entity.requestId))),
        messages,
        ...(input.queueError ? { messagesNote: input.queueError } : {}),
        notRunning: notRunning(record, input),
    };
}

function eventsAwaited(input: WaitingForInput, entityRequests: ReadonlySet<string>): WaitingFor['events'] {
    const { record, runtime } = input;
    if (!runtime) return { known: false, reason: 'unknown: this devhost does not run this task hub.' };
    const waits = runtime.eventWaits;
    if (!waits || waits.executionId !== record.executionId) {
        return {
            known: false,
            reason:
                record.runtimeStatus === 'Pending'
                    ? 'none yet: the orchestrator has not run.'
                    : 'unknown until the orchestrator runs again in this devhost (history records no wait; the ' +
                      'devhost learns it from a replay, after the next event, timer or task result reaches it).',
        };
    }
    const counts = new Map<string, number>();
    for (const name of waits.names) {
        if (entityRequests.has(name)) continue; // an entity's answer, listed with the entities
        counts.set(name, (counts.get(name) ?? 0) + 1);
    }
    return {
        known: true,
        asOf: waits.asOf,
        names: [...counts].map(([name, waiters]) => ({ name, waiters })),
    };
}

function notRunning(record: InstanceRecord, input: WaitingForInput): string[] {
    const reasons: string[] = [];
    const rejection = input.runtime?.rejection;
    if (rejection)
        reasons.push(
            `${rejection.reason} Its messages wait on the queue for a host that runs it; next try about ${rejection.retryAt}.`,
        );
    if (record.runtimeStatus === 'Suspended') reasons.push('It is suspended: nothing runs until it is resumed.');
    if (record.runtimeStatus === 'Pending' && record.scheduledStartTime && record.scheduledStartTime > input.now)
        reasons.push(`Its start is scheduled for ${record.scheduledStartTime.toISOString()}.`);
    const failing = input.runtime?.failing;
    if (failing)
        reasons.push(
            `Its episodes keep failing (${failing.attempts} attempts; tried again with back-off): ${failing.error}`,
        );
    if (!input.runtime) reasons.push('This devhost does not run this task hub: another host has to.');
    return reasons;
}

/** The event type and name of a task message, as the "Waiting for" list shows it. */
export function describe(message: TaskMessage): Pick<QueuedMessage, 'eventType' | 'name'> {
    const event = message.Event;
    const name = 'Name' in event && typeof event.Name === 'string' ? event.Name : undefined;
    return { eventType: EventType[event.EventType], ...(name !== undefined ? { name } : {}) };
}
