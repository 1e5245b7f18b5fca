/**
 * Adds the fast path's `sendHidden` to the Azure task hub storage: the same MessageData envelope the storage
 * module writes, sent with an initial visibility timeout, returning the messageId and popReceipt the service
 * answered so the sender's own dispatcher can delete it without ever receiving it. Built only from the storage
 * module's exported pieces (clients, envelope serializer, size limit); every other call is delegated as is.
 * Messages over the queue limit go through the storage module's normal send (blob + wrapper) and are not held.
 * If the storage module one day offers `sendHidden` itself, it is used instead (see default-storage.ts).
 */
import { randomUUID } from 'node:crypto';
import type { QueueClient } from '@azure/storage-queue';
import type { TaskMessage } from '../history';
import { createHubClients } from '../../storage/clients';
import type { StorageConnection } from '../../storage/connection';
import type {
    HistoryAppend,
    HistorySnapshot,
    InstancePage,
    InstanceQuery,
    InstanceRecord,
    ReceivedMessage,
    TaskHubStorage,
} from '../../storage/contract';
import { exceedsQueuePayloadLimit } from '../../storage/large-payloads';
import { serializeMessageData } from '../../storage/message-envelope';
import type { AzureTaskHubStorage } from '../../storage/task-hub-storage';
import type { HiddenSend, QueueKind } from './message-transport';

let sequenceNumber = 0;

export class HiddenSendStorage implements TaskHubStorage, HiddenSend {
    readonly #inner: AzureTaskHubStorage;
    readonly #control: readonly QueueClient[];
    readonly #workItems: QueueClient;

    constructor(inner: AzureTaskHubStorage, connection: StorageConnection) {
        this.#inner = inner;
        const clients = createHubClients(connection, inner.resources);
        this.#control = clients.controlQueues;
        this.#workItems = clients.workItems;
    }

    /** The storage module's call counters (this adapter's sends are counted there too). */
    get stats(): AzureTaskHubStorage['stats'] {
        return this.#inner.stats;
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

    async sendHidden(queue: QueueKind, message: TaskMessage, hiddenForSeconds: number): Promise<ReceivedMessage | undefined> {
        const isControl = queue === 'control';
        const json = serializeMessageData(message, {
            activityId: randomUUID(),
            sequenceNumber: sequenceNumber++,
            // As the storage module does: a work item's sender is the orchestration that scheduled it.
            sender: isControl ? { InstanceId: '', ExecutionId: '' } : message.OrchestrationInstance,
        });
        if (exceedsQueuePayloadLimit(json)) {
            if (isControl) await this.#inner.sendControlMessage(message);
            else await this.#inner.sendWorkItem(message);
            return undefined;
        }
        const client = isControl ? this.#control[this.partitionOf(message.OrchestrationInstance.InstanceId)] : this.#workItems;
        if (!client) throw new RangeError(`No control queue for instance '${message.OrchestrationInstance.InstanceId}'.`);
        this.#inner.stats.queueOps++;
        const sent = await client.sendMessage(json, { messageTimeToLive: -1, visibilityTimeout: Math.max(1, Math.ceil(hiddenForSeconds)) });
        return {
            message,
            queueName: client.name,
            messageId: sent.messageId,
            popReceipt: sent.popReceipt,
            dequeueCount: 0,
            insertedOn: sent.insertedOn,
        };
    }

    createIfNotExists(): Promise<void> {
        return this.#inner.createIfNotExists();
    }
    deleteAll(): Promise<void> {
        return this.#inner.deleteAll();
    }
    readInstance(instanceId: string): Promise<InstanceRecord | undefined> {
        return this.#inner.readInstance(instanceId);
    }
    writeInstance(record: InstanceRecord): Promise<void> {
        return this.#inner.writeInstance(record);
    }
    queryInstances(query: InstanceQuery, continuationToken?: string): Promise<InstancePage> {
        return this.#inner.queryInstances(query, continuationToken);
    }
    readHistory(instanceId: string): Promise<HistorySnapshot> {
        return this.#inner.readHistory(instanceId);
    }
    appendHistory(append: HistoryAppend): Promise<string> {
        return this.#inner.appendHistory(append);
    }
    purgeInstance(instanceId: string): Promise<boolean> {
        return this.#inner.purgeInstance(instanceId);
    }
    partitionOf(instanceId: string): number {
        return this.#inner.partitionOf(instanceId);
    }
    controlQueueName(partition: number): string {
        return this.#inner.controlQueueName(partition);
    }
    sendControlMessage(message: TaskMessage, options?: { visibleAt?: Date }): Promise<void> {
        return this.#inner.sendControlMessage(message, options);
    }
    sendWorkItem(message: TaskMessage): Promise<void> {
        return this.#inner.sendWorkItem(message);
    }
    receiveControlMessages(partition: number, max: number, visibilityTimeoutSeconds: number): Promise<ReceivedMessage[]> {
        return this.#inner.receiveControlMessages(partition, max, visibilityTimeoutSeconds);
    }
    receiveWorkItems(max: number, visibilityTimeoutSeconds: number): Promise<ReceivedMessage[]> {
        return this.#inner.receiveWorkItems(max, visibilityTimeoutSeconds);
    }
    deleteMessage(message: ReceivedMessage): Promise<void> {
        return this.#inner.deleteMessage(message);
    }
    releaseMessage(message: ReceivedMessage, delaySeconds: number): Promise<void> {
        return this.#inner.releaseMessage(message, delaySeconds);
    }
}
