/**
 * The default StorageFactory: AzureWebJobsStorage and the hub name through the storage module (the hub name
 * defaults and validation are the storage module's). The storage module's `sendHidden` gives the runtime its
 * fast path (message-transport.ts).
 */
import {
    createTaskHubStorage,
    DEFAULT_HUB_NAME,
    sanitizeDefaultHubName,
    storageConnectionFromEnv,
    validateTaskHubName,
} from '../storage';
import type { StorageFactory } from './runtime/storage-factory';

export const defaultStorageFactory: StorageFactory = (request) => {
    const connection = storageConnectionFromEnv(request.env);
    const site = request.env.WEBSITE_SITE_NAME?.trim();
    const hubName =
        request.hubName !== undefined && request.hubName.trim() !== ''
            ? validateTaskHubName(request.hubName.trim())
            : site
              ? sanitizeDefaultHubName(site)
              : DEFAULT_HUB_NAME;
    return Promise.resolve(createTaskHubStorage({ connection, hubName, partitionCount: request.partitionCount }));
};
