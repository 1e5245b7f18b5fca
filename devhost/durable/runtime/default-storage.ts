/**
 * The default StorageFactory: AzureWebJobsStorage and the hub name through the storage module (the hub name
 * defaults and validation are the storage module's), with the fast path's hidden sends added.
 */
import { createTaskHubStorage, DEFAULT_HUB_NAME, sanitizeDefaultHubName, storageConnectionFromEnv, validateTaskHubName } from '../../storage';
import { HiddenSendStorage } from './hidden-send-adapter';
import { supportsHiddenSend } from './message-transport';
import type { StorageFactory } from './storage-factory';

export const defaultStorageFactory: StorageFactory = (request) => {
    const connection = storageConnectionFromEnv(request.env);
    const site = request.env.WEBSITE_SITE_NAME?.trim();
    const hubName =
        request.hubName !== undefined && request.hubName.trim() !== ''
            ? validateTaskHubName(request.hubName.trim())
            : site
              ? sanitizeDefaultHubName(site)
              : DEFAULT_HUB_NAME;
    const storage = createTaskHubStorage({ connection, hubName, partitionCount: request.partitionCount });
    return Promise.resolve(supportsHiddenSend(storage) ? storage : new HiddenSendStorage(storage, connection));
};
