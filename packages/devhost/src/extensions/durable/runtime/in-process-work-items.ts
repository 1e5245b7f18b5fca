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
 * - A crash loses the in-memory items. The first time a process meets an instance (start-up recovery meets
 *   every unfinished one: startup-recovery.ts) it runs again each task its history scheduled and holds no
 *   result for: at least once, and the orchestration keeps the first result (history is the truth).
 * - Within the process, a message handed back (a lost ETag race, a failed episode, a failed result send)
 *   is delivered again after the same back-off a queue would apply.
 *
 * - A client's start of a new instance (no row yet, no scheduled start time) is handed to the orchestration
 *   dispatcher in memory too: the Pending row it inserts (marked `StartedInMemory`) is the durable record, so
 *   recovery starts every such instance that has no history yet (recovery-nudge.ts). A Pending row without
 *   the mark (the provider's, a restart, a scheduled start) has its ExecutionStarted message on the queue.
 *
 * - A graceful stop hands what is still in memory over to the queues (`handOver` below): work items to
 *   `<hub>-workitems`, starts and results to their control queues, and marks the hub lock so the next devhost
 *   skips recovery (durable-runtime.ts). The provider, which reads only queues, then finds all of it.
 *
 * Timers, sub-orchestration starts, restarts, events and the client's other messages still go through the
 * control queues: other processes and the real extension read those. Storage without a hub lock keeps the
 * queue path.
 */
import { randomUUID } from 'node:crypto';
import { EventType, type HistoryEvent, type TaskMessage, type TaskScheduledEvent } from '../../../shared/history';
import { addressed } from '../engine';
import type { ReceivedMessage } from '../task-hub-port/task-hub-storage';
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

/** What a stop handed over to the queues (InProcessAwareStorage.handOver). */
export interface HandOverReport {
    /** Work items and control messages sent. */
    sent: number;
    /** Sends that failed: their work is left to the next devhost's recovery. */
    failed: number;
    /** Recovery's nudges not yet run: their instances were not checked against history. */
    unchecked: number;
}

/**
 * The runtime's storage: throttled, and aware of in-process messages. Deleting one is a no-op (there is no
 * queue copy); releasing one delivers it again after the delay, as a queue would make it visible again.
 *
 * From `handOver` on (a graceful stop), a released in-process message goes to the queue the provider reads
 * it from instead: a work item to `<hub>-workitems`, anything else to its instance's control queue. So what
 * was in this process's memory only is where `func start` or the deployed app looks for it
 * (docs/protocol.md, "Sharing a hub with the extension").
 */
export class InProcessAwareStorage extends ThrottledStorage {
    readonly #timers = new Map<NodeJS.Timeout, ReceivedMessage>();
    #redeliver: ((message: ReceivedMessage) => void) | undefined;
    #handingOver = false;
    #notWork: (message: ReceivedMessage) => boolean = () => false;
    readonly #handOvers: Promise<void>[] = [];
    readonly #report: HandOverReport = { sent: 0, failed: 0, unchecked: 0 };

    /** Where released in-process messages go again (the runtime routes them to the right dispatcher). */
    onRedeliver(redeliver: (message: ReceivedMessage) => void): void {
        this.#redeliver = redeliver;
    }

    /**
     * From now on in-process messages go to their queues; the ones waiting for a redelivery go now. `notWork`
     * names messages that are no work for anyone (recovery's nudges): counted as `unchecked`, not sent.
     */
    handOver(notWork: (message: ReceivedMessage) => boolean): void {
        this.#handingOver = true;
        this.#notWork = notWork;
        this.#redeliver = undefined;
        for (const [timer, message] of this.#timers) {
            clearTimeout(timer);
            this.#send(message);
        }
        this.#timers.clear();
    }

    /** Resolves when every hand-over send has settled. */
    async handedOver(): Promise<HandOverReport> {
        while (this.#handOvers.length > 0) await Promise.allSettled(this.#handOvers.splice(0));
        return { ...this.#report };
    }

    override deleteMessage(message: ReceivedMessage): Promise<void> {
        return isInProcess(message) ? Promise.resolve() : super.deleteMessage(message);
    }

    override releaseMessage(message: ReceivedMessage, delaySeconds: number): Promise<void> {
        if (!isInProcess(message)) return super.releaseMessage(message, delaySeconds);
        if (this.#handingOver) {
            this.#send(message);
            return Promise.resolve();
        }
        const redeliver = this.#redeliver;
        if (!redeliver) return Promise.resolve();
        const timer = setTimeout(() => {
            this.#timers.delete(timer);
            redeliver({ ...message, dequeueCount: message.dequeueCount + 1 });
        }, delaySeconds * 1000);
        this.#timers.set(timer, message);
        return Promise.resolve();
    }

    #send(received: ReceivedMessage): void {
        const { message } = received;
        if (this.#notWork(received)) {
            this.#report.unchecked++;
            return;
        }
        const target = message.OrchestrationInstance;
        const sent =
            message.Event.EventType === EventType.TaskScheduled
                ? super.sendWorkItem(message, {
                      origin: { sender: { InstanceId: target.InstanceId, ExecutionId: target.ExecutionId ?? '' } },
                  })
                : super.sendControlMessage(message);
        this.#handOvers.push(
            sent.then(
                () => void this.#report.sent++,
                () => void this.#report.failed++,
            ),
        );
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
