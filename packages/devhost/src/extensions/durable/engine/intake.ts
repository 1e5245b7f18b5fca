/**
 * Which of a batch's messages apply to the instance (history is the truth; messages are hints). A
 * completion applies only if its task is scheduled in the current execution and not yet completed; a
 * second ExecutionStarted for an execution is a duplicate; messages naming another ExecutionId are stale.
 * Messages from clients carry an empty ExecutionId and address whichever execution is current.
 *
 * Decisions on the open cases:
 * - An ExecutionStarted with a new ExecutionId for an instance whose execution has finished (Completed,
 *   Failed, Terminated) restarts it: the history starts over (the client only sends one for a finished or
 *   unknown instance). For a running instance it is discarded, and so is one older than the execution in
 *   history: a restart is accepted only after the execution finished, so its start is always newer, while a
 *   redelivered start of an earlier generation (ContinueAsNew moved on, then finished) is older.
 * - Messages for an instance that has not started yet (no ExecutionStarted in history or in the batch
 *   before them) are deferred: they may have overtaken the start message.
 * - A TimerFired before its FireAt (by the episode clock) is deferred: timers never fire early. The FireAt is
 *   the one history committed with TimerCreated, not the message's own: a repeated episode computes a later
 *   FireAt, and the first attempt's timer message (same TimerId, earlier FireAt) must not fire it early.
 * - A sub-orchestration start whose ParentInstance (parent id, execution, TaskScheduleId) is the one the
 *   instance already runs or ran for is a duplicate, even once the child finished or continued as new: the
 *   parent's episode was repeated (the provider de-duplicates such starts against the Instances row).
 * - After an ExecutionTerminated, the rest of the batch is discarded.
 * - A task, timer or sub-orchestration result for an id history has not reached yet is deferred, not
 *   discarded: the episode that schedules it sent its messages and failed before its commit, and the result
 *   came back before the retried episode committed (DTFx defers out-of-order messages likewise). A result
 *   for an id history passed without scheduling that step there is stale and discarded.
 * - An entity's response (an EventRaised named by a request id, carrying a ResponseMessage) is deferred until
 *   history holds the EventSent of its request, as DTFx defers such an out-of-order message
 *   (DurableTask.AzureStorage Messaging/OrchestrationSession.IsOutOfOrderMessage). It can overtake its
 *   request when an episode's sends landed and its checkpoint failed: the entity answered before the retried
 *   episode committed the request. Applied before its EventSent, the SDK would never match it.
 * - EventRaised has no id; a message equal to a raised event already in history (name, data, timestamp)
 *   is a redelivery and is discarded. Clients stamp each event with a distinct timestamp (sub-millisecond
 *   ticks, as DTFx's DateTime.UtcNow has), so two identical events raised in one millisecond both count.
 * - Client messages (empty ExecutionId) consumed by an earlier generation of a ContinueAsNew chain are
 *   discarded: `consumedBefore` holds their keys (kept on the sentinel row by the checkpoint that started
 *   the generation), so a redelivery after a kill between that checkpoint and the deletes is not applied to
 *   the next generation.
 */
import {
    EventType,
    type ExecutionCompletedEvent,
    type ExecutionStartedEvent,
    type HistoryEvent,
    type TaskMessage,
} from '../../../shared/history';
import { parseRequestMessage } from './entity-protocol';
import { stableHash128 } from './stable-hash';

export interface ExecutionView {
    started: ExecutionStartedEvent | null;
    completed: ExecutionCompletedEvent | null;
    suspended: boolean;
    scheduledTasks: Set<number>;
    finishedTasks: Set<number>;
    /** TimerId → the committed FireAt (ms). */
    createdTimers: Map<number, number>;
    firedTimers: Set<number>;
    createdSubOrchestrations: Set<number>;
    finishedSubOrchestrations: Set<number>;
    raisedEvents: Set<string>;
    /** Request ids of the entity operations history sent (EventSent). */
    sentRequests: Set<string>;
    /** One past the largest EventId of a scheduled step: the id DTFx's counter stands at. */
    nextId: number;
}

function raisedKey(name: string, input: string | null, timestamp: string): string {
    return JSON.stringify([name, input, timestamp]);
}

/**
 * The identity of a client message (an event, suspend or resume) that a redelivery repeats exactly; undefined
 * for messages identified otherwise (task and timer results by their ids, starts by their ExecutionId).
 */
export function clientMessageKey(event: HistoryEvent): string | undefined {
    switch (event.EventType) {
        case EventType.EventRaised:
            return raisedKey(event.Name, event.Input, event.Timestamp);
        case EventType.ExecutionSuspended:
        case EventType.ExecutionResumed:
            return JSON.stringify([event.EventType, event.Reason, event.Timestamp]);
        default:
            return undefined;
    }
}

/** The stored form of a client-message key: short, whatever the event data's size. */
export function consumedKeyHash(key: string): string {
    return stableHash128(key).slice(0, 16);
}

/**
 * A result for a step history has not scheduled: deferred if history has not reached that id yet (the
 * episode that schedules it failed after its sends landed, and the result overtook its retry: DTFx defers such
 * an out-of-order message, OrchestrationSession.IsOutOfOrderMessage), discarded if history passed it (stale).
 */
function notYetScheduled(view: ExecutionView, id: number): Verdict {
    return id >= view.nextId ? 'defer' : 'discard';
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const RESPONSE_KEYS: ReadonlySet<string> = new Set(['result', 'exceptionType', 'failureDetails']);

/** An entity's ResponseMessage: named by the request's id (a GUID), `{ result, exceptionType? }` as input. */
function isEntityResponse(event: { Name: string; Input: string | null }): boolean {
    if (!GUID.test(event.Name) || event.Input === null || !event.Input.startsWith('{')) return false;
    try {
        const parsed = JSON.parse(event.Input) as Record<string, unknown>;
        const keys = Object.keys(parsed);
        return 'result' in parsed && keys.every((key) => RESPONSE_KEYS.has(key));
    } catch {
        return false;
    }
}

function sameParent(a: ExecutionStartedEvent['ParentInstance'], b: ExecutionStartedEvent['ParentInstance']): boolean {
    return (
        a !== null &&
        b !== null &&
        a.TaskScheduleId === b.TaskScheduleId &&
        a.OrchestrationInstance.InstanceId === b.OrchestrationInstance.InstanceId &&
        a.OrchestrationInstance.ExecutionId === b.OrchestrationInstance.ExecutionId
    );
}

export function emptyView(): ExecutionView {
    return {
        started: null,
        completed: null,
        suspended: false,
        scheduledTasks: new Set(),
        finishedTasks: new Set(),
        createdTimers: new Map(),
        firedTimers: new Set(),
        createdSubOrchestrations: new Set(),
        finishedSubOrchestrations: new Set(),
        raisedEvents: new Set(),
        sentRequests: new Set(),
        nextId: 0,
    };
}

/** Folds one event into the view (used for committed history and for each message accepted). */
export function observe(view: ExecutionView, event: HistoryEvent): void {
    switch (event.EventType) {
        case EventType.ExecutionStarted:
            view.started ??= event;
            break;
        case EventType.ExecutionCompleted:
            view.completed = event;
            break;
        case EventType.ExecutionSuspended:
            view.suspended = true;
            break;
        case EventType.ExecutionResumed:
            view.suspended = false;
            break;
        case EventType.TaskScheduled:
            view.scheduledTasks.add(event.EventId);
            break;
        case EventType.TaskCompleted:
        case EventType.TaskFailed:
            view.finishedTasks.add(event.TaskScheduledId);
            break;
        case EventType.TimerCreated:
            view.createdTimers.set(event.EventId, Date.parse(event.FireAt));
            break;
        case EventType.TimerFired:
            view.firedTimers.add(event.TimerId);
            break;
        case EventType.SubOrchestrationInstanceCreated:
            view.createdSubOrchestrations.add(event.EventId);
            break;
        case EventType.SubOrchestrationInstanceCompleted:
        case EventType.SubOrchestrationInstanceFailed:
            view.finishedSubOrchestrations.add(event.TaskScheduledId);
            break;
        case EventType.EventRaised:
            view.raisedEvents.add(raisedKey(event.Name, event.Input, event.Timestamp));
            break;
        case EventType.EventSent: {
            const request = parseRequestMessage(event.Input);
            if (request) view.sentRequests.add(request.id);
            break;
        }
        default:
            break;
    }
    if (
        event.EventType === EventType.TaskScheduled ||
        event.EventType === EventType.TimerCreated ||
        event.EventType === EventType.SubOrchestrationInstanceCreated ||
        event.EventType === EventType.EventSent
    ) {
        view.nextId = Math.max(view.nextId, event.EventId + 1);
    }
}

export function viewOf(history: readonly HistoryEvent[]): ExecutionView {
    const view = emptyView();
    for (const event of history) observe(view, event);
    return view;
}

export interface Intake {
    view: ExecutionView;
    /** True when an ExecutionStarted in this batch replaced a finished execution. */
    restarted: boolean;
    accepted: HistoryEvent[];
    /** Set when an ExecutionTerminated was accepted (the last accepted event). */
    terminated: boolean;
    discarded: TaskMessage[];
    deferred: TaskMessage[];
}

type Verdict = 'accept' | 'discard' | 'defer';

function verdictFor(view: ExecutionView, message: TaskMessage, now: Date): Verdict {
    const event = message.Event;
    const executionId = message.OrchestrationInstance.ExecutionId;
    if (!view.started) return 'defer';
    if (view.completed) return 'discard';
    if (executionId && executionId !== view.started.OrchestrationInstance.ExecutionId) return 'discard';
    switch (event.EventType) {
        case EventType.TaskCompleted:
        case EventType.TaskFailed:
            if (!view.scheduledTasks.has(event.TaskScheduledId)) return notYetScheduled(view, event.TaskScheduledId);
            return view.finishedTasks.has(event.TaskScheduledId) ? 'discard' : 'accept';
        case EventType.TimerFired: {
            const fireAt = view.createdTimers.get(event.TimerId);
            if (fireAt === undefined) return notYetScheduled(view, event.TimerId);
            if (view.firedTimers.has(event.TimerId)) return 'discard';
            return Math.max(fireAt, Date.parse(event.FireAt)) > now.getTime() ? 'defer' : 'accept';
        }
        case EventType.SubOrchestrationInstanceCompleted:
        case EventType.SubOrchestrationInstanceFailed:
            if (!view.createdSubOrchestrations.has(event.TaskScheduledId))
                return notYetScheduled(view, event.TaskScheduledId);
            return view.finishedSubOrchestrations.has(event.TaskScheduledId) ? 'discard' : 'accept';
        case EventType.EventRaised:
            if (view.raisedEvents.has(raisedKey(event.Name, event.Input, event.Timestamp))) return 'discard';
            return isEntityResponse(event) && !view.sentRequests.has(event.Name) ? 'defer' : 'accept';
        case EventType.ExecutionTerminated:
            return 'accept';
        case EventType.ExecutionSuspended:
            return view.suspended ? 'discard' : 'accept';
        case EventType.ExecutionResumed:
            return view.suspended ? 'accept' : 'discard';
        case EventType.ExecutionRewound:
            // Sent after a rewind reopened the execution: it only needs to run an episode.
            return 'accept';
        default:
            return 'discard';
    }
}

export function takeIn(
    past: readonly HistoryEvent[],
    incoming: readonly TaskMessage[],
    now: Date,
    consumedBefore: ReadonlySet<string> = new Set(),
): Intake {
    let view = viewOf(past);
    const intake: Intake = { view, restarted: false, accepted: [], terminated: false, discarded: [], deferred: [] };
    for (const message of incoming) {
        const event = message.Event;
        if (intake.terminated) {
            intake.discarded.push(message);
            continue;
        }
        const clientKey = message.OrchestrationInstance.ExecutionId ? undefined : clientMessageKey(event);
        if (clientKey !== undefined && consumedBefore.has(consumedKeyHash(clientKey))) {
            intake.discarded.push(message);
            continue;
        }
        if (event.EventType === EventType.ExecutionStarted) {
            const scheduledStart = event.ScheduledStartTime ? new Date(event.ScheduledStartTime).getTime() : null;
            if (!view.started) {
                if (scheduledStart !== null && scheduledStart > now.getTime()) {
                    intake.deferred.push(message);
                    continue;
                }
                observe(view, event);
                intake.accepted.push(event);
            } else if (sameParent(view.started.ParentInstance, event.ParentInstance)) {
                // The parent's episode ran again and sent its start again: this child already exists.
                intake.discarded.push(message);
            } else if (
                view.completed &&
                event.OrchestrationInstance.ExecutionId !== view.started.OrchestrationInstance.ExecutionId &&
                Date.parse(event.Timestamp) > Date.parse(view.started.Timestamp)
            ) {
                // A new execution of a finished instance: its history starts over.
                view = emptyView();
                observe(view, event);
                intake.view = view;
                intake.restarted = true;
                intake.accepted = [event];
            } else {
                intake.discarded.push(message);
            }
            continue;
        }
        const verdict = verdictFor(view, message, now);
        if (verdict === 'accept') {
            observe(view, event);
            intake.accepted.push(event);
            if (event.EventType === EventType.ExecutionTerminated) intake.terminated = true;
        } else if (verdict === 'defer') {
            intake.deferred.push(message);
        } else {
            intake.discarded.push(message);
        }
    }
    return intake;
}
