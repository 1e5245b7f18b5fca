/**
 * The messages on an instance's control queue that no host has taken yet ("a message not yet picked up"): a
 * peek at its partition's queue, which sees only visible messages, at most 32 (the queue service's limit). A
 * timer waiting for its time, or a message a host turned away and put back with a delay, is invisible until
 * then: those show in "Waiting for" from history and the version gate instead. Messages held in a blob (over
 * 45 KiB) are not read: the peek cannot tell their instance without downloading them.
 */
import type { QueueClient } from '@azure/storage-queue';
import { storageConnectionFromEnv } from '../../host/storage-account/connection';
import { createHubClients } from '../durable/azure-storage/clients';
import { hubResourceNames } from '../durable/azure-storage/hub-resources';
import { parseMessageData } from '../durable/azure-storage/message-envelope';
import { describe, type QueuedMessage } from './waiting-for';

/** The queue service's maximum for one peek. */
const PEEK_MAX = 32;

export type QueuedMessageReader = (instanceId: string, partition: number) => Promise<QueuedMessage[]>;

/** Clients are built once (no network); each call is one peek. */
export function createQueuedMessageReader(
    env: NodeJS.ProcessEnv,
    hubName: string,
    partitionCount: number,
): QueuedMessageReader {
    const clients = createHubClients(storageConnectionFromEnv(env), hubResourceNames(hubName, partitionCount));
    return async (instanceId, partition) => {
        const queue: QueueClient | undefined = clients.controlQueues[partition];
        if (!queue) return [];
        const peeked = await queue.peekMessages({ numberOfMessages: PEEK_MAX });
        const found: QueuedMessage[] = [];
        for (const item of peeked.peekedMessageItems) {
            let parsed;
            try {
                parsed = parseMessageData(item.messageText);
            } catch {
                continue; // not a task message (someone else's text on the queue): not this instance's
            }
            if (parsed.kind !== 'inline' || parsed.message.OrchestrationInstance.InstanceId !== instanceId) continue;
            found.push({ where: 'queue', ...describe(parsed.message), insertedOn: item.insertedOn.toISOString() });
        }
        return found;
    };
}
