/** The storage account the host and every extension read (AzureWebJobsStorage or a named connection). */
export {
    developmentStorageConnection,
    parseConnectionString,
    storageConnectionFromEnv,
    StorageConfigurationError,
    type StorageConnection,
    type StorageCredential,
    type StorageEndpoints,
} from './connection';
export { createAccountClients, type AccountClients } from './account-clients';
export { httpStatusOf, isNotFound } from './storage-errors';
