/**
 * The SDK clients of one storage account by resource name, created once and kept (creating clients per
 * operation would rebuild pipelines and lose keep-alive connections). Credentials follow the connection:
 * shared key, SAS, or an Azure AD token credential (one, shared by all the clients).
 */
import type { TokenCredential } from '@azure/core-auth';
import { AzureNamedKeyCredential, AzureSASCredential, TableClient } from '@azure/data-tables';
import {
    AnonymousCredential as BlobAnonymousCredential,
    ContainerClient,
    StorageSharedKeyCredential as BlobSharedKey,
} from '@azure/storage-blob';
import {
    AnonymousCredential as QueueAnonymousCredential,
    QueueClient,
    StorageSharedKeyCredential as QueueSharedKey,
} from '@azure/storage-queue';
import type { StorageConnection } from './connection';
import { createDefaultAzureCredential } from './identity-credential';

function withSas(url: string, token: string): string {
    return `${url}${url.includes('?') ? '&' : '?'}${token}`;
}

/** Clients by resource name for one storage account; one token credential shared by all of them. */
export interface AccountClients {
    table(name: string): TableClient;
    queue(name: string): QueueClient;
    container(name: string): ContainerClient;
}

export function createAccountClients(connection: StorageConnection): AccountClients {
    const { endpoints, credential } = connection;
    const tableOptions = { allowInsecureConnection: endpoints.table.startsWith('http:') };
    let token: TokenCredential | undefined;
    if (credential.kind === 'identity') token = createDefaultAzureCredential(credential.clientId);

    return {
        table(name: string): TableClient {
            switch (credential.kind) {
                case 'sharedKey':
                    return new TableClient(
                        endpoints.table,
                        name,
                        new AzureNamedKeyCredential(credential.accountName, credential.accountKey),
                        tableOptions,
                    );
                case 'sas':
                    return new TableClient(
                        endpoints.table,
                        name,
                        new AzureSASCredential(credential.token),
                        tableOptions,
                    );
                case 'identity':
                    return new TableClient(endpoints.table, name, token as TokenCredential, tableOptions);
            }
        },
        queue(name: string): QueueClient {
            const url = `${endpoints.queue}/${name}`;
            switch (credential.kind) {
                case 'sharedKey':
                    return new QueueClient(url, new QueueSharedKey(credential.accountName, credential.accountKey));
                case 'sas':
                    return new QueueClient(withSas(url, credential.token), new QueueAnonymousCredential());
                case 'identity':
                    return new QueueClient(url, token);
            }
        },
        container(name: string): ContainerClient {
            const url = `${endpoints.blob}/${name}`;
            switch (credential.kind) {
                case 'sharedKey':
                    return new ContainerClient(url, new BlobSharedKey(credential.accountName, credential.accountKey));
                case 'sas':
                    return new ContainerClient(withSas(url, credential.token), new BlobAnonymousCredential());
                case 'identity':
                    return new ContainerClient(url, token);
            }
        },
    };
}
