/** A fresh task hub on the shared Azurite for one test file, plus raw SDK clients to look behind the API. */
import { TableClient, TableServiceClient } from '@azure/data-tables';
import { BlobServiceClient } from '@azure/storage-blob';
import { QueueServiceClient } from '@azure/storage-queue';
import {
    createTaskHubStorage,
    type AzureTaskHubStorage,
    type TaskHubStorageOptions,
} from '../../../src/extensions/durable/azure-storage/task-hub-storage';
import { parseConnectionString } from '../../../src/host/storage-account/connection';
import { azuriteConnectionString, uniqueHubName } from '../storage';

export interface TestHub {
    storage: AzureTaskHubStorage;
    hubName: string;
    table(name: string): TableClient;
    tables: TableServiceClient;
    queues: QueueServiceClient;
    blobs: BlobServiceClient;
}

export async function createTestHub(options: Partial<TaskHubStorageOptions> = {}): Promise<TestHub> {
    const hubName = options.hubName ?? uniqueHubName('Hub');
    const connectionString = azuriteConnectionString();
    const storage = createTaskHubStorage({ connection: parseConnectionString(connectionString), ...options, hubName });
    await storage.createIfNotExists();
    return {
        storage,
        hubName,
        table: (name) => TableClient.fromConnectionString(connectionString, name, { allowInsecureConnection: true }),
        tables: TableServiceClient.fromConnectionString(connectionString, { allowInsecureConnection: true }),
        queues: QueueServiceClient.fromConnectionString(connectionString),
        blobs: BlobServiceClient.fromConnectionString(connectionString),
    };
}
