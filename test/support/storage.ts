import { randomBytes } from 'node:crypto';
import { inject } from 'vitest';

/** The connection string of the run's shared in-memory Azurite (started by global-setup.ts). */
export function azuriteConnectionString(): string {
    return inject('azuriteConnectionString');
}

/** A task hub name no other test uses: letters and digits, starts with a letter, at most 45 chars. */
export function uniqueHubName(prefix = 'Test'): string {
    return `${prefix}${randomBytes(6).toString('hex')}`;
}
