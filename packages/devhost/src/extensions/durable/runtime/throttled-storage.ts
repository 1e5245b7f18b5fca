/**
 * The task hub storage as the runtime uses it: at most `maxConcurrent` storage calls in flight, the rest wait
 * their turn (first come, first served). The provider bounds its storage I/O the same way (Azure/durabletask,
 * DurableTask.AzureStorage: AzureStorageOrchestrationServiceSettings.MaxStorageOperationConcurrency, one
 * semaphore around every request). Without a bound, the first episode of a 10,000-activity fan-out sends
 * 10,000 messages at once and Azurite (one process) drops connections (`read ECONNRESET`).
 *
 * Every call is a leaf (no call waits for another while holding a slot), so the bound cannot deadlock.
 */
import type { TaskMessage } from '../../../shared/history';
import type {
    HubLockEvents,
    HubLockHandle,
    HistoryAppend,
    HistorySnapshot,
    InstancePage,
    InstanceQuery,
    InstanceRecord,
    MessageOrigin,
    MessageReceipt,
    ReceivedMessage,
    SendMessageOptions,
    TaskHubStorage,
    VersionedInstance,
} from '../task-hub-port/task-hub-storage';
import { supportsHiddenSend, type HiddenSend, type QueueKind } from './message-transport';
import { Semaphore } from './semaphore';

export class ThrottledStorage implements TaskHubStorage {
    readonly #inner: TaskHubStorage;
    readonly #slots: Semaphore;
    /** Only present when the inner storage can send hidden (supportsHiddenSend looks for the method). */
    readonly sendHidden?: HiddenSend['sendHidden'];
    readonly setAsideMessage?: (message: ReceivedMessage, reason: string) => Promise<string>;
    readonly acquireHubLock?: (events: HubLockEvents) => Promise<HubLockHandle>;
    readonly collectOrphanBlobs?: (instanceId: string) => Promise<number>;

    constructor(inner: TaskHubStorage, maxConcurrent: number) {
        this.#inner = inner;
        this.#slots = new Semaphore(Math.max(1, maxConcurrent));
        // Optional capabilities stay absent when the inner storage lacks them (callers test for the method).
        if (supportsHiddenSend(inner)) {
            this.sendHidden = (
                queue: QueueKind,
                message: TaskMessage,
                hiddenForSeconds: number,
                origin?: MessageOrigin,
            ) => this.#call(() => inner.sendHidden(queue, message, hiddenForSeconds, origin));
        }
        const setAside = inner.setAsideMessage?.bind(inner);
        if (setAside) {
            this.setAsideMessage = (message: ReceivedMessage, reason: string) =>
                this.#call(() => setAside(message, reason));
        }
        // The hub lock is held for the process's life: it must not wait behind (or hold) a storage slot.
        const acquireHubLock = inner.acquireHubLock?.bind(inner);
        if (acquireHubLock) this.acquireHubLock = acquireHubLock;
        const collectOrphanBlobs = inner.collectOrphanBlobs?.bind(inner);
        if (collectOrphanBlobs)
            this.collectOrphanBlobs = (instanceId) => this.#call(() => collectOrphanBlobs(instanceId));
    }

    /** Calls waiting for a slot (tests and diagnostics). */
    get waiting(): number {
        return this.#slots.waiting;
    }

    /** The most calls that were ever in flight at once. */
    get peakInFlight(): number {
        return this.#peak;
    }

    #peak = 0;

    async #call<T>(run: () => Promise<T>): Promise<T> {
        await this.#slots.acquire();
        this.#peak = Math.max(this.#peak, this.#slots.inUse);
        try {
            return await run();
        } finally {
            this.#slots.release();
        }
    }

    readInstanceVersioned(instanceId: string): Promise<VersionedInstance | undefined> {
        return this.#call(() => this.#inner.readInstanceVersioned(instanceId));
    }

    writeNewExecution(record: InstanceRecord, etag: string | undefined): Promise<boolean> {
        return this.#call(() => this.#inner.writeNewExecution(record, etag));
    }

    get hubName(): string {
        return this.#inner.hubName;
    }

    get partitionCount(): number {
        return this.#inner.partitionCount;
    }

    get workItemQueueName(): string {
        return this.#inner.workItemQueueName;
    }

    partitionOf(instanceId: string): number {
        return this.#inner.partitionOf(instanceId);
    }

    controlQueueName(partition: number): string {
        return this.#inner.controlQueueName(partition);
    }

    createIfNotExists(): Promise<void> {
        return this.#inner.createIfNotExists();
    }

    deleteAll(): Promise<void> {
        return this.#inner.deleteAll();
    }

    readInstance(instanceId: string): Promise<InstanceRecord | undefined> {
        return this.#call(() => this.#inner.readInstance(instanceId));
    }

    writeInstance(record: InstanceRecord): Promise<void> {
        return this.#call(() => this.#inner.writeInstance(record));
    }

    queryInstances(query: InstanceQuery, continuationToken?: string): Promise<InstancePage> {
        return this.#call(() => this.#inner.queryInstances(query, continuationToken));
    }

    readHistory(instanceId: string): Promise<HistorySnapshot> {
        return this.#call(() => this.#inner.readHistory(instanceId));
    }

    appendHistory(append: HistoryAppend): Promise<string> {
        return this.#call(() => this.#inner.appendHistory(append));
    }

    purgeInstance(instanceId: string): Promise<boolean> {
        return this.#call(() => this.#inner.purgeInstance(instanceId));
    }

    sendControlMessage(message: TaskMessage, options?: SendMessageOptions): Promise<MessageReceipt | void> {
        return this.#call(() => this.#inner.sendControlMessage(message, options));
    }

    sendWorkItem(
        message: TaskMessage,
        options?: Pick<SendMessageOptions, 'hiddenForSeconds' | 'origin'>,
    ): Promise<MessageReceipt | void> {
        return this.#call(() => this.#inner.sendWorkItem(message, options));
    }

    receiveControlMessages(
        partition: number,
        max: number,
        visibilityTimeoutSeconds: number,
    ): Promise<ReceivedMessage[]> {
        return this.#call(() => this.#inner.receiveControlMessages(partition, max, visibilityTimeoutSeconds));
    }

    receiveWorkItems(max: number, visibilityTimeoutSeconds: number): Promise<ReceivedMessage[]> {
        return this.#call(() => this.#inner.receiveWorkItems(max, visibilityTimeoutSeconds));
    }

    deleteMessage(message: ReceivedMessage): Promise<void> {
        return this.#call(() => this.#inner.deleteMessage(message));
    }

    releaseMessage(message: ReceivedMessage, delaySeconds: number): Promise<void> {
        return this.#call(() => this.#inner.releaseMessage(message, delaySeconds));
    }
}
