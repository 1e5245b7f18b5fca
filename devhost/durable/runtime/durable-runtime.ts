/**
 * The Durable runtime of one app on one task hub: transport, orchestration and activity dispatchers, and the
 * client. `start` creates the hub's tables/queues (idempotent) and starts the pollers; `stop` stops taking
 * work, lets running episodes and activities finish, and hands unprocessed messages back to their queues.
 */
import { randomUUID } from 'node:crypto';
import type { HostLogger, LoadedApp } from '../../contracts/host';
import type { InstanceRecord, TaskHubStorage } from '../../ports/task-hub-storage';
import type { DurableConfig } from './durable-config';
import type { EngineOptions } from '../engine';
import { ActivityDispatcher } from './activity-dispatcher';
import { DurableClientService } from './client';
import { indexDurableFunctions, type DurableFunctionIndex } from './function-index';
import { FunctionNameSet } from './function-names';
import { IdleWorkQueue } from './idle-work-queue';
import { InstanceRowWriter } from './instance-row-writer';
import { MessageLeases } from './message-leases';
import { MessageTransport } from './message-transport';
import { OrchestrationDispatcher } from './orchestration-dispatcher';
import { createOrchestratorInvoker } from './orchestrator-invoker';
import { createEntityInvoker } from './entity-invoker';
import { errorMessage } from '../../contracts/errors';
import { ThrottledStorage } from './throttled-storage';
import { WorkItemOutbox } from './work-item-outbox';

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
    readonly #orchestrations: OrchestrationDispatcher;
    readonly #activities: ActivityDispatcher;
    readonly #idleWork: IdleWorkQueue;
    readonly #leases: MessageLeases;
    readonly #outbox: WorkItemOutbox;
    #started = false;
    #lock: { release(): Promise<void> } | undefined;
    readonly #logger: HostLogger;

    constructor(options: DurableRuntimeOptions) {
        const { app, config, logger } = options;
        const clock = options.clock ?? (() => new Date());
        this.#logger = logger;
        // `storage` (public) stays the caller's object (benchmarks read its call counters); everything the
        // runtime does goes through the bound on concurrent storage calls.
        this.storage = options.storage;
        const storage = new ThrottledStorage(options.storage, config.maxStorageOperationConcurrency);
        this.functions = indexDurableFunctions(app);
        const knownOrchestrators = new FunctionNameSet(this.functions.orchestrators.keys());
        // Every message this process works on is hidden by a short lease it renews (message-leases.ts): sends
        // for its own dispatchers, receives and renewals all use the lease, not the queues' long visibility
        // timeouts, so after a crash the messages reappear within one lease.
        const leaseSeconds = config.messageLeaseSeconds;
        this.#leases = new MessageLeases(storage, leaseSeconds, logger, {
            maxLeaseSeconds: config.maxMessageLeaseSeconds,
        });
        this.transport = new MessageTransport(storage, { control: leaseSeconds, workItem: leaseSeconds }, clock);
        const rows = new InstanceRowWriter(storage);
        // Work items of a large fan-out beyond the send window go out as this process's messages drain.
        this.#outbox = new WorkItemOutbox(
            storage,
            this.transport,
            () => this.#leases.size,
            logger,
            config.workItemSendWindow,
        );
        // Deletes wait while an episode or activity runs: on Azurite they would slow the calls those wait for.
        this.#idleWork = new IdleWorkQueue(() => this.#orchestrations.activeCount + this.#activities.activeCount > 0);
        const idleWork = this.#idleWork;
        const engineOptions: EngineOptions = {
            maximumShortTimerDuration: config.maximumShortTimerDuration,
            longRunningTimerIntervalDuration: config.longRunningTimerIntervalDuration,
            defaultHttpAsyncRequestSleepTimeMilliseconds: config.defaultHttpAsyncRequestSleepTimeMilliseconds,
        };
        this.#orchestrations = new OrchestrationDispatcher({
            storage,
            rows,
            idleWork,
            transport: this.transport,
            invoke: createOrchestratorInvoker(app, this.functions.orchestrators),
            invokeEntity: createEntityInvoker(app, this.functions.entities),
            engineOptions,
            knownOrchestrators,
            maxConcurrent: config.maxConcurrentOrchestratorFunctions,
            batchSize: config.controlQueueBatchSize,
            visibilityTimeoutSeconds: leaseSeconds,
            leases: this.#leases,
            maxDequeueCount: config.maxDequeueCount,
            outbox: this.#outbox,
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
            knownEntities: new FunctionNameSet(this.functions.entities.keys()),
            rows,
            clock,
            onNewInstance: (record) => this.#orchestrations.seedNewInstance(record),
            onInstanceChanged: (instanceId) => this.#orchestrations.forgetInstance(instanceId),
        });
    }

    async start(): Promise<void> {
        if (this.#started) return;
        // One process per hub: the caches and held messages below are only right when no other process works on
        // it (hub-lock.ts). Taken before anything is created or received.
        this.#lock = await this.storage.acquireHubLock?.((error) =>
            this.#logger.error(
                `Lost the lock of task hub '${this.storage.hubName}' (${errorMessage(error)}): another process may take it over.`,
            ),
        );
        try {
            await this.storage.createIfNotExists();
        } catch (error) {
            await this.#lock?.release();
            this.#lock = undefined;
            throw error;
        }
        this.#leases.start();
        this.#orchestrations.start();
        this.#activities.start();
        this.#started = true;
    }

    async stop(): Promise<void> {
        if (!this.#started) return;
        this.#started = false;
        this.transport.stop();
        // What is not sent yet stays in its outbox; the inbound messages that guard it go back to the queues.
        this.#outbox.stop();
        await Promise.all([this.#orchestrations.stop(), this.#activities.stop()]);
        await this.#idleWork.flush();
        this.#leases.stop();
        await this.#lock?.release();
        this.#lock = undefined;
    }
}
