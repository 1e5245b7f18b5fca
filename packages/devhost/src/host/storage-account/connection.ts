/**
 * Where the task hub lives: `AzureWebJobsStorage` as the Functions host reads it. Either a connection string
 * (`UseDevelopmentStorage=true`, account name + key, explicit endpoints, SAS) or identity-based settings
 * (`AzureWebJobsStorage__accountName`, or `__blobServiceUri` / `__queueServiceUri` / `__tableServiceUri`).
 * Parsing is separate from client creation so it can be tested without a network.
 */
import { DEFAULT_AZURITE_PORTS, DEV_ACCOUNT_KEY, DEV_ACCOUNT_NAME } from '../local-storage/azurite';

export interface StorageEndpoints {
    blob: string;
    queue: string;
    table: string;
}

export type StorageCredential =
    | { kind: 'sharedKey'; accountName: string; accountKey: string }
    | { kind: 'sas'; token: string }
    /** DefaultAzureCredential from @azure/identity (loaded lazily); `clientId` picks a user-assigned identity. */
    | { kind: 'identity'; clientId?: string };

export interface StorageConnection {
    endpoints: StorageEndpoints;
    credential: StorageCredential;
    /** For messages: the account or endpoint, never a secret. */
    description: string;
}

export class StorageConfigurationError extends Error {
    constructor(message: string) {
        super(message);
        this.name = 'StorageConfigurationError';
    }
}

const DEFAULT_SETTING = 'AzureWebJobsStorage';

/** Reads the storage connection the way the Functions host does: the plain setting first, then `__` identity settings. */
export function storageConnectionFromEnv(
    env: NodeJS.ProcessEnv = process.env,
    settingName: string = DEFAULT_SETTING,
): StorageConnection {
    const value = env[settingName]?.trim();
    if (value) return parseConnectionString(value);
    const identity = identityConnectionFromEnv(env, settingName);
    if (identity) return identity;
    throw new StorageConfigurationError(
        `Storage connection '${settingName}' is not configured: set ${settingName} to a connection string ` +
            `(or "UseDevelopmentStorage=true" for Azurite), or set ${settingName}__accountName for an identity-based connection.`,
    );
}

function trimSlash(url: string): string {
    return url.replace(/\/+$/, '');
}

/** Splits `Key=Value;Key=Value`; values may contain `=` (account keys, SAS tokens). Keys are case-insensitive. */
function connectionStringParts(text: string): Map<string, string> {
    const parts = new Map<string, string>();
    for (const segment of text.split(';')) {
        if (!segment.trim()) continue;
        const eq = segment.indexOf('=');
        if (eq <= 0)
            throw new StorageConfigurationError(
                `Malformed storage connection string segment: '${segment.split('=')[0]}…'.`,
            );
        parts.set(segment.slice(0, eq).trim().toLowerCase(), segment.slice(eq + 1).trim());
    }
    return parts;
}

export function developmentStorageConnection(host = '127.0.0.1'): StorageConnection {
    const base = (port: number): string => `http://${host}:${port}/${DEV_ACCOUNT_NAME}`;
    return {
        endpoints: {
            blob: base(DEFAULT_AZURITE_PORTS.blob),
            queue: base(DEFAULT_AZURITE_PORTS.queue),
            table: base(DEFAULT_AZURITE_PORTS.table),
        },
        credential: { kind: 'sharedKey', accountName: DEV_ACCOUNT_NAME, accountKey: DEV_ACCOUNT_KEY },
        description: `Azurite (${host})`,
    };
}

export function parseConnectionString(text: string): StorageConnection {
    const parts = connectionStringParts(text);
    if (parts.get('usedevelopmentstorage')?.toLowerCase() === 'true') {
        const proxy = parts.get('developmentstorageproxyuri');
        return developmentStorageConnection(proxy ? new URL(proxy).hostname : undefined);
    }

    const accountName = parts.get('accountname');
    const accountKey = parts.get('accountkey');
    const sas = parts.get('sharedaccesssignature');
    const protocol = parts.get('defaultendpointsprotocol') ?? 'https';
    const suffix = parts.get('endpointsuffix') ?? 'core.windows.net';

    const endpoint = (service: keyof StorageEndpoints): string => {
        const explicit = parts.get(`${service}endpoint`);
        if (explicit) return trimSlash(explicit);
        if (!accountName) {
            throw new StorageConfigurationError(
                `Storage connection string has neither AccountName nor ${service[0]?.toUpperCase()}${service.slice(1)}Endpoint.`,
            );
        }
        return `${protocol}://${accountName}.${service}.${suffix}`;
    };
    const endpoints = { blob: endpoint('blob'), queue: endpoint('queue'), table: endpoint('table') };

    let credential: StorageCredential;
    if (accountName && accountKey) credential = { kind: 'sharedKey', accountName, accountKey };
    else if (sas) credential = { kind: 'sas', token: sas.replace(/^\?/, '') };
    else
        throw new StorageConfigurationError(
            'Storage connection string needs AccountName and AccountKey, or SharedAccessSignature.',
        );

    return { endpoints, credential, description: accountName ?? new URL(endpoints.table).host };
}

function identityConnectionFromEnv(env: NodeJS.ProcessEnv, settingName: string): StorageConnection | undefined {
    const setting = (name: string): string | undefined => env[`${settingName}__${name}`]?.trim() || undefined;
    const accountName = setting('accountName');
    const explicit = {
        blob: setting('blobServiceUri'),
        queue: setting('queueServiceUri'),
        table: setting('tableServiceUri'),
    };
    if (!accountName && !explicit.blob && !explicit.queue && !explicit.table) return undefined;

    const endpoint = (service: keyof StorageEndpoints): string => {
        const uri = explicit[service];
        if (uri) return trimSlash(uri);
        if (!accountName) {
            // The Durable provider needs all three services; a blob-only identity connection is not enough.
            throw new StorageConfigurationError(
                `Identity-based storage connection '${settingName}' needs ${settingName}__accountName or all of ` +
                    `__blobServiceUri, __queueServiceUri and __tableServiceUri (missing __${service}ServiceUri).`,
            );
        }
        return `https://${accountName}.${service}.core.windows.net`;
    };
    const clientId = setting('clientId');
    return {
        endpoints: { blob: endpoint('blob'), queue: endpoint('queue'), table: endpoint('table') },
        credential: clientId ? { kind: 'identity', clientId } : { kind: 'identity' },
        description: accountName ?? new URL(endpoint('table')).host,
    };
}
