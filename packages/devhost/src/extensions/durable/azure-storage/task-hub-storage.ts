/**
 * `createTaskHubStorage`: the TaskHubStorage port (task-hub-port/) on Azure Storage, in the Durable Task Azure
 * Storage provider's layout. Clients are created once; resources are created once by createIfNotExists
 * (in parallel), never checked per operation. `stats` counts the storage calls made through this object.
 */
import type { QueueClient } from '@azure/storage-queue';
import type { StorageConnection } from '../../../host/storage-account/connection';
import { errorMessage } from '../../../shared/errors';
import type { TaskMessage } from '../../../shared/history';
import type {
    HistoryAppend,
    HistorySnapshot,
    HubLockEvents,
    InstancePage,
    InstanceQuery,
    InstanceRecord,
    MessageOrigin,
    MessageReceipt,
    ReceivedMessage,
    TaskHubStorage,
    VersionedInstance,
} from '../task-hub-port/task-hub-storage';
import { createHubClients, type HubClients } from './clients';
import { HistoryStore } from './history-store';
import { acquireHubLock, type HubLock } from './hub-lock';
import { controlQueueName, DEFAULT_PARTITION_COUNT, hubResourceNames, type HubResourceNames } from './hub-resources';
import { InstanceStore } from './instance-store';
import { escapePartitionKey } from './key-sanitation';
import { LargeColumns } from './large-columns';
import { LargePayloadStore } from './large-payloads';
import { LargeValueCache } from './large-value-cache';
import { MessageQueues, type DiscardedMessage, type SendOptions } from './message-queues';
import { partitionIndex } from './partition';
import { keepProviderHold, ProviderPartitionHold } from './provider-partitions';
import { StorageStats } from './stats';
import { validateTaskHubName } from './task-hub-settings';

export interface TaskHubStorageOptions {
    connection: StorageConnection;
    hubName: string;
    /** Control queues; 1-16, default 4. Changing it needs a new task hub. */
    partitionCount?: number;
    /** Told about unreadable queue messages, which are removed. Defaults to a console warning. */
    onDiscardedMessage?: (message: DiscardedMessage) => void;
}

export interface AzureTaskHubStorage extends TaskHubStorage {
    readonly stats: StorageStats;
    readonly resources: HubResourceNames;
    sendControlMessage(message: TaskMessage, options?: SendOptions): Promise<MessageReceipt>;
    sendWorkItem(
        message: TaskMessage,
        options?: Pick<SendOptions, 'origin' | 'hiddenForSeconds'>,
    ): Promise<MessageReceipt>;
    /**
     * Sends hidden for `hiddenForSeconds` and returns a handle as if the message had been received, so the
     * sender's own dispatcher can work on it and delete it without a receive (the runtime's fast path).
     */
    sendHidden(
        queue: 'control' | 'workItem',
        message: TaskMessage,
        hiddenForSeconds: number,
        origin?: MessageOrigin,
    ): Promise<ReceivedMessage>;
}

function warnDiscarded(message: DiscardedMessage): void {
    const reason = errorMessage(message.error);
    console.warn(
        `[devhost] Removed unreadable message ${message.messageId} from queue '${message.queueName}': ${reason}`,
    );
}

export function createTaskHubStorage(options: TaskHubStorageOptions): AzureTaskHubStorage {
    return new AzureStorageTaskHub(options);
}

class AzureStorageTaskHub implements AzureTaskHubStorage {
    readonly hubName: string;
    readonly partitionCount: number;
    readonly stats = new StorageStats();
    readonly resources: HubResourceNames;
    private readonly clients: HubClients;
    private readonly payloads: LargePayloadStore;
    private readonly cache = new LargeValueCache();
    private readonly instances: InstanceStore;
    private readonly largeColumns: LargeColumns;
    private readonly history: HistoryStore;
    private readonly queues: MessageQueues;

    constructor(options: TaskHubStorageOptions) {
        this.hubName = validateTaskHubName(options.hubName);
        this.partitionCount = options.partitionCount ?? DEFAULT_PARTITION_COUNT;
        this.resources = hubResourceNames(this.hubName, this.partitionCount);
        this.clients = createHubClients(options.connection, this.resources);
        this.payloads = new LargePayloadStore(
            this.clients.largeMessages,
            options.connection.endpoints.blob,
            this.stats,
        );
        const largeColumns = new LargeColumns(this.payloads, this.cache);
        this.largeColumns = largeColumns;
        this.instances = new InstanceStore(this.clients.instances, this.hubName, largeColumns, this.stats);
        this.history = new HistoryStore(this.clients.history, largeColumns, this.stats);
        this.queues = new MessageQueues(this.payloads, this.stats, options.onDiscardedMessage ?? warnDiscarded);
    }

    get workItemQueueName(): string {
        return this.resources.workItemQueue;
    }

    async createIfNotExists(): Promise<void> {
        const queues = [...this.clients.controlQueues, this.clients.workItems];
        this.stats.tableOps += 2;
        this.stats.queueOps += queues.length;
        this.stats.blobOps += 1;
        await Promise.all([
            this.clients.instances.createTable(),
            this.clients.history.createTable(),
            ...queues.map((q) => q.createIfNotExists()),
            this.clients.largeMessages.createIfNotExists(),
        ]);
    }

    /**
     * The devhost's own lock first (one devhost per hub), then the provider's ownership of the hub: refused
     * while a Functions host holds it, held while this process runs (provider-partitions.ts).
     */
    async acquireHubLock(events: HubLockEvents): Promise<HubLock> {
        const lock = await acquireHubLock(this.clients.leases, this.hubName, events);
        let kept: { stop(): Promise<void> };
        try {
            const hold = await ProviderPartitionHold.take(this.clients, this.hubName, this.resources.controlQueues);
            kept = keepProviderHold(hold, (error, holder) => events.onLost(error, holder));
        } catch (error) {
            await lock.release();
            throw error;
        }
        return {
            previousHandedOver: lock.previousHandedOver,
            async release(options?: { handedOver?: boolean }): Promise<void> {
                await kept.stop();
                await lock.release(options);
            },
        };
    }

    async deleteAll(): Promise<void> {
        const queues = [...this.clients.controlQueues, this.clients.workItems];
        this.stats.tableOps += 3;
        this.stats.queueOps += queues.length;
        this.stats.blobOps += 3;
        await Promise.all([
            this.clients.instances.deleteTable(),
            this.clients.history.deleteTable(),
            this.clients.partitions.deleteTable(),
            ...queues.map((q) => q.deleteIfExists()),
            this.clients.largeMessages.deleteIfExists(),
            this.clients.leases.deleteIfExists(),
            this.clients.appLease.deleteIfExists(),
        ]);
    }

    readInstance(instanceId: string): Promise<InstanceRecord | undefined> {
        return this.instances.read(instanceId);
    }

    writeInstance(record: InstanceRecord): Promise<void> {
        return this.instances.write(record);
    }

    readInstanceVersioned(instanceId: string): Promise<VersionedInstance | undefined> {
        return this.instances.readVersioned(instanceId);
    }

    writeNewExecution(record: InstanceRecord, etag: string | undefined): Promise<boolean> {
        return this.instances.writeNewExecution(record, etag);
    }

    queryInstances(query: InstanceQuery, continuationToken?: string): Promise<InstancePage> {
        return this.instances.query(query, continuationToken);
    }

    readHistory(instanceId: string): Promise<HistorySnapshot> {
        return this.history.read(instanceId);
    }

    appendHistory(append: HistoryAppend): Promise<string> {
        return this.history.append(append);
    }

    async purgeInstance(instanceId: string): Promise<boolean> {
        const sanitized = escapePartitionKey(instanceId);
        // Large-message blobs of history and instance rows live under the escaped id, message blobs under the
        // raw id (as in the provider); they differ only for ids with `^` or control characters.
        const prefixes = new Set([`${sanitized}/`, `${instanceId}/`]);
        const [existed] = await Promise.all([
            this.instances.delete(instanceId),
            this.history.deleteAll(instanceId),
            ...[...prefixes].map((prefix) => this.payloads.deleteByPrefix(prefix)),
        ]);
        this.largeColumns.forgetBlobs(sanitized);
        return existed;
    }

    /**
     * Lists first, then reads what history and the row name, then deletes what was listed and is named by
     * neither: a blob uploaded after the listing (a checkpoint under way) is never touched. The dispatcher
     * calls it inside an episode, so no other episode of the instance runs meanwhile.
     */
    async collectOrphanBlobs(instanceId: string): Promise<number> {
        const sanitized = escapePartitionKey(instanceId);
        if (!this.largeColumns.hasBlobs(sanitized)) return 0;
        const listed = await this.payloads.list(`${sanitized}/history-`);
        if (listed.length === 0) return 0;
        const [historyNames, rowNames] = await Promise.all([
            this.history.blobNames(instanceId),
            this.instances.blobNames(instanceId, (value) => this.payloads.blobNameFromUrl(value)),
        ]);
        const named = new Set([...historyNames, ...rowNames]);
        const orphans = listed.filter((name) => !named.has(name));
        // The value cache may still hand out an orphan's name for reuse: forget the instance's entries first.
        if (orphans.length > 0) this.cache.forgetInstance(sanitized);
        await this.payloads.delete(orphans);
        return orphans.length;
    }

    partitionOf(instanceId: string): number {
        return partitionIndex(instanceId, this.partitionCount);
    }

    controlQueueName(partition: number): string {
        return controlQueueName(this.hubName, partition);
    }

    private controlQueue(partition: number): QueueClient {
        const queue = this.clients.controlQueues[partition];
        if (!queue)
            throw new RangeError(`Partition ${partition} does not exist (partitionCount ${this.partitionCount}).`);
        return queue;
    }

    private queueNamed(queueName: string): QueueClient {
        const queue = [...this.clients.controlQueues, this.clients.workItems].find((q) => q.name === queueName);
        if (!queue) throw new Error(`Queue '${queueName}' does not belong to task hub '${this.hubName}'.`);
        return queue;
    }

    sendControlMessage(message: TaskMessage, options?: SendOptions): Promise<MessageReceipt> {
        return this.queues.send(
            this.controlQueue(this.partitionOf(message.OrchestrationInstance.InstanceId)),
            message,
            options,
        );
    }

    sendWorkItem(
        message: TaskMessage,
        options?: Pick<SendOptions, 'origin' | 'hiddenForSeconds'>,
    ): Promise<MessageReceipt> {
        // An activity's sender is the orchestration that scheduled it.
        return this.queues.send(this.clients.workItems, message, {
            origin: options?.origin ?? {
                sender: {
                    InstanceId: message.OrchestrationInstance.InstanceId,
                    ExecutionId: message.OrchestrationInstance.ExecutionId ?? '',
                },
            },
            ...(options?.hiddenForSeconds === undefined ? {} : { hiddenForSeconds: options.hiddenForSeconds }),
        });
    }

    async sendHidden(
        queue: 'control' | 'workItem',
        message: TaskMessage,
        hiddenForSeconds: number,
        origin?: MessageOrigin,
    ): Promise<ReceivedMessage> {
        // At least one second: a zero would make it visible to pollers while the sender already works on it.
        const options = { hiddenForSeconds: Math.max(1, hiddenForSeconds), ...(origin ? { origin } : {}) };
        const receipt =
            queue === 'control'
                ? await this.sendControlMessage(message, options)
                : await this.sendWorkItem(message, options);
        return { message, ...receipt, dequeueCount: 0 };
    }

    receiveControlMessages(
        partition: number,
        max: number,
        visibilityTimeoutSeconds: number,
    ): Promise<ReceivedMessage[]> {
        return this.queues.receive(this.controlQueue(partition), max, visibilityTimeoutSeconds);
    }

    receiveWorkItems(max: number, visibilityTimeoutSeconds: number): Promise<ReceivedMessage[]> {
        return this.queues.receive(this.clients.workItems, max, visibilityTimeoutSeconds);
    }

    deleteMessage(message: ReceivedMessage): Promise<void> {
        return this.queues.delete(this.queueNamed(message.queueName), message);
    }

    releaseMessage(message: ReceivedMessage, delaySeconds: number): Promise<void> {
        return this.queues.release(this.queueNamed(message.queueName), message, delaySeconds);
    }

    /**
     * Poison messages go to `<hub>-largemessages/<escaped instance id>/poison-<messageId>.json.gz` (gzipped
     * JSON: reason, queue, message id, dequeue count, the message), beside the instance's other blobs, so a
     * purge removes them too; then the queue message is deleted. Returns the blob name.
     */
    async setAsideMessage(message: ReceivedMessage, reason: string): Promise<string> {
        const blobName = `${escapePartitionKey(message.message.OrchestrationInstance.InstanceId)}/poison-${message.messageId}.json.gz`;
        const record = {
            reason,
            queueName: message.queueName,
            messageId: message.messageId,
            dequeueCount: message.dequeueCount,
            insertedOn: message.insertedOn.toISOString(),
            setAsideOn: new Date().toISOString(),
            message: message.message,
        };
        await this.payloads.upload(blobName, JSON.stringify(record));
        await this.deleteMessage(message);
        return blobName;
    }
}
