import { startAzurite } from '../../devhost/storage/azurite';

/**
 * One in-memory Azurite on random ports for the whole run. Tests isolate themselves with unique task hub
 * names, so sharing it is safe and saves a start per file.
 */
export default async function setup(project: {
    provide(key: 'azuriteConnectionString', value: string): void;
}): Promise<() => Promise<void>> {
    const azurite = await startAzurite({ inMemory: true });
    project.provide('azuriteConnectionString', azurite.connectionString);
    return () => azurite.stop();
}

declare module 'vitest' {
    export interface ProvidedContext {
        azuriteConnectionString: string;
    }
}
