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
 *   1. send the outbound messages (timers, sub-orchestration starts, events, parent notifications; work items
 *      when they go through the queue) and start the in-process activities;
 *   2. append the history batch under the sentinel ETag (the commit point), then upsert the Instances row;
 *   3. delete the inbound messages (and the ones the engine discarded as duplicates).
 * - Crash before 2: the inbound messages reappear and the episode runs again; its outbound messages are sent
 *   again, and their results are matched by EventId, so the second copies are discarded as duplicates.
 * - Crash between 2 and 3: the inbound messages reappear, but history already holds their events, so the
 *   engine discards them ("history is the truth").
 * - Between the history write and the row write the row may lag. The first time this process touches an
 *   instance it reconciles it with history (instance-reconciler.ts: the tasks history scheduled and holds no
 *   result for run again, and a row that lags is rewritten from history, its custom status from a replay); start-up
 *   recovery touches every unfinished instance that way (startup-recovery.ts). Within the process, the next
 *   checkpoint or a redelivery fixes a row whose write failed.
 * - A lost ETag race (CheckpointConflictError) means another writer committed first, or the retry of our own
 *   write whose answer was lost: drop the cached state and release the messages; history decides on their
 *   redelivery.
 * - A storage outage (storage-failures.ts) is waited out: the messages come back after a short back-off and
 *   never count as failed attempts.
 * Deletes (3) run off the critical path, when the runtime is idle (IdleWorkQueue): the next episode of the
 * instance may start before them.
 *
 * Held messages are kept invisible by short, renewed leases (MessageLeases), so after a crash they reappear
 * within one lease. Poison: when episodes have failed `maxDequeueCount` times on a message (only failures of
 * the episode itself count: not a lost race, a deferral, a lapsed lease or an outage), its batch is set aside
 * and the instance fails with a reason naming the messages and the error (poison-handler.ts).
 */
import { errorMessage } from '../../../shared/errors';
import { isTerminalStatus, type HistoryEvent, type TaskMessage } from '../../../shared/history';
import type { HostLogger } from '../../../shared/host-contracts';
import { runEpisode, type EngineOptions, type EpisodeResult, type InvokeOrchestrator } from '../engine';
import { runEntityEpisode, type InvokeEntity } from '../engine/entity-episode';
import { isEntityInstanceId } from '../engine/entity-protocol';
import { type InstanceRecord, type ReceivedMessage, type TaskHubStorage } from '../task-hub-port/task-hub-storage';
import { episodeOrigin, executionEnded, instanceRecord, rowWriteTiming } from './checkpoint-rows';
import { EpisodeFailures, retryLogLine, type UnrecoveredInstance } from './episode-failures';
import { HeldMessages } from './held-messages';
import type { IdleWorkQueue } from './idle-work-queue';
import { InstanceReconciler, type InstanceReconcilerOptions } from './instance-reconciler';
import type { InstanceRowWriter } from './instance-row-writer';
import { InstanceStateCache, type InstanceState } from './instance-state-cache';
import type { MessageLeases } from './message-leases';
import { MessageSettlement } from './message-settlement';
import type { MessageTransport } from './message-transport';
import { PoisonHandler } from './poison-handler';
import { PollLoop } from './poll-loop';
import { isRecoveryNudge, startOfRowAcceptedInMemory } from './recovery-nudge';
import { Semaphore } from './semaphore';
import { sendInOrderPerTarget } from './send-in-order';
import type { VersionGate } from './version-gate';

export interface OrchestrationDispatcherOptions extends Pick<InstanceReconcilerOptions, 'previousHandedOver'> {
    storage: TaskHubStorage;
    transport: MessageTransport;
    invoke: InvokeOrchestrator;
    /** Runs entity batches: instances named `@name@key` are entities (docs/protocol.md §14). */
    invokeEntity: InvokeEntity;
    engineOptions: EngineOptions;
    knownOrchestrators: ReadonlySet<string>;
    /** Entity function names: an orchestration's request to any other fails it, as in the extension. */
    knownEntities: ReadonlySet<string>;
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
    /**
     * Runs an episode's work items in this process without sending them (in-process-work-items.ts). Called
     * as the commit that records their TaskScheduled events starts, as the provider sends work items before
     * its history write. Their results come back through `deliver`, so they reach the instance's next
     * episode, which runs only after this one (its commit included) ended. History then decides, as for any
     * message: a result whose schedule was not recorded is discarded (the episode runs again and schedules
     * the task again), one whose schedule was is applied. Absent: work items go to the queue.
     */
    runInProcess?: (workItems: readonly TaskMessage[]) => void;
    /** Which instances run here, by orchestration version (version-gate.ts, docs/protocol.md §16). */
    versionGate: VersionGate;
    /** Told every orchestration episode's result: the events it still awaits (open-event-waits.ts). */
    onEpisode?: (instanceId: string, result: EpisodeResult, now: Date) => void;
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
    /** Why episodes failed, and how long their instances wait (episode-failures.ts). */
    readonly #failures: EpisodeFailures;
    /** Instances this process has reconciled with their history (instance-reconciler.ts); unfinished ones only. */
    readonly #touched = new Set<string>();
    /**
     * Instances whose last episode failed, maybe after its history write landed (a lost answer): the next
     * episode repairs the row from a replay, as a first touch does, should history be ahead of it.
     */
    readonly #repairNext = new Set<string>();
    /** Instances waiting out a failed episode before their next try. */
    readonly #waiting = new Map<string, NodeJS.Timeout>();
    readonly #ready: string[] = [];
    readonly #running = new Map<string, Promise<void>>();
    readonly #pollers: PollLoop[];
    readonly #poison: PoisonHandler;
    readonly #settlement: MessageSettlement;
    readonly #reconciler: InstanceReconciler;
    #stopped = false;
    #paused = false;

    constructor(options: OrchestrationDispatcherOptions) {
        this.#o = options;
        this.#slots = new Semaphore(options.maxConcurrent);
        this.#rows = options.rows;
        this.#failures = new EpisodeFailures(options.maxDequeueCount);
        this.#pollers = Array.from({ length: options.storage.partitionCount }, (_, partition) => {
            const queueName = options.storage.controlQueueName(partition);
            return new PollLoop({
                name: queueName,
                maxDelayMs: options.maxPollingIntervalMs,
                poll: () => this.#poll(partition),
                onError: (error) => options.logger.warn(`Polling ${queueName} failed: ${errorMessage(error)}`),
            });
        });
        this.#settlement = new MessageSettlement({
            ...options,
            held: this.#held,
            failures: this.#failures.messages,
            redeliver: (item) => this.deliver(item),
        });
        this.#reconciler = new InstanceReconciler({ ...options, cache: this.#state });
        this.#poison = new PoisonHandler({
            ...options,
            release: (messageId) => {
                this.#held.delete(messageId);
                this.#failures.messages.delete(messageId);
            },
            forgetState: (instanceId) => this.#state.drop(instanceId),
        });
    }

    start(): void {
        for (const poller of this.#pollers) poller.start();
    }

    /**
     * Takes no new work until `resume`: the pollers stop and no episode starts; episodes under way finish.
     * (The hub lock may have lapsed: another process may be taking the hub.)
     */
    async pause(): Promise<void> {
        this.#paused = true;
        await Promise.all(this.#pollers.map((poller) => poller.stop()));
    }

    resume(): void {
        if (this.#stopped) return;
        this.#paused = false;
        for (const poller of this.#pollers) poller.start();
        this.#pump();
    }

    wake(partition: number): void {
        this.#pollers[partition]?.wake();
    }

    get activeCount(): number {
        return this.#running.size;
    }

    /** Messages waiting for an episode of their instance (not those only waiting to be deleted). */
    get queued(): number {
        let count = this.#ready.length;
        for (const messages of this.#pending.values()) count += messages.length;
        return count;
    }

    /** The messages held here for one instance that wait for its next episode (the viewer shows them). */
    pendingFor = (instanceId: string): TaskMessage[] => (this.#pending.get(instanceId) ?? []).map((m) => m.message);

    /** Messages held here, waiting for or in an episode. */
    get backlog(): number {
        return this.#held.unsettled;
    }

    /** Instances whose recovery failed and is being tried again, with the last error. */
    get unrecovered(): UnrecoveredInstance[] {
        return this.#failures.unrecovered;
    }

    /**
     * The client created this instance and knows its whole state: a Pending row and no history. Seeding the
     * cache saves the first episode its reads; if the guess is wrong the first checkpoint's ETag check says so.
     */
    seedNewInstance(record: InstanceRecord): void {
        this.#touched.add(record.instanceId);
        if (this.#running.has(record.instanceId)) return;
        this.#state.set(record.instanceId, { events: [], executionId: null, etag: undefined, record });
    }

    /** Its history was rewritten or purged elsewhere: the next episode must read it again. */
    forgetInstance(instanceId: string): void {
        this.#state.drop(instanceId);
    }

    deliver(received: ReceivedMessage): void {
        if (this.#held.refresh(received)) return;
        // After the stop an in-process message goes to its queue (InProcessAwareStorage.handOver), not nowhere.
        if (this.#stopped) return void this.#o.storage.releaseMessage(received, 0).catch(() => undefined);
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
        for (const timer of this.#waiting.values()) clearTimeout(timer);
        this.#waiting.clear();
        // Messages received but not processed go back to their queues at once, so a restart (or another
        // process) takes them without waiting for their visibility timeout.
        const unprocessed = [...this.#pending.values()].flat();
        this.#pending.clear();
        this.#ready.length = 0;
        this.#settlement.abandon(unprocessed, 0);
        await this.#rows.drain();
        await this.#settlement.idle();
    }

    async #poll(partition: number): Promise<number | 'busy'> {
        if (this.#held.unsettled >= BUFFER_THRESHOLD) return 'busy';
        const received = await this.#o.storage.receiveControlMessages(
            partition,
            this.#o.batchSize,
            this.#o.visibilityTimeoutSeconds,
        );
        for (const message of received) this.deliver(message);
        return received.length;
    }

    #markReady(instanceId: string): void {
        if (this.#waiting.has(instanceId)) return;
        if (!this.#running.has(instanceId) && !this.#ready.includes(instanceId)) this.#ready.push(instanceId);
    }

    #pump(): void {
        while (!this.#stopped && !this.#paused && this.#ready.length > 0 && this.#slots.tryAcquire()) {
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
        // Recovery's nudges ask for the reconcile below; they carry nothing for the engine.
        const nudges = received.filter(isRecoveryNudge);
        let batch = received.filter((item) => !isRecoveryNudge(item));
        for (const nudge of nudges) this.#held.delete(nudge.messageId);
        /** A start rebuilt from the row: not retried itself (the nudge, retried, rebuilds it). */
        let rebuilt: ReceivedMessage | undefined;
        try {
            let state = await this.#state.load(this.#o.storage, instanceId);
            const now = this.#o.clock();
            const firstTouch = !this.#touched.has(instanceId);
            if (firstTouch) {
                // Entities have no in-process work to run again; finished instances none either.
                if (!isEntityInstanceId(instanceId) && !executionEnded(state.events)) this.#touched.add(instanceId);
                this.#reconciler.runOpenTasks(instanceId, state);
            }
            if (nudges.length > 0 && state.executionId === null) {
                // A start accepted in memory that a crash lost: its row is its record.
                rebuilt = startOfRowAcceptedInMemory(state.record, now, (text) => this.#o.logger.warn(text));
                if (rebuilt) batch.push(rebuilt);
            }
            const guarded = await this.#settlement.guardStarts(batch, state.record, () =>
                this.#o.storage.readInstance(instanceId),
            );
            batch = guarded.run;
            if (guarded.record !== state.record) {
                state = { ...state, record: guarded.record };
                this.#state.set(instanceId, state);
            }
            const repairFromReplay = this.#repairNext.delete(instanceId) || firstTouch || nudges.length > 0;
            if (batch.length === 0) {
                if (repairFromReplay)
                    await (
                        await this.#reconciler.repairRow(instanceId, state, undefined, now, true)
                    ).written;
                this.#failures.succeeded(instanceId);
                return;
            }
            const admitted = this.#o.versionGate.admit(instanceId, state.events, batch, this.#settlement);
            if (!admitted.run) return this.#failures.succeeded(instanceId);
            const incoming = batch.map((m) => m.message);
            const consumedBefore = state.consumedBefore ?? [];
            // An entity is an instance like any other (same queues, history, rows, checkpoint); only its
            // episode differs: one batch of operations instead of an orchestrator replay.
            const episode = isEntityInstanceId(instanceId)
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
                          knownEntities: this.#o.knownEntities,
                          customStatus: state.record?.customStatus ?? null,
                          consumedBefore,
                          ...admitted.request,
                      },
                      this.#o.invoke,
                  );
            const result = admitted.finish(episode);
            if (!isEntityInstanceId(instanceId)) this.#o.onEpisode?.(instanceId, result, now);
            const { rowWritten, events } =
                result.appended.length === 0
                    ? {
                          rowWritten: (
                              await this.#reconciler.repairRow(instanceId, state, result, now, repairFromReplay)
                          ).written,
                          events: state.events,
                      }
                    : await this.#checkpoint(instanceId, state, result, now);
            this.#settlement.settle(batch, result, rowWritten, events, now);
            this.#failures.succeeded(instanceId);
        } catch (error) {
            await this.#failed(
                instanceId,
                batch.filter((item) => item !== rebuilt),
                nudges,
                error,
            );
        }
    }

    /**
     * A failed episode is tried again with its messages in the order they came, ahead of any that arrived
     * since: the instance waits, not the messages. Released to the queue with a delay, later messages would
     * overtake them (an entity would apply a later request before an earlier one, whose retry then answers
     * with the wrong state). How long it waits depends on why it failed; only failures of the episode itself
     * count towards poison.
     */
    async #failed(
        instanceId: string,
        batch: ReceivedMessage[],
        nudges: ReceivedMessage[],
        error: unknown,
    ): Promise<void> {
        this.#state.drop(instanceId);
        this.#repairNext.add(instanceId);
        const verdict = this.#failures.failed(instanceId, batch, nudges.length > 0, error);
        if (verdict.kind === 'poison') {
            this.#repairNext.delete(instanceId);
            await this.#poison.setAside(instanceId, batch, error, verdict.attempts);
            return;
        }
        const line = retryLogLine(instanceId, verdict, errorMessage(error), this.#o.maxDequeueCount);
        this.#o.logger[line.level](line.text);
        // Nothing to retry when only a repair failed: the instance's next message repairs (#repairNext).
        if (batch.length + nudges.length > 0) this.#retryLater(instanceId, [...batch, ...nudges], verdict.seconds);
    }

    /** Puts messages back at the head of the instance's queue and lets the instance wait `seconds`. */
    #retryLater(instanceId: string, messages: ReceivedMessage[], seconds: number): void {
        this.#pending.set(instanceId, [...messages, ...(this.#pending.get(instanceId) ?? [])]);
        if (this.#stopped) return;
        clearTimeout(this.#waiting.get(instanceId));
        const timer = setTimeout(() => {
            this.#waiting.delete(instanceId);
            if (this.#pending.has(instanceId)) this.#markReady(instanceId);
            this.#pump();
        }, seconds * 1000);
        this.#waiting.set(instanceId, timer);
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
    ): Promise<{ rowWritten: Promise<void>; events: HistoryEvent[] }> {
        // 1. Outbound first, in parallel (bounded by the storage's concurrency): they are independent of each
        // other. Work items run in this process are not sent at all: history is their durable record (step 2),
        // and they start now, while the commit is under way, as the provider's work items are sent before its
        // history write; their results wait for the next episode (see runInProcess).
        const runInProcess = this.#o.runInProcess;
        const outbound = runInProcess ? result.outbound.filter((out) => out.queue !== 'workItem') : result.outbound;
        const inProcess = runInProcess ? result.outbound.filter((out) => out.queue === 'workItem') : [];
        if (runInProcess && inProcess.length > 0) runInProcess(inProcess.map((out) => out.message));
        const origin = episodeOrigin(instanceId, result.newExecution ? [] : state.events, result);
        await sendInOrderPerTarget(outbound, (out) => this.#o.transport.send({ ...out, origin }));
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
        const record = instanceRecord(instanceId, result.executionId, result.instance, events, state.record, now);
        const consumedBefore = result.consumedBefore ?? state.consumedBefore ?? [];
        this.#state.set(instanceId, { events, executionId: result.executionId, etag, record, consumedBefore });
        const final = isTerminalStatus(record.runtimeStatus);
        // A finished instance needs no reconcile if this process meets it again (a restart starts it afresh).
        if (final) this.#touched.delete(instanceId);
        const rowWritten = this.#rows.write(
            record,
            rowWriteTiming(state.record, result.executionId, result.instance, final),
        );
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
            this.#settlement.track(reported);
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
        return { rowWritten, events };
    }
}
