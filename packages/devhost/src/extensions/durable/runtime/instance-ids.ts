/**
 * Instance ids as the extension accepts them (DurableClient.StartNewAsync): generated as a GUID in "N" format
 * when absent; otherwise no leading '@' (reserved for entities), none of / \ # ? or control characters
 * (they break table keys and URLs), at most 256 characters.
 */
import { randomUUID } from 'node:crypto';
import { DurableArgumentError } from './errors';

export const MAX_INSTANCE_ID_LENGTH = 256;

export function newInstanceId(): string {
    return randomUUID().replace(/-/g, '');
}

function isInvalidCharacter(char: string): boolean {
    const code = char.charCodeAt(0);
    return (
        char === '/' || char === '\\' || char === '#' || char === '?' || code <= 0x1f || (code >= 0x7f && code <= 0x9f)
    );
}

/** Throws DurableArgumentError for an id the extension would reject. */
export function validateInstanceId(instanceId: string): void {
    if (instanceId.length === 0) throw new DurableArgumentError('Orchestration instance ids must not be empty.');
    if (instanceId.startsWith('@')) throw new DurableArgumentError('Orchestration instance ids must not start with @.');
    if ([...instanceId].some(isInvalidCharacter)) {
        throw new DurableArgumentError(
            'Orchestration instance ids must not contain /, \\, #, ?, or control characters.',
        );
    }
    if (instanceId.length > MAX_INSTANCE_ID_LENGTH) {
        throw new DurableArgumentError(`Instance ID lengths must not exceed ${MAX_INSTANCE_ID_LENGTH} characters.`);
    }
}
