/**
 * Identity-based connections need `DefaultAzureCredential` from @azure/identity, an optional peer
 * dependency: the app's copy, loaded only when such a connection is used: most runs use Azurite and never pay
 * for it, and an app that hosts the devhost without it gets a clear configuration error, not a crash.
 */
import { createRequire } from 'node:module';
import type { TokenCredential } from '@azure/core-auth';
import { StorageConfigurationError } from './connection';

interface IdentityModule {
    DefaultAzureCredential: new (options?: { managedIdentityClientId?: string }) => TokenCredential;
}

export type ModuleLoader = (specifier: string) => unknown;

const defaultLoader: ModuleLoader = (specifier) => createRequire(__filename)(specifier);

function isIdentityModule(value: unknown): value is IdentityModule {
    return (
        typeof value === 'object' &&
        value !== null &&
        typeof Reflect.get(value, 'DefaultAzureCredential') === 'function'
    );
}

export function createDefaultAzureCredential(
    clientId: string | undefined,
    load: ModuleLoader = defaultLoader,
): TokenCredential {
    let loaded: unknown;
    try {
        loaded = load('@azure/identity');
    } catch (cause) {
        throw new StorageConfigurationError(
            `An identity-based storage connection needs the @azure/identity package, which could not be loaded ` +
                `(${cause instanceof Error ? cause.message.split('\n')[0] : String(cause)}). Install it (npm install @azure/identity) ` +
                `or use a connection string in AzureWebJobsStorage.`,
        );
    }
    if (!isIdentityModule(loaded)) {
        throw new StorageConfigurationError(
            'The installed @azure/identity package does not export DefaultAzureCredential.',
        );
    }
    return new loaded.DefaultAzureCredential(clientId ? { managedIdentityClientId: clientId } : undefined);
}
