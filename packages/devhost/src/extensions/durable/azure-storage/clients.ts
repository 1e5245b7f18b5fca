/**
 * The SDK clients of one task hub, made from the account's clients once and kept for the hub's lifetime.
 */
import type { TableClient } from '@azure/data-tables';
import type { ContainerClient } from '@azure/storage-blob';
import type { QueueClient } from '@azure/storage-queue';
import { createAccountClients } from '../../../host/storage-account/account-clients';
import type { StorageConnection } from '../../../host/storage-account/connection';
import type { HubResourceNames } from './hub-resources';

export interface HubClients {
    instances: TableClient;
    history: TableClient;
    controlQueues: readonly QueueClient[];
    workItems: QueueClient;
    largeMessages: ContainerClient;
    leases: ContainerClient;
    partitions: TableClient;
    appLease: ContainerClient;
}

export function createHubClients(connection: StorageConnection, names: HubResourceNames): HubClients {
    const account = createAccountClients(connection);
    return {
        instances: account.table(names.instancesTable),
        history: account.table(names.historyTable),
        controlQueues: names.controlQueues.map((name) => account.queue(name)),
        workItems: account.queue(names.workItemQueue),
        largeMessages: account.container(names.largeMessagesContainer),
        leases: account.container(names.leasesContainer),
        partitions: account.table(names.partitionsTable),
        appLease: account.container(names.appLeaseContainer),
    };
}
