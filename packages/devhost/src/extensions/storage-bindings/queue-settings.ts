/**
 * host.json `extensions.queues` as the Storage extension reads it, with its defaults (Microsoft's host.json
 * reference for queues): maxPollingInterval 1 minute, visibilityTimeout 0, batchSize 16 (max 32),
 * maxDequeueCount 5, messageEncoding base64.
 */
import { z } from 'zod';
import { parseTimeSpan } from '../../shared/timespan';
import type { QueueMessageEncoding } from './queue-messages';

export interface QueueSettings {
    maxPollingIntervalMs: number;
    visibilityTimeoutSeconds: number;
    batchSize: number;
    maxDequeueCount: number;
    messageEncoding: QueueMessageEncoding;
}

const timeSpan = z.string().refine((value) => {
    try {
        return parseTimeSpan(value) >= 0;
    } catch {
        return false;
    }
}, 'expected a TimeSpan such as "00:00:02"');

const queuesSchema = z.looseObject({
    maxPollingInterval: z.union([timeSpan, z.number().int().positive()]).optional(),
    visibilityTimeout: timeSpan.optional(),
    batchSize: z.number().int().min(1).max(32).optional(),
    maxDequeueCount: z.number().int().min(1).optional(),
    messageEncoding: z.enum(['base64', 'none', 'Base64', 'None']).optional(),
});

const hostJsonSchema = z.looseObject({
    extensions: z.looseObject({ queues: queuesSchema.optional() }).optional(),
});

export function queueSettingsFromHostJson(hostJson: unknown): QueueSettings {
    const parsed = hostJsonSchema.safeParse(hostJson);
    if (!parsed.success) {
        const issues = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ');
        throw new Error(`host.json extensions.queues is invalid: ${issues}`);
    }
    const queues = parsed.data.extensions?.queues ?? {};
    const polling = queues.maxPollingInterval;
    return {
        // A number is milliseconds, as the host accepts it.
        maxPollingIntervalMs:
            polling === undefined ? 60_000 : typeof polling === 'number' ? polling : parseTimeSpan(polling),
        visibilityTimeoutSeconds:
            queues.visibilityTimeout === undefined ? 0 : Math.round(parseTimeSpan(queues.visibilityTimeout) / 1000),
        batchSize: queues.batchSize ?? 16,
        maxDequeueCount: queues.maxDequeueCount ?? 5,
        messageEncoding: queues.messageEncoding?.toLowerCase() === 'none' ? 'none' : 'base64',
    };
}
