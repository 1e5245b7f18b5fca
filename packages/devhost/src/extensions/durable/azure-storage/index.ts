/** The task hub on Azure Storage: what the engine, the management API and the CLI import. */
export { createTaskHubStorage, type AzureTaskHubStorage, type TaskHubStorageOptions } from './task-hub-storage';
export { DEFAULT_PARTITION_COUNT, hubResourceNames, type HubResourceNames } from './hub-resources';
export * from '../../../host/storage-account';
export {
    DEFAULT_HUB_NAME,
    InvalidTaskHubNameError,
    sanitizeDefaultHubName,
    taskHubName,
    validateTaskHubName,
} from './task-hub-settings';
export { InvalidContinuationTokenError } from '../task-hub-port/task-hub-storage';
export { escapePartitionKey, unescapePartitionKey } from './key-sanitation';
export { fnv1a32, partitionIndex } from './partition';
export { MAX_VISIBILITY_DELAY_SECONDS, type DiscardedMessage, type SendOptions } from './message-queues';
export { StorageStats } from './stats';
export * from '../task-hub-port/task-hub-storage';
