/**
 * The Durable runtime of one app on one task hub: transport, orchestration and activity dispatchers, and the
 * client. `start` creates the hub's tables/queues (idempotent) and starts the pollers; `stop` stops taking
 * work, lets running episodes and activities finish, and hands unprocessed messages back to their queues.
 */
import { randomUUID } from 'node:crypto';
import { errorMessage } from '../../../shared/errors';
import { EventType, type TaskMessage } from '../../../shared/history';
import type { HostLogger, LoadedApp } from '../../../shared/host-contracts';
import type { EngineOptions } from '../engine';
import type { HubLockHandle, InstanceRecord, TaskHubStorage } from '../task-hub-port/task-hub-storage';
import { ActivityDispatcher } from './activity-dispatcher';
import { DurableClientService } from './client';
import type { DurableConfig } from './durable-config';
import { createEntityInvoker } from './entity-invoker';
import type { UnrecoveredInstance } from './episode-failures';
import { indexDurableFunctions, type DurableFunctionIndex } from './function-index';
import { FunctionNameSet } from './function-names';
import { IdleWorkQueue } from './idle-work-queue';
import { InProcessAwareStorage, inProcessWorkItem } from './in-process-work-items';
import { InstanceRowWriter } from './instance-row-writer';
import { MessageLeases } from './message-leases';
import { MessageTransport } from './message-transport';
import { OpenEventWaitsLog } from './open-event-waits';
import { OrchestrationDispatcher } from './orchestration-dispatcher';
import { createOrchestratorInvoker } from './orchestrator-invoker';
import { isRecoveryNudge } from './recovery-nudge';
import { StartupRecovery } from './startup-recovery';
import { VersionGate } from './version-gate';

export interface DurableRuntimeOptions {
    app: LoadedApp;
    storage: TaskHubStorage;
    config: DurableConfig;
    logger: HostLogger;
    clock?: () => Date;
    /** Called after every committed checkpoint. */
    onCheckpoint?: (record: InstanceRecord) => void;
}

export class DurableRuntime {
    readonly client: DurableClientService;
    readonly functions: DurableFunctionIndex;
    readonly storage: TaskHubStorage;
    readonly transport: MessageTransport;
    /** Which instances this host runs by version, and the ones it turned away (the viewer shows them). */
    readonly versionGate: VersionGate;
    /** The events each orchestration awaited after its last episode here (the viewer's "Waiting for"). */
    readonly eventWaits = new OpenEventWaitsLog();
    readonly #orchestrations: OrchestrationDispatcher;
    readonly #activities: ActivityDispatcher;
    readonly #idleWork: IdleWorkQueue;
    readonly #rows: InstanceRowWriter;
    readonly #leases: MessageLeases;
    readonly #recovery: StartupRecovery;
    readonly #runtimeStorage: InProcessAwareStorage;
    readonly #inProcessWorkItems: boolean;
    readonly #drainMs: number;
    #started = false;
    /** Another process took the hub: this one never works on it again. */
    #lost = false;
    /** The hub lock could not be renewed in time; no new work until it is. */
    #lapsed = false;
    #lock: HubLockHandle | undefined;
    /** The previous holder handed its in-memory work over to the queues at stop: no recovery to do. */
    #previousHandedOver = false;
    readonly #logger: HostLogger;

    constructor(options: DurableRuntimeOptions) {
        const { app, config, logger } = options;
        const clock = options.clock ?? (() => new Date());
        this.#logger = logger;
        // `storage` (public) stays the caller's object (benchmarks read its call counters); everything the
        // runtime does goes through the bound on concurrent storage calls.
        this.storage = options.storage;
        const storage = new InProcessAwareStorage(options.storage, config.maxStorageOperationConcurrency);
        this.#runtimeStorage = storage;
        this.#drainMs = config.shutdownTimeoutMs;
        // Only a process that holds the hub alone may keep work items in memory: recovery reads them back
        // from history at start-up, which is right only if no other process is working on them.
        this.#inProcessWorkItems = config.inProcessWorkItems && typeof options.storage.acquireHubLock === 'function';
        this.functions = indexDurableFunctions(app);
        const knownOrchestrators = new FunctionNameSet(this.functions.orchestrators.keys());
        const knownEntities = new FunctionNameSet(this.functions.entities.keys());
        // Every message this process works on is hidden by a short lease it renews (message-leases.ts): sends
        // for its own dispatchers, receives and renewals all use the lease, not the queues' long visibility
        // timeouts, so after a crash the messages reappear within one lease.
        const leaseSeconds = config.messageLeaseSeconds;
        this.#leases = new MessageLeases(storage, leaseSeconds, logger, {
            maxLeaseSeconds: config.maxMessageLeaseSeconds,
        });
        this.transport = new MessageTransport(storage, { control: leaseSeconds, workItem: leaseSeconds }, clock);
        const rows = new InstanceRowWriter(storage);
        this.#rows = rows;
        // Deletes wait while an episode or activity runs: on Azurite they would slow the calls those wait for.
        this.#idleWork = new IdleWorkQueue(() => this.#orchestrations.activeCount + this.#activities.activeCount > 0);
        const idleWork = this.#idleWork;
        const engineOptions: EngineOptions = {
            maximumShortTimerDuration: config.maximumShortTimerDuration,
            longRunningTimerIntervalDuration: config.longRunningTimerIntervalDuration,
            defaultHttpAsyncRequestSleepTimeMilliseconds: config.defaultHttpAsyncRequestSleepTimeMilliseconds,
            // In-process work items are recovered from history, so history must keep their inputs.
            storeInputsInOrchestrationHistory: config.storeInputsInOrchestrationHistory || this.#inProcessWorkItems,
            defaultVersion: config.versioning.defaultVersion,
        };
        this.versionGate = new VersionGate({ versioning: config.versioning, storage, logger, clock });
        this.#orchestrations = new OrchestrationDispatcher({
            storage,
            rows,
            idleWork,
            transport: this.transport,
            invoke: createOrchestratorInvoker(app, this.functions.orchestrators),
            invokeEntity: createEntityInvoker(app, this.functions.entities),
            engineOptions,
            knownOrchestrators,
            knownEntities,
            maxConcurrent: config.maxConcurrentOrchestratorFunctions,
            batchSize: config.controlQueueBatchSize,
            visibilityTimeoutSeconds: leaseSeconds,
            leases: this.#leases,
            maxDequeueCount: config.maxDequeueCount,
            versionGate: this.versionGate,
            onEpisode: (instanceId, result, now) => this.eventWaits.record(instanceId, result, now),
            previousHandedOver: () => this.#previousHandedOver,
            ...(this.#inProcessWorkItems
                ? {
                      runInProcess: (workItems: readonly TaskMessage[]) => {
                          const now = clock();
                          for (const message of workItems) this.#activities.deliver(inProcessWorkItem(message, now));
                      },
                  }
                : {}),
            maxPollingIntervalMs: config.maxQueuePollingIntervalMs,
            logger,
            clock,
            newGuid: randomUUID,
            ...(options.onCheckpoint ? { onCheckpoint: options.onCheckpoint } : {}),
        });
        this.#activities = new ActivityDispatcher({
            app,
            storage,
            transport: this.transport,
            activityBindings: this.functions.activities,
            maxConcurrent: config.maxConcurrentActivityFunctions,
            visibilityTimeoutSeconds: leaseSeconds,
            leases: this.#leases,
            shutdownTimeoutMs: config.shutdownTimeoutMs,
            maxPollingIntervalMs: config.maxQueuePollingIntervalMs,
            logger,
            clock,
            idleWork,
            deliverResult: (received) => this.#orchestrations.deliver(received),
        });
        // A released in-process message comes back as a queue would make it visible again: a work item to the
        // activities, a result to its orchestration.
        storage.onRedeliver((received) =>
            received.message.Event.EventType === EventType.TaskScheduled
                ? this.#activities.deliver(received)
                : this.#orchestrations.deliver(received),
        );
        this.transport.attach({
            deliverControl: (received) => this.#orchestrations.deliver(received),
            deliverWorkItem: (received) => this.#activities.deliver(received),
            wakeControl: (partition) => this.#orchestrations.wake(partition),
            wakeWorkItems: () => this.#activities.wake(),
        });
        this.client = new DurableClientService({
            storage,
            transport: this.transport,
            knownOrchestrators,
            knownEntities,
            defaultVersion: config.versioning.defaultVersion,
            rows,
            clock,
            onNewInstance: (record) => this.#orchestrations.seedNewInstance(record),
            onInstanceChanged: (instanceId) => {
                this.#orchestrations.forgetInstance(instanceId);
                this.eventWaits.forget(instanceId);
            },
            ...(this.#inProcessWorkItems
                ? {
                      startInProcess: (message: TaskMessage) =>
                          this.#orchestrations.deliver(inProcessWorkItem(message, clock())),
                      onUnconfirmedStart: (record: InstanceRecord) => this.#recovery.confirmLater(record.instanceId),
                  }
                : {}),
        });
        this.#recovery = new StartupRecovery({
            storage,
            deliver: (message) => this.#orchestrations.deliver(message),
            backlog: () => this.#orchestrations.backlog,
            logger,
            clock,
        });
    }

    /**
     * Start-up recovery as it stands: whether the unfinished instances were all listed, how many were checked,
     * and the ones whose recovery keeps failing (tried again with back-off), by id with the last error.
     */
    get recovery(): { listing: string; instances: number; unrecovered: UnrecoveredInstance[] } {
        return { ...this.#recovery.progress, unrecovered: this.#orchestrations.unrecovered };
    }

    /**
     * Work this process has to do: messages waiting for or in an episode, work items waiting or running (not
     * deletes of settled messages). Zero, with no visible message in storage, is an idle hub: the testing
     * toolkit's virtual time skips ahead then.
     */
    get pendingWork(): number {
        return (
            this.#orchestrations.queued +
            this.#orchestrations.activeCount +
            this.#activities.queued +
            this.#activities.activeCount
        );
    }

    /** The messages this process holds for an instance that wait for its next episode, oldest first. */
    pendingMessages(instanceId: string): TaskMessage[] {
        return this.#orchestrations.pendingFor(instanceId);
    }

    /** Writes the progress rows that wait to be replaced now, and resolves when they are stored (tests). */
    flushRows(): Promise<void> {
        return this.#rows.flush();
    }

    /** Polls every queue now: what became visible (test time moved on) is taken at once, not at the next poll. */
    wakeAll(): void {
        for (let partition = 0; partition < this.storage.partitionCount; partition++)
            this.#orchestrations.wake(partition);
        this.#activities.wake();
    }

    /** Resolves once start-up recovery handed every unfinished instance to the dispatcher (tests). */
    get recoveryListed(): Promise<void> {
        return this.#recovery.finished;
    }

    async start(): Promise<void> {
        if (this.#started) return;
        // One process per hub: the caches and held messages below are only right when no other process works on
        // it (hub-lock.ts). Taken before anything is created or received.
        this.#lock = await this.storage.acquireHubLock?.({
            onLapsed: (error) => {
                this.#logger.warn(
                    `Task hub '${this.storage.hubName}': its lock could not be renewed in time (${errorMessage(error)}); this process takes no new work until it holds the hub again.`,
                );
                this.#lapsed = true;
                void this.#pause();
            },
            onRegained: () => {
                this.#logger.info(`Task hub '${this.storage.hubName}': the lock is held again; work goes on.`);
                this.#lapsed = false;
                this.#resume();
            },
            onLost: (error, holder) => {
                this.#logger.error(
                    `Task hub '${this.storage.hubName}' was taken over by ${holder} (${errorMessage(error)}): this process no longer works on it. Restart it once the other process has stopped.`,
                );
                this.#lost = true;
                // Its held messages are the new holder's now: stop keeping them hidden.
                this.#leases.stop();
                void this.#pause();
            },
        });
        this.#previousHandedOver = this.#lock?.previousHandedOver === true;
        try {
            await this.storage.createIfNotExists();
        } catch (error) {
            await this.#lock?.release();
            this.#lock = undefined;
            throw error;
        }
        this.#leases.start();
        this.#activities.start();
        // A previous process's in-memory work (startup-recovery.ts): in the background, instance by instance.
        // None when it stopped gracefully: it handed that work over to the queues, where it is found anyway.
        if (this.#inProcessWorkItems && this.#previousHandedOver)
            this.#logger.info(
                `Task hub '${this.storage.hubName}': the previous devhost handed its work over to the queues at stop; no recovery needed.`,
            );
        else if (this.#inProcessWorkItems) this.#recovery.start();
        this.#orchestrations.start();
        this.#started = true;
        // The lock may have lapsed (or been lost) while the hub was being created: the pollers just started.
        if (this.#lapsed || this.#lost) await this.#pause();
    }

    /** Takes no new work (episodes, activities, polls); what runs finishes. */
    async #pause(): Promise<void> {
        await Promise.all([this.#orchestrations.pause(), this.#activities.pause()]);
    }

    #resume(): void {
        if (this.#lost || this.#lapsed || !this.#started) return;
        this.#orchestrations.resume();
        this.#activities.resume();
    }

    async stop(): Promise<void> {
        if (!this.#started) return;
        this.#started = false;
        this.transport.stop();
        await this.#recovery.stop();
        // In-process messages handed back from now on go to the queues the provider reads (a work item to
        // `<hub>-workitems`, anything else to its control queue), so what only this process's memory held is
        // where `func start`, the deployed app or the next devhost looks for it.
        this.#runtimeStorage.handOver(isRecoveryNudge);
        // Activities first: the ones still running finish and hand their results to the orchestrations, which
        // still run episodes and commit them, so the next start does not run them again. Work they schedule
        // meanwhile goes to the queues.
        await this.#activities.stop();
        await this.#orchestrations.stop(this.#drainMs);
        await this.#idleWork.flush();
        const handedOver = await this.#handOverReport();
        this.#leases.stop();
        await this.#lock?.release({ handedOver });
        this.#lock = undefined;
    }

    /**
     * Whether this process left nothing in memory only: every hand-over send landed, and the previous holder's
     * work was recovered (or handed over too). Only then does the next holder skip its recovery.
     */
    async #handOverReport(): Promise<boolean> {
        const report = await this.#runtimeStorage.handedOver();
        if (!this.#inProcessWorkItems) return false;
        const recovered =
            this.#previousHandedOver || (this.#recovery.leftNothing && this.#orchestrations.unrecovered.length === 0);
        const clean = report.failed === 0 && report.unchecked === 0 && recovered;
        if (report.sent > 0 || !clean)
            this.#logger.info(
                `Task hub '${this.storage.hubName}': ${report.sent} in-memory message(s) handed over to the queues at stop${clean ? '' : `; ${report.failed} could not be sent and ${report.unchecked} instance(s) were not yet checked, so the next devhost on this hub recovers from history first`}.`,
            );
        return clean;
    }
}
