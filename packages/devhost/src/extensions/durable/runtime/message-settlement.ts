/**
 * What becomes of the control messages an episode took (orchestration-dispatcher.ts, checkpoint step 3):
 * deleted once the checkpoint's row is stored (off the critical path, when the runtime is idle), put back
 * when the engine cannot apply them yet (an early timer, a scheduled start, a result that overtook its
 * schedule), released with the provider's back-off, or dropped as a start no row stands behind. The work runs
 * behind the episodes; `idle` waits for it (shutdown).
 */
import { errorMessage } from '../../../shared/errors';
import { EventType, type HistoryEvent, type TaskMessage } from '../../../shared/history';
import type { HostLogger } from '../../../shared/host-contracts';
import type { EpisodeResult } from '../engine';
import type { InstanceRecord, ReceivedMessage, TaskHubStorage } from '../task-hub-port/task-hub-storage';
import type { HeldMessages } from './held-messages';
import type { IdleWorkQueue } from './idle-work-queue';
import type { MessageLeases } from './message-leases';
import { startVerdict } from './start-guard';

export interface MessageSettlementOptions {
    storage: TaskHubStorage;
    leases: MessageLeases;
    idleWork: IdleWorkQueue;
    logger: HostLogger;
    /** The dispatcher's held messages and poison counts: a settled message leaves both. */
    held: HeldMessages;
    failures: Map<string, number>;
    /** Hands a message back to the dispatcher in memory (a result that rides on its work item's handle). */
    redeliver: (item: ReceivedMessage) => void;
}

export class MessageSettlement {
    readonly #o: MessageSettlementOptions;
    readonly #background = new Set<Promise<unknown>>();
    readonly #timers = new Set<NodeJS.Timeout>();

    constructor(options: MessageSettlementOptions) {
        this.#o = options;
    }

    /** Resolves when every delete and release started so far has settled; results waiting in memory are dropped. */
    async idle(): Promise<void> {
        for (const timer of this.#timers) clearTimeout(timer);
        this.#timers.clear();
        await Promise.allSettled([...this.#background]);
    }

    /** Runs `work` in the background (its failure is its own business: it logs). */
    track(work: Promise<unknown>): void {
        const settled = work.then(
            () => undefined,
            () => undefined,
        );
        this.#background.add(settled);
        void settled.then(() => this.#background.delete(settled));
    }

    /**
     * A client's start runs only if the row names it (start-guard.ts): one that lost its race, or whose row
     * write failed, is dropped; one whose row may still be on its way waits a little. The row given may be a
     * cached one from before a start the client has just written, so before a start is dropped or deferred
     * the row is read again (`reread`). Returns the messages to run and the row they were judged by.
     */
    async guardStarts(
        batch: ReceivedMessage[],
        cached: InstanceRecord | undefined,
        reread: () => Promise<InstanceRecord | undefined>,
    ): Promise<{ run: ReceivedMessage[]; record: InstanceRecord | undefined }> {
        if (batch.every((item) => startVerdict(item.message, cached, item.dequeueCount) === 'run'))
            return { run: batch, record: cached };
        const record = await reread();
        const run = batch.filter((item) => {
            const verdict = startVerdict(item.message, record, item.dequeueCount);
            if (verdict === 'discard') {
                this.#o.logger.warn(
                    `Instance ${item.message.OrchestrationInstance.InstanceId}: dropping start message ${item.messageId}: the instance's row names another start (execution ${record?.executionId ?? 'none'}).`,
                );
                this.track(this.delete(item));
            } else if (verdict === 'defer') {
                this.abandon([item]);
            }
            return verdict === 'run';
        });
        return { run, record };
    }

    /** 3. Delete what was consumed or discarded, once the row is stored; put back what the engine deferred. */
    settle(
        batch: readonly ReceivedMessage[],
        result: EpisodeResult,
        rowWritten: Promise<void>,
        events: readonly HistoryEvent[],
        now: Date,
    ): void {
        // Its failure is handled per message below; with every message deferred, nobody else would.
        this.track(rowWritten);
        const deferred = new Set<TaskMessage>(result.deferred);
        const deferredKeys = new Set(result.deferred.map(messageKey));
        const isDeferred = (item: ReceivedMessage): boolean =>
            deferred.has(item.message) || (deferredKeys.size > 0 && deferredKeys.has(messageKey(item.message)));
        for (const item of batch) {
            if (isDeferred(item)) {
                this.#putBack(item, events, now);
                continue;
            }
            // After the row: a crash before it leaves the messages to come back and repair the row. Until the row
            // is stored the message still counts against the buffer threshold (DTFx counts it until its delete,
            // which follows the checkpoint); after, only its delete is left, which waits for an idle moment.
            this.track(
                rowWritten.then(
                    () => {
                        this.#o.held.markSettled(item.messageId);
                        return this.#o.idleWork.add(() => this.delete(item));
                    },
                    () => this.abandon([item]),
                ),
            );
        }
    }

    /**
     * A message the engine cannot apply yet: an early timer (back at its FireAt), a scheduled start (back at
     * its start time), or a message that arrived before its instance exists or before its step was scheduled
     * (the provider's back-off; after more than 5 deliveries with still no instance it is dropped, as the
     * provider does). `events` is history as this episode left it.
     */
    #putBack(item: ReceivedMessage, events: readonly HistoryEvent[], now: Date): void {
        const event = item.message.Event;
        if (item.queueName === this.#o.storage.workItemQueueName) {
            // A result handed over on its work item's handle: released, the work item would run again. It
            // stays here, and comes back at once if this episode scheduled its step.
            const step = 'TaskScheduledId' in event ? Number(event.TaskScheduledId) : -1;
            const scheduled = events.some((e) => e.EventType === EventType.TaskScheduled && e.EventId === step);
            this.#later(item, scheduled ? 0 : Math.min(2 ** Math.max(0, item.dequeueCount), 60));
            return;
        }
        let dueAt: number | undefined;
        if (event.EventType === EventType.TimerFired) {
            // The committed FireAt wins over the message's (a lost attempt's timer message may carry an earlier one).
            const created = events.find((e) => e.EventType === EventType.TimerCreated && e.EventId === event.TimerId);
            const committed = created?.EventType === EventType.TimerCreated ? Date.parse(created.FireAt) : NaN;
            dueAt = Math.max(Date.parse(event.FireAt), Number.isFinite(committed) ? committed : 0);
        } else if (event.EventType === EventType.ExecutionStarted && event.ScheduledStartTime)
            dueAt = Date.parse(event.ScheduledStartTime);
        if (dueAt !== undefined && Number.isFinite(dueAt)) {
            this.abandon([item], Math.max(1, Math.ceil((dueAt - now.getTime()) / 1000)));
            return;
        }
        if (events.length === 0 && item.dequeueCount > 5) {
            this.#o.logger.warn(
                `Dropping message ${item.messageId} (${EventType[event.EventType]}) for instance ${item.message.OrchestrationInstance.InstanceId}: the instance does not exist.`,
            );
            this.track(this.delete(item));
            return;
        }
        this.abandon([item]);
    }

    #later(item: ReceivedMessage, seconds: number): void {
        this.#o.held.delete(item.messageId);
        const timer = setTimeout(() => {
            this.#timers.delete(timer);
            // The same object: its lease renews it in place (message-leases.ts), receipt included.
            item.dequeueCount++;
            this.#o.redeliver(item);
        }, seconds * 1000);
        this.#timers.add(timer);
    }

    delete(item: ReceivedMessage): Promise<void> {
        return this.#o.leases
            .letGo(item)
            .then(() => this.#o.storage.deleteMessage(item))
            .catch((error: unknown) =>
                this.#o.logger.warn(`Could not delete message ${item.messageId}: ${errorMessage(error)}`),
            )
            .finally(() => {
                this.#o.held.delete(item.messageId);
                this.#o.failures.delete(item.messageId);
            });
    }

    /** Makes messages visible again with the provider's back-off (min(2^dequeueCount, 600) s). */
    abandon(batch: readonly ReceivedMessage[], delaySeconds?: number): void {
        for (const item of batch) {
            const delay = delaySeconds ?? Math.min(2 ** Math.max(0, item.dequeueCount), 600);
            this.track(
                this.#o.leases
                    .letGo(item)
                    .then(() => this.#o.storage.releaseMessage(item, delay))
                    .catch((error: unknown) =>
                        this.#o.logger.warn(`Could not release message ${item.messageId}: ${errorMessage(error)}`),
                    )
                    .finally(() => this.#o.held.delete(item.messageId)),
            );
        }
    }
}

function messageKey(message: TaskMessage): string {
    return JSON.stringify(message);
}
