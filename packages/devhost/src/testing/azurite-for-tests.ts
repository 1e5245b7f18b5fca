import { startAzurite } from '../host/local-storage/azurite';

/**
 * A vitest global setup: one in-memory Azurite on random ports for the whole run, its connection string
 * provided as `azuriteConnectionString` (read it with vitest's `inject`). Tests isolate themselves with unique
 * task hub names, so sharing it is safe and saves a start per file. Returns the teardown.
 */
export async function provideAzurite(project: {
    provide(key: 'azuriteConnectionString', value: string): void;
}): Promise<() => Promise<void>> {
    const azurite = await startAzurite({ inMemory: true });
    project.provide('azuriteConnectionString', azurite.connectionString);
    return () => azurite.stop();
}
