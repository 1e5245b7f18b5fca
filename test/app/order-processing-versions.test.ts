import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
    LATEST_ORDER_WORKFLOW_VERSION,
    orderWorkflowVersion,
    UnknownWorkflowVersionError,
} from '../../src/orchestrators/order-processing-versions';

/** host.json's versioning settings: what the Durable extension stamps on new instances and which it runs. */
const hostJson = z
    .object({
        extensions: z.object({
            durableTask: z.object({
                defaultVersion: z.string(),
                versionMatchStrategy: z.string(),
                versionFailureStrategy: z.string(),
            }),
        }),
    })
    .parse(JSON.parse(readFileSync(path.join(__dirname, '../../host.json'), 'utf8')));

describe('order_processing versions', () => {
    it.each([
        [undefined, 1],
        ['', 1],
        ['1.0', 1],
        ['1', 1],
        [' 1.0.0 ', 1],
        ['2.0', 2],
        ['2', 2],
        ['2.1', 2],
    ] as const)('runs instance version %j as workflow version %i', (version, expected) => {
        expect(orderWorkflowVersion('order_processing', version)).toBe(expected);
    });

    it.each(['3.0', '10', '0', 'v2', '2.0-beta', 'latest'])('refuses instance version %j', (version) => {
        expect(() => orderWorkflowVersion('order_processing', version)).toThrow(UnknownWorkflowVersionError);
    });

    it('starts new orders on the newest version: host.json defaultVersion is the newest version the code runs', () => {
        expect(hostJson.extensions.durableTask.defaultVersion).toBe(LATEST_ORDER_WORKFLOW_VERSION);
        expect(orderWorkflowVersion('order_processing', hostJson.extensions.durableTask.defaultVersion)).toBe(2);
    });

    it('keeps newer instances away from older workers and retries them elsewhere (CurrentOrOlder, Reject)', () => {
        expect(hostJson.extensions.durableTask.versionMatchStrategy).toBe('CurrentOrOlder');
        expect(hostJson.extensions.durableTask.versionFailureStrategy).toBe('Reject');
    });
});
