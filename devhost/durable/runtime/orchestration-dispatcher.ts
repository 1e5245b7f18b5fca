/**
 * Runs orchestration episodes. Messages arrive from this process's own enqueues (at once) and from one poller
 * per control-queue partition (other processes, timers, recovery). They are grouped by instance; an instance
 * runs ONE episode at a time over EVERY message it has pending (as the provider's orchestration session takes
 * all buffered messages of an instance; controlQueueBatchSize only limits one receive), and at most
 * maxConcurrentOrchestratorFunctions episodes run at once. Taking everything matters at scale: the results of
 * a 10,000-activity fan-in arrive while an episode runs, and each episode replays the whole history, so
 * 32-message batches would need hundreds of replays where a few suffice.
 *
 * Checkpoint order (the provider's, docs/protocol.md §7), and why a crash anywhere converges:
 *   1. send the outbound messages (work items, timers, sub-orchestration starts, events, parent notifications);
 *      work items beyond the send window are saved in an outbox instead and sent after step 2
 *      (work-item-outbox.ts), and the inbound messages wait for that before step 3;
 *   2. append the history batch under the sentinel ETag (the commit point), then upsert the Instances row;
 *   3. delete the inbound messages (and the ones the engine discarded as duplicates).
 * - Crash before 2: the inbound messages reappear and the episode runs again; its outbound messages are sent
 *   again, and their results are matched by EventId, so the second copies are discarded as duplicates.
 * - Crash between 2 and 3: the inbound messages reappear, but history already holds their events, so the
 *   engine discards them ("history is the truth").
 * - Between the history write and the row write the row may lag; the next checkpoint or a redelivery fixes it.
 * - A lost ETag race (CheckpointConflictError) means another writer committed first: drop the cached state and
 *   release the messages for redelivery; nothing of this episode is kept.
 * Deletes (3) run off the critical path, when the runtime is idle (IdleWorkQueue): the next episode of the
 * instance may start before them.
 *
 * Held messages are kept invisible by short, renewed leases (MessageLeases), so after a crash they reappear
 * within one lease. Poison: when episodes have failed (not a lost ETag race, a deferral or a lapsed lease: only
 * real failures count, in this process) `maxDequeueCount` times on a message, its batch is set aside
 * (storage.setAsideMessage, or logged and deleted) and the instance fails with a reason naming the messages and
 * the error, instead of looping; a sub-orchestration's parent is told (SubOrchestrationInstanceFailed).
 */
import {
    CheckpointConflictError,
    type InstanceRecord,
    type ReceivedMessage,
    type StoredOutbox,
    type TaskHubStorage,
} from '../../ports/task-hub-storage';
import type { HostLogger } from '../../contracts/host';
import {
    EventType,
    isTerminalStatus,
    RuntimeStatus,
    type ExecutionStartedEvent,
    type HistoryEvent,
    type TaskMessage,
} from '../../protocol/history';
import {
    addressed,
    runEpisode,
    type EngineOptions,
    type EpisodeResult,
    type InvokeOrchestrator,
    type OutboundMessage,
} from '../engine';
import {
    executionCompleted,
    orchestratorCompleted,
    orchestratorStarted,
    subOrchestrationFailed,
} from '../engine/events';
import { isEntityInstanceId } from '../engine/entity-protocol';
import { runEntityEpisode, type InvokeEntity } from '../engine/entity-episode';
import { HeldMessages } from './held-messages';
import type { MessageLeases } from './message-leases';
import { InstanceStateCache, type InstanceState } from './instance-state-cache';
import type { IdleWorkQueue } from './idle-work-queue';
import { REFRESH_ROW_DELAY_MS, type InstanceRowWriter } from './instance-row-writer';
import type { MessageTransport } from './message-transport';
import { PollLoop } from './poll-loop';
import { Semaphore } from './semaphore';
import { errorMessage } from '../../contracts/errors';
import type { WorkItemOutbox } from './work-item-outbox';
import { isInProcess, unansweredTaskMessages } from './in-process-work-items';

export interface OrchestrationDispatcherOptions {
    storage: TaskHubStorage;
    transport: MessageTransport;
    invoke: InvokeOrchestrator;
    /** Runs entity batches: instances named `@name@key` are entities (docs/protocol.md §14). */
    invokeEntity: InvokeEntity;
    engineOptions: EngineOptions;
    knownOrchestrators: ReadonlySet<string>;
    maxConcurrent: number;
    batchSize: number;
    visibilityTimeoutSeconds: number;
    maxPollingIntervalMs: number;
    logger: HostLogger;
    clock: () => Date;
    newGuid: () => string;
    /** Where message deletes wait for a quiet moment. */
    idleWork: IdleWorkQueue;
    /** Shared with the client, so the Pending row and checkpoint rows of an instance are written in order. */
    rows: InstanceRowWriter;
    /** Called after each checkpoint's row is stored (tests and waiters observe progress without polling). */
    onCheckpoint?: (record: InstanceRecord) => void;
    /** Renews the invisibility of every message held here. */
    leases: MessageLeases;
    /** Deliveries after which a message whose episode keeps failing is set aside as poison. */
    maxDequeueCount: number;
    /** Where the work items of a large fan-out wait to be sent after the commit (work-item-outbox.ts). */
    outbox: WorkItemOutbox;
    /**
     * Runs an episode's work items in this process without sending them (in-process-work-items.ts). Called
     * as the commit that records their TaskScheduled events starts, as the provider sends work items before
     * its history write. Their results come back through `deliver`, so they reach the instance's next
     * episode, which runs only after this one (its commit included) ended. History then decides, as for any
     * message: a result whose schedule was not recorded is discarded (the episode runs again and schedules
     * the task again), one whose schedule was is applied. Absent: work items go to the queue.
     */
    runInProcess?: (workItems: readonly TaskMessage[]) => void;
}

/** Messages held in memory before the control pollers stop receiving (the provider's buffer threshold). */
const BUFFER_THRESHOLD = 256;

export class OrchestrationDispatcher {
    readonly #o: OrchestrationDispatcherOptions;
    readonly #slots: Semaphore;
    readonly #state = new InstanceStateCache();
    readonly #rows: InstanceRowWriter;
    /** Every control message this process holds (pending or in an episode), by message id. */
    readonly #held = new HeldMessages();
    readonly #pending = new Map<string, ReceivedMessage[]>();
    /** Failed episodes per held message id (the poison count); forgotten when the message is deleted. */
    readonly #failures = new Map<string, number>();
    readonly #ready: string[] = [];
    readonly #running = new Map<string, Promise<void>>();
    readonly #background = new Set<Promise<unknown>>();
    readonly #pollers: PollLoop[];
    #stopped = false;

    constructor(options: OrchestrationDispatcherOptions) {
        this.#o = options;
        this.#slots = new Semaphore(options.maxConcurrent);
        this.#rows = options.rows;
        this.#pollers = Array.from({ length: options.storage.partitionCount }, (_, partition) => {
            const queueName = options.storage.controlQueueName(partition);
            return new PollLoop({
                name: queueName,
                maxDelayMs: options.maxPollingIntervalMs,
                poll: () => this.#poll(partition),
                onError: (error) => options.logger.warn(`Polling ${queueName} failed: ${errorMessage(error)}`),
            });
        });
    }

    start(): void {
        for (const poller of this.#pollers) poller.start();
    }

    wake(partition: number): void {
        this.#pollers[partition]?.wake();
    }

    get activeCount(): number {
        return this.#running.size;
    }

    /**
     * The client created this instance and knows its whole state: a Pending row and no history. Seeding the
     * cache saves the first episode its reads; if the guess is wrong the first checkpoint's ETag check says so.
     */
    seedNewInstance(record: InstanceRecord): void {
        if (this.#running.has(record.instanceId)) return;
        this.#state.set(record.instanceId, { events: [], executionId: null, etag: undefined, record });
    }

    /** Its history was rewritten or purged elsewhere: the next episode must read it again. */
    forgetInstance(instanceId: string): void {
        this.#state.drop(instanceId);
    }

    deliver(received: ReceivedMessage): void {
        if (this.#held.refresh(received) || this.#stopped) return;
        this.#held.add(received);
        this.#o.leases.hold(received);
        const instanceId = received.message.OrchestrationInstance.InstanceId;
        const list = this.#pending.get(instanceId);
        if (list) list.push(received);
        else this.#pending.set(instanceId, [received]);
        this.#markReady(instanceId);
        this.#pump();
    }

    /**
     * Stops polling, lets running episodes finish and runs the ones already pending for up to `drainMs` (the
     * results of activities that finished during the stop are in memory only: committing them now saves
     * running them again after the restart), then hands the rest back.
     */
    async stop(drainMs = 0): Promise<void> {
        await Promise.all(this.#pollers.map((poller) => poller.stop()));
        const deadline = Date.now() + drainMs;
        while (this.#running.size > 0 && Date.now() < deadline) {
            await Promise.allSettled([...this.#running.values()]);
        }
        this.#stopped = true;
        await Promise.allSettled([...this.#running.values()]);
        // Messages received but not processed go back to their queues at once, so a restart (or another
        // process) takes them without waiting for their visibility timeout.
        const unprocessed = [...this.#pending.values()].flat();
        this.#pending.clear();
        this.#ready.length = 0;
        this.#abandon(unprocessed, 0);
        await this.#rows.drain();
        await Promise.allSettled([...this.#background]);
    }

    async #poll(partition: number): Promise<number | 'busy'> {
        if (this.#held.size >= BUFFER_THRESHOLD) return 'busy';
        const received = await this.#o.storage.receiveControlMessages(
            partition,
            this.#o.batchSize,
            this.#o.visibilityTimeoutSeconds,
        );
        for (const message of received) this.deliver(message);
        return received.length;
    }

    #markReady(instanceId: string): void {
        if (!this.#running.has(instanceId) && !this.#ready.includes(instanceId)) this.#ready.push(instanceId);
    }

    #pump(): void {
        while (!this.#stopped && this.#ready.length > 0 && this.#slots.tryAcquire()) {
            const instanceId = this.#ready.shift();
            const list = instanceId === undefined ? undefined : this.#pending.get(instanceId);
            if (instanceId === undefined || !list || list.length === 0) {
                this.#slots.release();
                continue;
            }
            const batch = list;
            this.#pending.delete(instanceId);
            const episode = this.#runEpisode(instanceId, batch).finally(() => {
                this.#running.delete(instanceId);
                this.#slots.release();
                if (this.#pending.has(instanceId)) this.#markReady(instanceId);
                this.#pump();
            });
            this.#running.set(instanceId, episode);
        }
    }

    async #runEpisode(instanceId: string, received: ReceivedMessage[]): Promise<void> {
        let state: InstanceState | undefined;
        let batch = received;
        try {
            // First episode of the instance in this process (or after its cache entry was dropped): outboxes a
            // crashed process left behind are sent again (work-item-outbox.ts).
            const loaded = this.#state.peek(instanceId) === undefined;
            const fresh = loaded && this.#o.outbox.enabled;
            state = await this.#state.load(this.#o.storage, instanceId);
            const record = state.record;
            if (loaded && record === undefined) this.#runOrphanedTasks(instanceId, state);
            const losers = batch.filter((item) => lostStart(item.message, record));
            if (losers.length > 0) {
                for (const item of losers) this.#track(this.#delete(item));
                batch = batch.filter((item) => !losers.includes(item));
                if (batch.length === 0) return;
            }
            const leftOver = fresh ? ((await this.#o.storage.readOutboxes?.(instanceId)) ?? []) : [];
            const now = this.#o.clock();
            const incoming = batch.map((m) => m.message);
            const consumedBefore = state.consumedBefore ?? [];
            // An entity is an instance like any other (same queues, history, rows, checkpoint); only its
            // episode differs: one batch of operations instead of an orchestrator replay.
            const result = isEntityInstanceId(instanceId)
                ? await runEntityEpisode(
                      { instanceId, past: state.events, incoming, now, newGuid: this.#o.newGuid, consumedBefore },
                      this.#o.invokeEntity,
                  )
                : await runEpisode(
                      {
                          instanceId,
                          past: state.events,
                          incoming,
                          now,
                          newGuid: this.#o.newGuid,
                          options: this.#o.engineOptions,
                          knownOrchestrators: this.#o.knownOrchestrators,
                          customStatus: state.record?.customStatus ?? null,
                          consumedBefore,
                      },
                      this.#o.invoke,
                  );
            const { rowWritten, drained } = await this.#checkpoint(instanceId, state, result, now);
            const recovered = leftOver.map((outbox) => this.#resend(instanceId, outbox));
            const sent = Promise.all([drained, ...recovered]).then((all) => all.every(Boolean));
            this.#settleMessages(instanceId, batch, result, rowWritten, sent, state, now);
        } catch (error) {
            this.#state.drop(instanceId);
            if (error instanceof CheckpointConflictError) {
                this.#o.logger.warn(
                    `Instance ${instanceId}: another writer checkpointed first; its messages will be redelivered.`,
                );
                this.#abandon(batch);
                return;
            }
            // Attempts count only episodes that failed on the message, in this process: a queue's dequeueCount
            // also grows with deferrals, lost ETag races and lapsed leases, none of which says the message is bad.
            const attempts = Math.max(...batch.map((m) => this.#countFailure(m)));
            if (attempts >= this.#o.maxDequeueCount) {
                await this.#setAside(instanceId, batch, error, attempts);
                return;
            }
            this.#o.logger.error(
                `Instance ${instanceId}: episode failed (attempt ${attempts} of ${this.#o.maxDequeueCount}): ${errorMessage(error)}`,
            );
            this.#abandon(batch);
        }
    }

    /**
     * An instance with history and no row, seen for the first time by this process: a sub-orchestration whose
     * first checkpoint committed and whose (deferred) row write was lost with its process. Start-up recovery
     * finds unfinished instances by their rows, so it missed this one, and its in-process tasks would never
     * run: run the ones history has no result for now (at least once, as recovery does).
     */
    #runOrphanedTasks(instanceId: string, state: InstanceState): void {
        const runInProcess = this.#o.runInProcess;
        if (!runInProcess || state.executionId === null) return;
        const open = unansweredTaskMessages(instanceId, state.executionId, state.events);
        if (open.length === 0) return;
        this.#o.logger.warn(
            `Instance ${instanceId}: running ${open.length} activit${open.length === 1 ? 'y' : 'ies'} again that a previous process scheduled before its status row was written.`,
        );
        runInProcess(open);
    }

    #countFailure(item: ReceivedMessage): number {
        const failures = (this.#failures.get(item.messageId) ?? 0) + 1;
        this.#failures.set(item.messageId, failures);
        return failures;
    }

    /**
     * Poison: the batch can never be processed. Keep the messages aside (or log them), then fail the instance
     * with a reason that says so: history gets ExecutionCompleted(Failed) when it can still be written, and
     * the row says Failed either way. Nothing is retried after this.
     */
    async #setAside(instanceId: string, batch: ReceivedMessage[], error: unknown, attempts: number): Promise<void> {
        const kinds = batch.map((m) => `${m.messageId} (${EventType[m.message.Event.EventType]})`).join(', ');
        const reason = `The devhost set aside ${batch.length} message(s) for this instance after ${attempts} failed attempts to process them: ${kinds}. Last error: ${errorMessage(error)}`;
        this.#o.logger.error(`Instance ${instanceId}: poison message(s). ${reason}`);
        await Promise.all(
            batch.map(async (item) => {
                await this.#o.leases.letGo(item);
                try {
                    // An in-process message has no queue copy to keep: the log below is its record.
                    if (this.#o.storage.setAsideMessage && !isInProcess(item)) {
                        const where = await this.#o.storage.setAsideMessage(item, reason);
                        this.#o.logger.error(`Message ${item.messageId} was set aside in '${where}'.`);
                    } else {
                        this.#o.logger.error(
                            `Message ${item.messageId} deleted as poison: ${JSON.stringify(item.message)}`,
                        );
                        await this.#o.storage.deleteMessage(item);
                    }
                } catch (setAsideError) {
                    this.#o.logger.warn(
                        `Could not set aside message ${item.messageId}: ${errorMessage(setAsideError)}`,
                    );
                } finally {
                    this.#held.delete(item.messageId);
                    this.#failures.delete(item.messageId);
                }
            }),
        );
        try {
            await this.#failInstance(instanceId, reason, batch);
        } catch (failError) {
            this.#o.logger.error(`Instance ${instanceId}: could not be marked failed: ${errorMessage(failError)}`);
        }
    }

    async #failInstance(instanceId: string, reason: string, batch: readonly ReceivedMessage[]): Promise<void> {
        const now = this.#o.clock();
        const [history, row] = await Promise.all([
            this.#o.storage.readHistory(instanceId).catch(() => undefined),
            this.#o.storage.readInstance(instanceId),
        ]);
        const committedStart = history ? executionStarted(history.events) : undefined;
        // A first episode that never committed: the instance is only its start message.
        const started = committedStart ?? startIn(batch);
        const finished =
            history?.events.some(
                (e) => e.EventType === EventType.ExecutionCompleted || e.EventType === EventType.ExecutionTerminated,
            ) ?? false;
        if (!started || finished) {
            this.#state.drop(instanceId);
            if (row && !isTerminalStatus(row.runtimeStatus)) await this.#rows.write(failedRow(row, reason, now));
            return;
        }
        // A sub-orchestration's parent waits for its outcome: tell it, as a failing episode would (DTFx sends
        // SubOrchestrationInstanceFailed when a child fails). Sent before the history write, like every outbound
        // message of a checkpoint; a repeat is discarded by the parent as a duplicate.
        const parent = started.ParentInstance;
        if (parent) {
            await this.#o.transport.send({
                queue: 'control',
                message: addressed(
                    subOrchestrationFailed(parent.TaskScheduleId, reason, reason, now),
                    parent.OrchestrationInstance,
                ),
            });
        }
        const executionId = started.OrchestrationInstance.ExecutionId;
        const opening = committedStart ? [orchestratorStarted(now)] : [orchestratorStarted(now), started];
        await this.#o.storage
            .appendHistory({
                instanceId,
                executionId,
                startIndex: committedStart && history ? history.events.length : 0,
                events: [
                    ...opening,
                    executionCompleted(-1, RuntimeStatus.Failed, reason, now),
                    orchestratorCompleted(now),
                ],
                etag: history?.etag,
                isCheckpointComplete: true,
                newExecution: !committedStart,
            })
            .catch((error: unknown) =>
                this.#o.logger.warn(
                    `Instance ${instanceId}: the failure could not be written to history: ${errorMessage(error)}`,
                ),
            );
        this.#state.drop(instanceId);
        if (row && isTerminalStatus(row.runtimeStatus)) return;
        await this.#rows.write(
            failedRow(
                row ?? {
                    instanceId,
                    executionId,
                    name: started.Name,
                    version: started.Version,
                    input: started.Input,
                    output: null,
                    customStatus: null,
                    runtimeStatus: 'Pending',
                    createdTime: new Date(started.Timestamp),
                    lastUpdatedTime: now,
                    completedTime: null,
                    scheduledStartTime: null,
                    generation: started.Generation,
                    tags: started.Tags,
                    parentInstanceId: parent?.OrchestrationInstance.InstanceId ?? null,
                },
                reason,
                now,
            ),
        );
    }

    /**
     * Steps 1 and 2. Returns the row write, which runs behind the episode for a non-final checkpoint (the next
     * episode only needs the new ETag) and is awaited for a final one (the instance is done when its row says so).
     */
    async #checkpoint(
        instanceId: string,
        state: InstanceState,
        result: EpisodeResult,
        now: Date,
    ): Promise<{ rowWritten: Promise<void>; drained: Promise<boolean> }> {
        const nothingLater = Promise.resolve(true);
        if (result.appended.length === 0) {
            // Nothing new: all duplicates. If a crash fell between a history write and its row write, the row
            // lags history; this redelivery is the moment to repair it.
            const hasHistory = state.events.length > 0;
            if (!hasHistory || !rowLags(state.record, result))
                return { rowWritten: Promise.resolve(), drained: nothingLater };
            const healed = instanceRecord(instanceId, result, state.events, state.record, now);
            this.#state.set(instanceId, { ...state, record: healed });
            return { rowWritten: this.#rows.write(healed), drained: nothingLater };
        }
        // 1. Outbound first, in parallel (bounded by the storage's concurrency): they are independent of each
        // other. Beyond the send window, work items go to a durable outbox instead and are sent after the commit.
        // Work items run in this process are not sent at all: history is their durable record (step 2).
        const runInProcess = this.#o.runInProcess;
        const inProcess = runInProcess ? result.outbound.filter((out) => out.queue === 'workItem') : [];
        const outbound = runInProcess ? result.outbound.filter((out) => out.queue !== 'workItem') : result.outbound;
        const { sendNow, later } = this.#splitOutbound(outbound);
        const outboxName = `${result.executionId}-${result.startIndex}`;
        // Work items run here start now, while the commit is under way, as the provider's work items are sent
        // before its history write; their results wait for the next episode (see runInProcess).
        if (runInProcess && inProcess.length > 0) runInProcess(inProcess.map((out) => out.message));
        if (later.length > 0) await this.#o.outbox.save(instanceId, outboxName, later);
        await sendInOrderPerTarget(sendNow, (out) => this.#o.transport.send(out));
        // 2. The commit point, then the row.
        const etag = await this.#o.storage.appendHistory({
            instanceId,
            executionId: result.executionId,
            startIndex: result.startIndex,
            events: result.appended,
            etag: state.etag,
            isCheckpointComplete: true,
            newExecution: result.newExecution,
            ...(result.consumedBefore ? { consumedBefore: result.consumedBefore } : {}),
        });
        const events = result.newExecution ? [...result.appended] : [...state.events, ...result.appended];
        const record = instanceRecord(instanceId, result, events, state.record, now);
        const consumedBefore = result.consumedBefore ?? state.consumedBefore ?? [];
        this.#state.set(instanceId, { events, executionId: result.executionId, etag, record, consumedBefore });
        const final = isTerminalStatus(record.runtimeStatus);
        const rowWritten = this.#rows.write(record, rowWriteTiming(state.record, result, final));
        const reported = rowWritten.then(
            () => this.#o.onCheckpoint?.(record),
            (error: unknown) =>
                this.#o.logger.warn(
                    `Instance ${instanceId}: the status row could not be written: ${errorMessage(error)}`,
                ),
        );
        if (final) {
            await rowWritten;
            await reported;
        } else {
            this.#track(reported);
        }
        // Large-payload blobs of a replaced execution (ContinueAsNew, restart, rewind) would leak: collect them
        // here, inside the episode, so no other episode of the instance writes meanwhile.
        if ((final || result.newExecution) && this.#o.storage.collectOrphanBlobs) {
            await this.#o.storage
                .collectOrphanBlobs(instanceId)
                .catch((error: unknown) =>
                    this.#o.logger.warn(
                        `Instance ${instanceId}: old large-payload blobs were kept: ${errorMessage(error)}`,
                    ),
                );
        }
        const drained = later.length > 0 ? this.#o.outbox.drain(instanceId, outboxName, later) : nothingLater;
        return { rowWritten, drained };
    }

    /** What goes out before the history write, and the work items beyond the send window that wait. */
    #splitOutbound(outbound: readonly OutboundMessage[]): { sendNow: OutboundMessage[]; later: TaskMessage[] } {
        const window = this.#o.outbox.window;
        const workItems = outbound.filter((out) => out.queue === 'workItem');
        if (!this.#o.outbox.enabled || workItems.length <= window) return { sendNow: [...outbound], later: [] };
        const late = new Set(workItems.slice(window));
        return {
            sendNow: outbound.filter((out) => !late.has(out)),
            later: [...late].map((out) => out.message),
        };
    }

    /**
     * An outbox found when the instance was loaded from storage: its process may have died before sending it
     * all. Sends again every work item whose task has no result in history (one sent before runs twice: at
     * least once), or just removes it when it belongs to an older execution.
     */
    #resend(instanceId: string, outbox: StoredOutbox): Promise<boolean> {
        if (this.#o.outbox.isDraining(instanceId, outbox.name))
            return this.#o.outbox.drain(instanceId, outbox.name, []);
        const current = this.#state.peek(instanceId);
        const answered = new Set<number>();
        for (const event of current?.events ?? []) {
            if (event.EventType === EventType.TaskCompleted || event.EventType === EventType.TaskFailed)
                answered.add(event.TaskScheduledId);
        }
        const open = outbox.messages.filter(
            (m) =>
                m.OrchestrationInstance.ExecutionId === current?.executionId &&
                m.Event.EventType === EventType.TaskScheduled &&
                !answered.has(m.Event.EventId),
        );
        if (open.length > 0)
            this.#o.logger.warn(
                `Instance ${instanceId}: sending ${open.length} work item(s) again that a previous process may not have sent.`,
            );
        return this.#o.outbox.drain(instanceId, outbox.name, open);
    }

    /** 3. Delete what was consumed or discarded; put back what the engine deferred. */
    #settleMessages(
        instanceId: string,
        batch: ReceivedMessage[],
        result: EpisodeResult,
        rowWritten: Promise<void>,
        sent: Promise<boolean>,
        state: InstanceState,
        now: Date,
    ): void {
        const deferred = new Set<TaskMessage>(result.deferred);
        const deferredKeys = new Set(result.deferred.map(messageKey));
        const isDeferred = (item: ReceivedMessage): boolean =>
            deferred.has(item.message) || (deferredKeys.size > 0 && deferredKeys.has(messageKey(item.message)));
        for (const item of batch) {
            if (isDeferred(item)) {
                this.#putBack(item, state, now);
                continue;
            }
            // After the row: a crash before it leaves the messages to come back and repair the row. After the
            // outbox is sent: until then they are what brings a restarted process back to the instance.
            this.#track(
                rowWritten.then(
                    () =>
                        sent.then((done) =>
                            done ? this.#o.idleWork.add(() => this.#delete(item)) : this.#abandon([item], 0),
                        ),
                    () => this.#abandon([item]),
                ),
            );
        }
    }

    /**
     * A message the engine cannot apply yet: an early timer (back at its FireAt), a scheduled start (back at
     * its start time), or a message that arrived before its instance exists (the provider's back-off; after
     * more than 5 deliveries with still no instance it is dropped, as the provider does).
     */
    #putBack(item: ReceivedMessage, state: InstanceState, now: Date): void {
        const event = item.message.Event;
        let dueAt: number | undefined;
        if (event.EventType === EventType.TimerFired) {
            // The committed FireAt wins over the message's (a lost attempt's timer message may carry an earlier one).
            const created = state.events.find(
                (e) => e.EventType === EventType.TimerCreated && e.EventId === event.TimerId,
            );
            const committed = created?.EventType === EventType.TimerCreated ? Date.parse(created.FireAt) : NaN;
            dueAt = Math.max(Date.parse(event.FireAt), Number.isFinite(committed) ? committed : 0);
        } else if (event.EventType === EventType.ExecutionStarted && event.ScheduledStartTime)
            dueAt = Date.parse(event.ScheduledStartTime);
        if (dueAt !== undefined && Number.isFinite(dueAt)) {
            this.#abandon([item], Math.max(1, Math.ceil((dueAt - now.getTime()) / 1000)));
            return;
        }
        if (state.events.length === 0 && item.dequeueCount > 5) {
            this.#o.logger.warn(
                `Dropping message ${item.messageId} (${EventType[event.EventType]}) for instance ${item.message.OrchestrationInstance.InstanceId}: the instance does not exist.`,
            );
            this.#track(this.#delete(item));
            return;
        }
        this.#abandon([item]);
    }

    #delete(item: ReceivedMessage): Promise<void> {
        return this.#o.leases
            .letGo(item)
            .then(() => this.#o.storage.deleteMessage(item))
            .catch((error: unknown) =>
                this.#o.logger.warn(`Could not delete message ${item.messageId}: ${errorMessage(error)}`),
            )
            .finally(() => {
                this.#held.delete(item.messageId);
                this.#failures.delete(item.messageId);
            });
    }

    #track(work: Promise<unknown>): void {
        const settled = work.then(
            () => undefined,
            () => undefined,
        );
        this.#background.add(settled);
        void settled.then(() => this.#background.delete(settled));
    }

    /** Makes messages visible again with the provider's back-off (min(2^dequeueCount, 600) s). */
    #abandon(batch: ReceivedMessage[], delaySeconds?: number): void {
        for (const item of batch) {
            const delay = delaySeconds ?? Math.min(2 ** Math.max(0, item.dequeueCount), 600);
            this.#track(
                this.#o.leases
                    .letGo(item)
                    .then(() => this.#o.storage.releaseMessage(item, delay))
                    .catch((error: unknown) =>
                        this.#o.logger.warn(`Could not release message ${item.messageId}: ${errorMessage(error)}`),
                    )
                    .finally(() => this.#held.delete(item.messageId)),
            );
        }
    }
}

/**
 * A client's start message that lost the race for its instance id: the Pending row (written conditionally by
 * the winner after its message was enqueued) names another execution. Only a plain send can leave one behind
 * (the fast path deletes the loser's hidden message before anyone sees it).
 */
function lostStart(message: TaskMessage, record: InstanceRecord | undefined): boolean {
    const event = message.Event;
    return (
        event.EventType === EventType.ExecutionStarted &&
        event.ParentInstance === null &&
        record?.runtimeStatus === 'Pending' &&
        record.executionId !== message.OrchestrationInstance.ExecutionId
    );
}

function startIn(batch: readonly ReceivedMessage[]): ExecutionStartedEvent | undefined {
    for (const item of batch)
        if (item.message.Event.EventType === EventType.ExecutionStarted) return item.message.Event;
    return undefined;
}

function failedRow(row: InstanceRecord, reason: string, now: Date): InstanceRecord {
    return { ...row, runtimeStatus: 'Failed', output: reason, completedTime: now, lastUpdatedTime: now };
}

function executionStarted(events: readonly HistoryEvent[]): ExecutionStartedEvent | undefined {
    return events.find((e): e is ExecutionStartedEvent => e.EventType === EventType.ExecutionStarted);
}

/** The Instances row after a checkpoint: the engine's view, completed with what only the row or history knows. */
function instanceRecord(
    instanceId: string,
    result: EpisodeResult,
    events: readonly HistoryEvent[],
    previous: InstanceRecord | undefined,
    now: Date,
): InstanceRecord {
    const started = executionStarted(events);
    const sameExecution = previous !== undefined && previous.executionId === result.executionId;
    const createdTime =
        result.instance.createdTime ??
        (sameExecution || previous?.runtimeStatus === 'Pending' ? previous?.createdTime : undefined) ??
        (started ? new Date(started.Timestamp) : now);
    return {
        instanceId,
        executionId: result.executionId,
        name: result.instance.name,
        version: started?.Version ?? previous?.version ?? null,
        input: result.instance.input,
        output: result.instance.output,
        customStatus: result.instance.customStatus,
        runtimeStatus: result.instance.runtimeStatus,
        createdTime,
        lastUpdatedTime: now,
        completedTime: result.instance.completedTime,
        scheduledStartTime: result.instance.scheduledStartTime,
        generation: result.instance.generation,
        tags: started?.Tags ?? previous?.tags ?? null,
        parentInstanceId: result.instance.parentInstanceId,
    };
}

/** Whether the stored row disagrees with what history says (the row write of a checkpoint was lost). */
function rowLags(record: InstanceRecord | undefined, result: EpisodeResult): boolean {
    return statusChanged(record, result) || record?.customStatus !== result.instance.customStatus;
}

/** Whether the episode gives the instance a new execution, status or output (no previous row: yes). */
function statusChanged(record: InstanceRecord | undefined, result: EpisodeResult): boolean {
    return (
        !record ||
        record.executionId !== result.executionId ||
        record.runtimeStatus !== result.instance.runtimeStatus ||
        record.output !== result.instance.output
    );
}

/**
 * When an episode's row is written (instance-row-writer.ts): a terminal row at once; a new status, execution
 * or output within DEFERRED_ROW_DELAY_MS; a row whose only news is the custom status (progress) or
 * lastUpdatedTime within REFRESH_ROW_DELAY_MS, unless a newer row replaces it first. Under load an order's
 * steps are further apart than the short delay, and each progress row would cost a write; a status poller
 * sees progress at most a second late, and the terminal row never late.
 */
function rowWriteTiming(
    previous: InstanceRecord | undefined,
    result: EpisodeResult,
    final: boolean,
): { deferred: boolean; delayMs?: number } {
    if (final) return { deferred: false };
    return statusChanged(previous, result) ? { deferred: true } : { deferred: true, delayMs: REFRESH_ROW_DELAY_MS };
}

/**
 * Sends in parallel across targets, one after another to each control-queue target: two requests one episode
 * sends to the same entity (a signal, then a call) must reach it in that order, as the extension's
 * MessageSorter guarantees. Work items and other instances' messages keep their parallel sends.
 */
async function sendInOrderPerTarget(
    outbound: readonly OutboundMessage[],
    send: (out: OutboundMessage) => Promise<unknown>,
): Promise<void> {
    const lanes = new Map<string, OutboundMessage[]>();
    const parallel: OutboundMessage[] = [];
    for (const out of outbound) {
        const target = out.message.OrchestrationInstance.InstanceId;
        if (out.queue !== 'control' || !isEntityInstanceId(target)) {
            parallel.push(out);
            continue;
        }
        const lane = lanes.get(target);
        if (lane) lane.push(out);
        else lanes.set(target, [out]);
    }
    await Promise.all([
        ...parallel.map(send),
        ...[...lanes.values()].map(async (lane) => {
            for (const out of lane) await send(out);
        }),
    ]);
}

function messageKey(message: TaskMessage): string {
    return JSON.stringify(message);
}
