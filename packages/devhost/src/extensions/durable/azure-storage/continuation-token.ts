/**
 * Continuation tokens handed to API callers: the SDK's own page token, wrapped so callers treat it as opaque
 * and a tampered or foreign token is rejected clearly instead of being sent to the service.
 */
import { z } from 'zod';
import { InvalidContinuationTokenError } from '../task-hub-port/task-hub-storage';

const tokenSchema = z.object({ v: z.literal(1), t: z.string().min(1) });

export function wrapContinuationToken(sdkToken: string): string {
    return Buffer.from(JSON.stringify({ v: 1, t: sdkToken }), 'utf8').toString('base64url');
}

export function unwrapContinuationToken(token: string): string {
    try {
        return tokenSchema.parse(JSON.parse(Buffer.from(token, 'base64url').toString('utf8'))).t;
    } catch {
        throw new InvalidContinuationTokenError();
    }
}
