/**
 * Messages waiting on each queue of the task hub (the control queues and the work-item queue), read with the
 * storage module's own clients. The count is the queue service's approximate count: it includes messages that
 * are leased (hidden) while an episode or activity works on them, as Storage Explorer shows it.
 */
import type { QueueClient } from '@azure/storage-queue';
import { storageConnectionFromEnv } from '../../host/storage-account/connection';
import { createHubClients } from '../durable/azure-storage/clients';
import { hubResourceNames } from '../durable/azure-storage/hub-resources';

export interface QueueDepth {
    name: string;
    kind: 'control' | 'workItems';
    approximateMessageCount: number;
}

export type QueueDepthReader = () => Promise<QueueDepth[]>;

/** Clients are built once (no network); each call asks every queue for its properties, in parallel. */
export function createQueueDepthReader(
    env: NodeJS.ProcessEnv,
    hubName: string,
    partitionCount: number,
): QueueDepthReader {
    const names = hubResourceNames(hubName, partitionCount);
    const clients = createHubClients(storageConnectionFromEnv(env), names);
    const queues: Array<{ client: QueueClient; kind: QueueDepth['kind'] }> = [
        ...clients.controlQueues.map((client) => ({ client, kind: 'control' as const })),
        { client: clients.workItems, kind: 'workItems' },
    ];
    return () =>
        Promise.all(
            queues.map(async ({ client, kind }) => {
                const properties = await client.getProperties();
                return { name: client.name, kind, approximateMessageCount: properties.approximateMessagesCount ?? 0 };
            }),
        );
}
