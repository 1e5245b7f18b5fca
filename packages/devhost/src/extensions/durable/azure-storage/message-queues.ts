/**
 * Control and work-item queues. Bodies are raw UTF-8 JSON (the provider's default `UTF8` encoding; the JS
 * queue SDK sends text as given, it does not base64 it). Messages over 45 KiB go to a gzipped blob and the
 * queue gets a wrapper naming it; receiving restores the full message.
 */
import { randomUUID } from 'node:crypto';
import type { QueueClient } from '@azure/storage-queue';
import { z } from 'zod';
import { httpStatusOf } from '../../../host/storage-account/storage-errors';
import { EventType, type TaskMessage } from '../../../shared/history';
import {
    MessageGoneError,
    type MessageOrigin,
    type MessageReceipt,
    type ReceivedMessage,
} from '../task-hub-port/task-hub-storage';
import { exceedsQueuePayloadLimit, messageBlobName, type LargePayloadStore } from './large-payloads';
import {
    parseMessageData,
    serializeMessageData,
    serializeWrapperMessageData,
    type ParsedMessageData,
} from './message-envelope';
import type { StorageStats } from './stats';

/** The service's longest visibility timeout (7 days). Longer timers are split by the engine; see clamp below. */
export const MAX_VISIBILITY_DELAY_SECONDS = 7 * 24 * 60 * 60;
/** The service returns at most 32 messages per receive. */
export const MAX_MESSAGES_PER_RECEIVE = 32;

export interface SendOptions {
    /** Not delivered before this time (durable timers, scheduled starts). */
    visibleAt?: Date;
    /** Hidden for at least this many seconds (a sender that works on the message itself); see task-hub-port/task-hub-storage.ts. */
    hiddenForSeconds?: number;
    /** The execution sending the message, for the envelope's `Sender` and `Episode`; none for client calls. */
    origin?: MessageOrigin;
}

/** A message that could not be understood; it is removed from the queue so it cannot block its partition. */
export interface DiscardedMessage {
    queueName: string;
    messageId: string;
    body: string;
    error: unknown;
}

let sequenceNumber = 0;

/**
 * Seconds until `visibleAt`, rounded up (a timer must never fire early) and clamped to the service's
 * 7-day maximum: a later message becomes visible after 7 days, and the engine, which splits long timers
 * anyway, sees FireAt still ahead and waits again.
 */
export function visibilityDelaySeconds(visibleAt: Date | undefined, now: Date = new Date()): number {
    if (!visibleAt) return 0;
    const seconds = Math.ceil((visibleAt.getTime() - now.getTime()) / 1000);
    return Math.min(Math.max(seconds, 0), MAX_VISIBILITY_DELAY_SECONDS);
}

export class MessageQueues {
    constructor(
        private readonly payloads: LargePayloadStore,
        private readonly stats: StorageStats,
        private readonly onDiscarded: (message: DiscardedMessage) => void,
    ) {}

    async send(queue: QueueClient, message: TaskMessage, options: SendOptions = {}): Promise<MessageReceipt> {
        const activityId = randomUUID();
        const json = serializeMessageData(message, {
            activityId,
            // DTFx `TaskHubQueue.AddMessageAsync`: `Interlocked.Increment` on a static counter, so the first is 1.
            sequenceNumber: ++sequenceNumber,
            // A client's Sender is DTFx's EmptySourceInstance.
            sender: options.origin?.sender ?? { InstanceId: '', ExecutionId: '' },
            ...(options.origin?.episode === undefined ? {} : { episode: options.origin.episode }),
        });
        let body = json;
        if (exceedsQueuePayloadLimit(json)) {
            const blobName = messageBlobName(
                message.OrchestrationInstance.InstanceId,
                activityId,
                EventType[message.Event.EventType],
            );
            await this.payloads.upload(blobName, json);
            body = serializeWrapperMessageData(blobName);
        }
        const hidden =
            options.hiddenForSeconds === undefined
                ? 0
                : Math.min(Math.max(0, Math.ceil(options.hiddenForSeconds)), MAX_VISIBILITY_DELAY_SECONDS);
        this.stats.queueOps++;
        const sent = await queue.sendMessage(body, {
            messageTimeToLive: -1,
            visibilityTimeout: Math.max(visibilityDelaySeconds(options.visibleAt), hidden),
        });
        return {
            queueName: queue.name,
            messageId: sent.messageId,
            popReceipt: sent.popReceipt,
            insertedOn: sent.insertedOn,
        };
    }

    async receive(queue: QueueClient, max: number, visibilityTimeoutSeconds: number): Promise<ReceivedMessage[]> {
        this.stats.queueOps++;
        const response = await queue.receiveMessages({
            numberOfMessages: Math.min(Math.max(1, max), MAX_MESSAGES_PER_RECEIVE),
            visibilityTimeout: visibilityTimeoutSeconds,
        });
        const received = await Promise.all(
            response.receivedMessageItems.map(async (item): Promise<ReceivedMessage | undefined> => {
                let message: TaskMessage;
                try {
                    message = await this.decode(item.messageText);
                } catch (error) {
                    if (!isUnreadable(error)) throw error;
                    await this.discard(queue, item.messageId, item.popReceipt);
                    this.onDiscarded({
                        queueName: queue.name,
                        messageId: item.messageId,
                        body: item.messageText,
                        error,
                    });
                    return undefined;
                }
                return {
                    message,
                    queueName: queue.name,
                    messageId: item.messageId,
                    popReceipt: item.popReceipt,
                    dequeueCount: item.dequeueCount,
                    insertedOn: item.insertedOn,
                };
            }),
        );
        return received.filter((m): m is ReceivedMessage => m !== undefined);
    }

    private async decode(body: string): Promise<TaskMessage> {
        let parsed: ParsedMessageData = parseMessageData(body);
        if (parsed.kind === 'blob') parsed = parseMessageData(await this.payloads.download(parsed.blobName));
        if (parsed.kind !== 'inline') throw new SyntaxError('A large-message blob holds another wrapper.');
        return parsed.message;
    }

    private async discard(queue: QueueClient, messageId: string, popReceipt: string): Promise<void> {
        this.stats.queueOps++;
        await queue.deleteMessage(messageId, popReceipt);
    }

    /** Deleting an already deleted message is done, not an error. */
    async delete(queue: QueueClient, message: ReceivedMessage): Promise<void> {
        this.stats.queueOps++;
        try {
            await queue.deleteMessage(message.messageId, message.popReceipt);
        } catch (err) {
            if (httpStatusOf(err) !== 404) throw err;
        }
    }

    /** Visible again after `delaySeconds`; the message's pop receipt is updated in place for a later delete. */
    async release(queue: QueueClient, message: ReceivedMessage, delaySeconds: number): Promise<void> {
        this.stats.queueOps++;
        let response;
        try {
            response = await queue.updateMessage(
                message.messageId,
                message.popReceipt,
                undefined,
                Math.min(Math.max(0, Math.ceil(delaySeconds)), MAX_VISIBILITY_DELAY_SECONDS),
            );
        } catch (error) {
            // 404 MessageNotFound (deleted, or received by someone else: a new pop receipt); 400 PopReceiptMismatch.
            const status = httpStatusOf(error);
            if (status === 404 || status === 400) throw new MessageGoneError(message.messageId);
            throw error;
        }
        if (response.popReceipt) message.popReceipt = response.popReceipt;
    }
}

/** Malformed JSON, a schema mismatch, or a large-message blob that no longer exists. Storage outages are not. */
function isUnreadable(error: unknown): boolean {
    if (error instanceof SyntaxError) return true;
    if (error instanceof z.ZodError) return true;
    return httpStatusOf(error) === 404;
}
