import { describe, expect, it } from 'vitest';
import { DEV_ACCOUNT_NAME } from '../../../src/host/local-storage/azurite';
import {
    parseConnectionString,
    StorageConfigurationError,
    storageConnectionFromEnv,
} from '../../../src/host/storage-account/connection';
import { createDefaultAzureCredential } from '../../../src/host/storage-account/identity-credential';

describe('storage connection settings', () => {
    it('maps UseDevelopmentStorage=true to Azurite on its default ports', () => {
        const c = storageConnectionFromEnv({ AzureWebJobsStorage: 'UseDevelopmentStorage=true' });
        expect(c.endpoints).toEqual({
            blob: `http://127.0.0.1:10000/${DEV_ACCOUNT_NAME}`,
            queue: `http://127.0.0.1:10001/${DEV_ACCOUNT_NAME}`,
            table: `http://127.0.0.1:10002/${DEV_ACCOUNT_NAME}`,
        });
        expect(c.credential.kind).toBe('sharedKey');
    });

    it('derives endpoints from account name, protocol and suffix, keeping keys with "=" intact', () => {
        const c = parseConnectionString(
            'DefaultEndpointsProtocol=https;AccountName=acct;AccountKey=abc/def==;EndpointSuffix=core.chinacloudapi.cn',
        );
        expect(c.endpoints.queue).toBe('https://acct.queue.core.chinacloudapi.cn');
        expect(c.credential).toEqual({ kind: 'sharedKey', accountName: 'acct', accountKey: 'abc/def==' });
        expect(c.description).toBe('acct');
        expect(parseConnectionString('AccountName=a;AccountKey=k').endpoints.table).toBe(
            'https://a.table.core.windows.net',
        );
    });

    it('prefers explicit endpoints and accepts a SAS instead of a key', () => {
        const c = parseConnectionString(
            'BlobEndpoint=https://b.example/;QueueEndpoint=https://q.example;TableEndpoint=https://t.example;SharedAccessSignature=?sv=1&sig=x%3D',
        );
        expect(c.endpoints).toEqual({
            blob: 'https://b.example',
            queue: 'https://q.example',
            table: 'https://t.example',
        });
        expect(c.credential).toEqual({ kind: 'sas', token: 'sv=1&sig=x%3D' });
        expect(c.description).not.toContain('sig');
    });

    it('rejects connection strings without a credential or an endpoint', () => {
        expect(() => parseConnectionString('AccountName=a')).toThrow(StorageConfigurationError);
        expect(() => parseConnectionString('AccountKey=k')).toThrow(/AccountName/);
        expect(() => parseConnectionString('garbage')).toThrow(StorageConfigurationError);
    });

    it('reads identity-based settings: account name, or all three service URIs', () => {
        const byName = storageConnectionFromEnv({
            AzureWebJobsStorage__accountName: 'acct',
            AzureWebJobsStorage__clientId: 'cid',
        });
        expect(byName.endpoints.blob).toBe('https://acct.blob.core.windows.net');
        expect(byName.credential).toEqual({ kind: 'identity', clientId: 'cid' });

        const byUris = storageConnectionFromEnv({
            AzureWebJobsStorage__blobServiceUri: 'https://b.example/',
            AzureWebJobsStorage__queueServiceUri: 'https://q.example',
            AzureWebJobsStorage__tableServiceUri: 'https://t.example',
        });
        expect(byUris.endpoints).toEqual({
            blob: 'https://b.example',
            queue: 'https://q.example',
            table: 'https://t.example',
        });
        expect(() => storageConnectionFromEnv({ AzureWebJobsStorage__blobServiceUri: 'https://b.example' })).toThrow(
            /queueServiceUri/,
        );
    });

    it('explains what to set when nothing is configured, and honours another setting name', () => {
        expect(() => storageConnectionFromEnv({})).toThrow(/AzureWebJobsStorage.*UseDevelopmentStorage=true/);
        expect(storageConnectionFromEnv({ MyStorage: 'UseDevelopmentStorage=true' }, 'MyStorage').credential.kind).toBe(
            'sharedKey',
        );
    });

    it('creates DefaultAzureCredential lazily and names the missing package when it cannot load', () => {
        expect(createDefaultAzureCredential(undefined)).toHaveProperty('getToken');
        const missing = (): never => {
            throw new Error("Cannot find module '@azure/identity'");
        };
        expect(() => createDefaultAzureCredential(undefined, missing)).toThrow(
            /@azure\/identity.*npm install @azure\/identity/s,
        );
        expect(() => createDefaultAzureCredential(undefined, () => ({}))).toThrow(/DefaultAzureCredential/);
    });
});
