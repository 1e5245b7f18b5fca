/** The default StorageFactory: AzureWebJobsStorage through the storage module. */
import type { StorageFactory } from './storage-factory';

export const defaultStorageFactory: StorageFactory = () => {
    return Promise.reject(new Error('The task hub storage module is not available yet.'));
};
