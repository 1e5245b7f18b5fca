import { randomBytes } from 'node:crypto';

/** A task hub name no other test uses: letters and digits, starts with a letter, at most 45 chars. */
export function uniqueHubName(prefix = 'Test'): string {
    return `${prefix}${randomBytes(6).toString('hex')}`;
}
