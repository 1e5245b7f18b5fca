/**
 * Activity work items this process runs without a queue message.
 *
 * The provider sends every activity to the `<hub>-workitems` queue and deletes it when the result is in
 * (docs/protocol.md §7). On Azurite those two calls per activity are most of the cost of a fan-out (20,000
 * calls for 10,000 activities, each ~2 ms of Azurite's single core) and two of an order's critical-path
 * calls per step. The devhost holds its task hub alone (hub-lock.ts), so it can keep work items in memory
 * and take durability from history instead, as DBOS recovers pending workflows from its database:
 *
 * - An episode's `TaskScheduled` events are committed with its history batch, with their inputs (as the
 *   extension does with `storeInputsInOrchestrationHistory`). The activities start as that commit starts,
 *   as the provider sends its work items before its history write (the activity and the commit overlap);
 *   each result goes to the instance's next episode, which runs only after this one (its commit included),
 *   and history decides as for any message: if the commit failed, the result has no task to answer and is
 *   discarded, and the repeated episode schedules the task again. So an activity may run for a schedule a
 *   failed checkpoint dropped: at least once, exactly as with the provider's early sends.
 * - The result goes to the orchestration dispatcher in memory, as the fast path already does for work items
 *   it sent itself; the checkpoint that records it is the moment the work item is done.
 * - A crash loses the in-memory items. At start-up (the hub lock taken), `recoverInProcessWork` reads every
 *   unfinished instance's history and runs again each task scheduled and not answered: at least
 *   once, and the orchestration keeps the first result (history is the truth). Pending rows are read too:
 *   the row write of a checkpoint follows its history write, so a crash between them leaves it Pending.
 * - Within the process, a message handed back (a lost ETag race, a failed episode, a failed result send)
 *   is delivered again after the same back-off a queue would apply.
 *
 * - A client's start of a new instance (no row yet, no scheduled start time) is handed to the orchestration
 *   dispatcher in memory too: the Pending row it inserts (marked `StartedInMemory`) is the durable record, so
 *   recovery starts every such instance that has no history yet (docs/architecture.md). A Pending row without
 *   the mark (the provider's, a restart, a scheduled start) has its ExecutionStarted message on the queue.
 *
 * Timers, sub-orchestration starts, restarts, events and the client's other messages still go through the
 * control queues: other processes and the real extension read those. Storage without a hub lock keeps the
 * queue path.
 */
import { randomUUID } from 'node:crypto';
import type { HostLogger } from '../../contracts/host';
import { errorMessage } from '../../contracts/errors';
import type { InstanceRecord, ReceivedMessage, TaskHubStorage } from '../../ports/task-hub-storage';
import { EventType, type HistoryEvent, type TaskMessage, type TaskScheduledEvent } from '../../protocol/history';
import { addressed, executionStartedMessage } from '../engine';
import { ThrottledStorage } from './throttled-storage';

/** The queue name of a message that lives only in this process's memory. */
export const IN_PROCESS_QUEUE = '(in-process)';

export function isInProcess(message: ReceivedMessage): boolean {
    return message.queueName === IN_PROCESS_QUEUE;
}

/** A handle like a received queue message, for a work item that was never sent. */
export function inProcessWorkItem(message: TaskMessage, now: Date): ReceivedMessage {
    return {
        message,
        queueName: IN_PROCESS_QUEUE,
        messageId: `in-process-${randomUUID()}`,
        popReceipt: '',
        dequeueCount: 0,
        insertedOn: now,
    };
}

/**
 * The runtime's storage: throttled, and aware of in-process messages. Deleting one is a no-op (there is no
 * queue copy); releasing one delivers it again after the delay, as a queue would make it visible again.
 */
export class InProcessAwareStorage extends ThrottledStorage {
    readonly #timers = new Set<NodeJS.Timeout>();
    #redeliver: ((message: ReceivedMessage) => void) | undefined;

    /** Where released in-process messages go again (the runtime routes them to the right dispatcher). */
    onRedeliver(redeliver: (message: ReceivedMessage) => void): void {
        this.#redeliver = redeliver;
    }

    /** Drops the pending redeliveries: after a stop, start-up recovery finds their tasks in history. */
    stopRedelivering(): void {
        for (const timer of this.#timers) clearTimeout(timer);
        this.#timers.clear();
        this.#redeliver = undefined;
    }

    override deleteMessage(message: ReceivedMessage): Promise<void> {
        return isInProcess(message) ? Promise.resolve() : super.deleteMessage(message);
    }

    override releaseMessage(message: ReceivedMessage, delaySeconds: number): Promise<void> {
        if (!isInProcess(message)) return super.releaseMessage(message, delaySeconds);
        const redeliver = this.#redeliver;
        if (!redeliver) return Promise.resolve();
        const timer = setTimeout(() => {
            this.#timers.delete(timer);
            redeliver({ ...message, dequeueCount: message.dequeueCount + 1 });
        }, delaySeconds * 1000);
        this.#timers.add(timer);
        return Promise.resolve();
    }
}

/**
 * The tasks of the current execution that history scheduled with their input and holds no result for. A
 * TaskScheduled without input was scheduled through the work-item queue (history kept no input then), and
 * its work item is still there.
 */
export function unansweredTasks(events: readonly HistoryEvent[]): TaskScheduledEvent[] {
    const answered = new Set<number>();
    for (const event of events) {
        if (event.EventType === EventType.TaskCompleted || event.EventType === EventType.TaskFailed)
            answered.add(event.TaskScheduledId);
    }
    return events.filter(
        (event): event is TaskScheduledEvent =>
            event.EventType === EventType.TaskScheduled && event.Input !== null && !answered.has(event.EventId),
    );
}

/** The work items of `unansweredTasks`, addressed to the execution that scheduled them. */
export function unansweredTaskMessages(
    instanceId: string,
    executionId: string,
    events: readonly HistoryEvent[],
): TaskMessage[] {
    const instance = { InstanceId: instanceId, ExecutionId: executionId };
    return unansweredTasks(events).map((event) => addressed(event, instance));
}

/**
 * Start-up recovery: every unfinished instance's scheduled, unanswered tasks are run again (a crashed
 * process's in-process work items), and instances started in memory that never checkpointed are started.
 * `orchestrate` takes the messages for the orchestration dispatcher. Returns how many activities were handed
 * over.
 */
export async function recoverInProcessWork(
    storage: TaskHubStorage,
    run: (workItem: ReceivedMessage) => void,
    orchestrate: (message: ReceivedMessage) => void,
    logger: HostLogger,
    clock: () => Date,
): Promise<number> {
    let recovered = 0;
    let started = 0;
    let instances = 0;
    let token: string | undefined;
    do {
        const page = await storage.queryInstances(
            // Pending too: a crash between a first checkpoint and its (deferred) row write leaves the row Pending.
            { runtimeStatus: ['Pending', 'Running', 'Suspended'], top: 100, excludeInput: true },
            token,
        );
        token = page.continuationToken;
        const counts = await Promise.all(
            page.instances.map((record) => recoverInstance(storage, record, run, orchestrate, logger, clock)),
        );
        for (const count of counts) {
            if (count === 'started') started++;
            else recovered += count;
            if (count !== 0) instances++;
        }
    } while (token);
    if (started > 0)
        logger.warn(`Started ${started} instance(s) that a previous process accepted and did not get to start.`);
    if (recovered > 0)
        logger.warn(
            `Recovered ${recovered} activit${recovered === 1 ? 'y' : 'ies'} of ${instances} instance(s) that a previous process scheduled and did not finish; they run again.`,
        );
    return recovered;
}

async function recoverInstance(
    storage: TaskHubStorage,
    record: InstanceRecord,
    run: (workItem: ReceivedMessage) => void,
    orchestrate: (message: ReceivedMessage) => void,
    logger: HostLogger,
    clock: () => Date,
): Promise<number | 'started'> {
    const history = await storage.readHistory(record.instanceId);
    if (history.executionId === null) {
        return startedInMemory(record) && (await startFromRow(storage, record.instanceId, orchestrate, logger, clock))
            ? 'started'
            : 0;
    }
    const open = unansweredTaskMessages(record.instanceId, history.executionId, history.events);
    if (open.length === 0) {
        // The row is written after the history: a crash between them leaves it behind (still Running while
        // history says Completed). A queue message would come back and repair it; an in-process result has
        // no queue copy, so recovery hands the last one to the orchestration dispatcher again, which drops it
        // as a duplicate and rewrites the row if it lags (the same repair a redelivered message gets).
        const last = history.events.findLast(
            (e) => e.EventType === EventType.TaskCompleted || e.EventType === EventType.TaskFailed,
        );
        const instance = { InstanceId: record.instanceId, ExecutionId: history.executionId };
        if (last) orchestrate(inProcessWorkItem(addressed(last, instance), clock()));
        return 0;
    }
    for (const message of open) run(inProcessWorkItem(message, clock()));
    return open.length;
}

/** A Pending row of a start handed over in memory: no message will start it if this process died first. */
function startedInMemory(record: InstanceRecord): boolean {
    return record.runtimeStatus === 'Pending' && record.startedInMemory === true;
}

/**
 * Hands the orchestration dispatcher the ExecutionStarted the row describes (the listing left out its input).
 * A row whose input is not JSON (edited by hand) is left Pending with a warning, not allowed to stop recovery.
 */
async function startFromRow(
    storage: TaskHubStorage,
    instanceId: string,
    orchestrate: (message: ReceivedMessage) => void,
    logger: HostLogger,
    clock: () => Date,
): Promise<boolean> {
    const row = await storage.readInstance(instanceId);
    if (!row || !startedInMemory(row)) return false;
    let input: unknown;
    try {
        input = row.input === null ? undefined : (JSON.parse(row.input) as unknown);
    } catch (error) {
        logger.warn(`Instance ${instanceId} stays Pending: its row's input is not JSON (${errorMessage(error)}).`);
        return false;
    }
    const message = executionStartedMessage({
        instanceId,
        executionId: row.executionId,
        name: row.name,
        version: row.version,
        input,
        scheduledStartTime: null,
        now: row.createdTime,
    });
    orchestrate(inProcessWorkItem(message, clock()));
    return true;
}

/** Logs instead of failing start-up: recovery can be retried by the next start. */
export function reportRecoveryFailure(logger: HostLogger, error: unknown): void {
    logger.error(`Recovering the activities of unfinished instances failed: ${errorMessage(error)}`);
}
