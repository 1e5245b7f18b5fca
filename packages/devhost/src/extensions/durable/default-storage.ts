/**
 * The default StorageFactory: AzureWebJobsStorage and the hub name through the storage module (the hub name
 * defaults and validation are the storage module's). The storage module's `sendHidden` gives the runtime its
 * fast path (message-transport.ts).
 */
import { createTaskHubStorage, storageConnectionFromEnv, taskHubName } from './azure-storage';
import type { StorageFactory } from './runtime/storage-factory';

export const defaultStorageFactory: StorageFactory = (request) => {
    const connection = storageConnectionFromEnv(request.env);
    const hubName = taskHubName(request.hubName, request.env);
    return Promise.resolve(createTaskHubStorage({ connection, hubName, partitionCount: request.partitionCount }));
};
