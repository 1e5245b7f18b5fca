/**
 * An in-memory TaskHubStorage that keeps the semantics of the Azure Storage one (the storage module, after DTFx's
 * Azure Storage provider): the tables' ETag checks (memory-tables.ts) and the queues' leases, redelivery and
 * order (memory-queues.ts). For tests that must control or observe storage precisely (call counts, conflicts,
 * failures), for the conformance suites run a second time on it (DEVHOST_TEST_MEMORY_HUB, the vitest project
 * `devhost-memory-hub`), and for createTestHost's task hub. Visibility follows `now`, so a virtual clock
 * (virtual-clock.ts) moves it: a timer message becomes visible when test time reaches its FireAt.
 * What it leaves out is the storage module's encoding: no size limits, so no large-message blobs (callers see
 * whole values either way), and no poison container. Its hub lock (opt-in) is this object, held by one runtime
 * at a time.
 */
import { StorageStats, partitionIndex } from '../extensions/durable/azure-storage';
import { HubLockedError } from '../extensions/durable/azure-storage/hub-lock';
import type { QueueKind } from '../extensions/durable/runtime/message-transport';
import type {
    HistoryAppend,
    HistorySnapshot,
    HubLockHandle,
    InstancePage,
    InstanceQuery,
    InstanceRecord,
    MessageReceipt,
    ReceivedMessage,
    SendMessageOptions,
    TaskHubStorage,
    VersionedInstance,
} from '../extensions/durable/task-hub-port/task-hub-storage';
import type { TaskMessage } from '../shared/history';
import { MemoryQueues } from './memory-queues';
import { MemoryTables } from './memory-tables';

type Operation =
    | 'createIfNotExists'
    | 'readInstance'
    | 'writeInstance'
    | 'queryInstances'
    | 'readHistory'
    | 'appendHistory'
    | 'purge'
    | 'send'
    | 'receive'
    | 'delete'
    | 'release';

const QUEUE_OPERATIONS: ReadonlySet<Operation> = new Set(['send', 'receive', 'delete', 'release']);

export class MemoryTaskHub implements TaskHubStorage {
    readonly partitionCount: number;
    /** Calls by operation. */
    readonly calls: Record<string, number> = {};
    /** The same calls counted as the storage module counts its own (AzureTaskHubStorage.stats): one per call. */
    readonly stats = new StorageStats();
    readonly #queues: MemoryQueues;
    readonly #tables = new MemoryTables();
    #lockHeld = false;
    #handedOver = false;

    constructor(
        readonly hubName: string,
        partitionCount = 4,
        /** Set to false to exercise the runtime's fallback (plain sends + wake-up polls). */
        hiddenSend = true,
        /** The time queue visibility follows (ms since the epoch); the wall clock by default. */
        readonly now: () => number = Date.now,
        /**
         * Offer a hub lock, so the runtime takes the path it takes on Azure Storage, which always has one:
         * starts, work items and results kept in process (runtime/in-process-work-items.ts). Without it they all
         * go through the queues, the runtime's path for storage that may be shared.
         */
        hubLock = false,
    ) {
        this.partitionCount = partitionCount;
        this.#queues = new MemoryQueues(now);
        if (!hiddenSend) (this as { sendHidden?: unknown }).sendHidden = undefined;
        if (!hubLock) (this as { acquireHubLock?: unknown }).acquireHubLock = undefined;
    }

    /**
     * One holder at a time, as the storage module's blob lease (azure-storage/hub-lock.ts); it never lapses. The
     * next holder learns whether the previous one handed its in-memory work over (or crashed: recovery runs).
     */
    acquireHubLock(): Promise<HubLockHandle> {
        if (this.#lockHeld) return Promise.reject(new HubLockedError(this.hubName, 'a runtime in this process'));
        this.#lockHeld = true;
        let held = true;
        return Promise.resolve({
            previousHandedOver: this.#handedOver,
            release: (options?: { handedOver?: boolean }) => {
                if (held) [held, this.#lockHeld, this.#handedOver] = [false, false, options?.handedOver === true];
                return Promise.resolve();
            },
        });
    }

    get totalCalls(): number {
        return Object.values(this.calls).reduce((a, b) => a + b, 0);
    }

    #count(op: Operation): void {
        this.calls[op] = (this.calls[op] ?? 0) + 1;
        if (QUEUE_OPERATIONS.has(op)) this.stats.queueOps++;
        else this.stats.tableOps++;
    }

    get workItemQueueName(): string {
        return `${this.hubName.toLowerCase()}-workitems`;
    }

    controlQueueName(partition: number): string {
        return `${this.hubName.toLowerCase()}-control-${String(partition).padStart(2, '0')}`;
    }

    partitionOf(instanceId: string): number {
        return partitionIndex(instanceId, this.partitionCount);
    }

    createIfNotExists(): Promise<void> {
        this.#count('createIfNotExists');
        return Promise.resolve();
    }

    deleteAll(): Promise<void> {
        this.#queues.clear();
        this.#tables.clear();
        return Promise.resolve();
    }

    readInstance(instanceId: string): Promise<InstanceRecord | undefined> {
        this.#count('readInstance');
        return Promise.resolve(this.#tables.readInstance(instanceId)?.record);
    }

    writeInstance(record: InstanceRecord): Promise<void> {
        this.#count('writeInstance');
        this.#tables.writeInstance(record);
        return Promise.resolve();
    }

    readInstanceVersioned(instanceId: string): Promise<VersionedInstance | undefined> {
        this.#count('readInstance');
        return Promise.resolve(this.#tables.readInstance(instanceId));
    }

    writeNewExecution(record: InstanceRecord, etag: string | undefined): Promise<boolean> {
        this.#count('writeInstance');
        return Promise.resolve(this.#tables.writeNewExecution(record, etag));
    }

    queryInstances(query: InstanceQuery = {}, continuationToken?: string): Promise<InstancePage> {
        this.#count('queryInstances');
        return attempt(() => this.#tables.queryInstances(query, continuationToken));
    }

    readHistory(instanceId: string): Promise<HistorySnapshot> {
        this.#count('readHistory');
        return Promise.resolve(this.#tables.readHistory(instanceId));
    }

    appendHistory(append: HistoryAppend): Promise<string> {
        this.#count('appendHistory');
        return attempt(() => this.#tables.appendHistory(append));
    }

    purgeInstance(instanceId: string): Promise<boolean> {
        this.#count('purge');
        return Promise.resolve(this.#tables.deleteInstance(instanceId));
    }

    #queueFor(queue: QueueKind, message: TaskMessage): string {
        return queue === 'control'
            ? this.controlQueueName(this.partitionOf(message.OrchestrationInstance.InstanceId))
            : this.workItemQueueName;
    }

    /** Hidden until `visibleAt` or for `hiddenForSeconds`, whichever is later, as the storage module sends. */
    #send(queue: QueueKind, message: TaskMessage, options: SendMessageOptions = {}): MessageReceipt {
        this.#count('send');
        const untilVisible = options.visibleAt ? options.visibleAt.getTime() - this.now() : 0;
        const hidden = (options.hiddenForSeconds ?? 0) * 1000;
        return this.#queues.send(this.#queueFor(queue, message), message, Math.max(untilVisible, hidden));
    }

    sendControlMessage(message: TaskMessage, options?: SendMessageOptions): Promise<MessageReceipt> {
        return Promise.resolve(this.#send('control', message, options));
    }

    sendWorkItem(
        message: TaskMessage,
        options?: Pick<SendMessageOptions, 'hiddenForSeconds' | 'origin'>,
    ): Promise<MessageReceipt> {
        return Promise.resolve(this.#send('workItem', message, options));
    }

    /** Sent hidden, and handed back as if received (the runtime's fast path, message-transport.ts). */
    sendHidden(queue: QueueKind, message: TaskMessage, hiddenForSeconds: number): Promise<ReceivedMessage> {
        const receipt = this.#send(queue, message, { hiddenForSeconds });
        return Promise.resolve({ ...receipt, message, dequeueCount: 0 });
    }

    receiveControlMessages(
        partition: number,
        max: number,
        visibilityTimeoutSeconds: number,
    ): Promise<ReceivedMessage[]> {
        this.#count('receive');
        return Promise.resolve(this.#queues.receive(this.controlQueueName(partition), max, visibilityTimeoutSeconds));
    }

    receiveWorkItems(max: number, visibilityTimeoutSeconds: number): Promise<ReceivedMessage[]> {
        this.#count('receive');
        return Promise.resolve(this.#queues.receive(this.workItemQueueName, max, visibilityTimeoutSeconds));
    }

    deleteMessage(message: ReceivedMessage): Promise<void> {
        this.#count('delete');
        return attempt(() => this.#queues.delete(message));
    }

    releaseMessage(message: ReceivedMessage, delaySeconds: number): Promise<void> {
        this.#count('release');
        return attempt(() => this.#queues.release(message, delaySeconds));
    }

    /** Messages a receive would return now. */
    visibleMessageCount(): number {
        return this.#queues.visibleCount();
    }

    /**
     * When the next message sent for later (a timer, a retry's back-off) becomes visible (ms since the epoch), or
     * undefined when there is none. Messages hidden by a receiver's lease do not count: they are work in hand.
     */
    nextVisibleAt(): number | undefined {
        return this.#queues.nextVisibleAt();
    }

    /**
     * Test time jumped by `ms`: leases run on with the work they protect, not with the jump, so a message a
     * receiver holds stays hidden as long as it would have (otherwise every jump would redeliver work in hand).
     */
    shiftLeases(ms: number): void {
        this.#queues.shiftLeases(ms);
    }

    /** Messages still in a queue (visible or not). */
    messageCount(): number {
        return this.#queues.count();
    }
}

/** A synchronous step as a promise: what it throws rejects, as a storage call's failure would. */
function attempt<T>(step: () => T): Promise<T> {
    try {
        return Promise.resolve(step());
    } catch (error) {
        return Promise.reject(error as Error);
    }
}
