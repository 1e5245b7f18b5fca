import { inject } from 'vitest';

/** The connection string of the run's shared in-memory Azurite (started by global-setup.ts). */
export function azuriteConnectionString(): string {
    return inject('azuriteConnectionString');
}

export { uniqueHubName } from '../../src/testing/unique-hub-name';
