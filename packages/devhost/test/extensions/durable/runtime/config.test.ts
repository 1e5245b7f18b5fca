import { describe, expect, it } from 'vitest';
import {
    DEFAULT_DURABLE_CONFIG,
    durableConfigFromHostJson,
} from '../../../../src/extensions/durable/runtime/durable-config';

describe('durableTask options from host.json', () => {
    it('uses the extension defaults when host.json has no durableTask section', () => {
        const config = durableConfigFromHostJson({ version: '2.0' }, {});
        expect(config).toEqual({ hubName: undefined, ...DEFAULT_DURABLE_CONFIG });
        expect(config.partitionCount).toBe(4);
        expect(config.maxQueuePollingIntervalMs).toBe(30_000);
        expect(config.controlQueueVisibilityTimeoutSeconds).toBe(300);
    });

    it('reads the knobs and resolves %Setting% in the hub name', () => {
        const config = durableConfigFromHostJson(
            {
                extensions: {
                    durableTask: {
                        hubName: '%HUB%',
                        storageProvider: {
                            partitionCount: 2,
                            maxQueuePollingInterval: '00:00:10',
                            controlQueueVisibilityTimeout: '00:02:00',
                            controlQueueBatchSize: 16,
                        },
                        maxConcurrentActivityFunctions: 3,
                        maxConcurrentOrchestratorFunctions: 7,
                        somethingUnknown: true,
                    },
                },
            },
            { HUB: 'OrdersHub' },
        );
        expect(config.hubName).toBe('OrdersHub');
        expect(config.partitionCount).toBe(2);
        expect(config.maxQueuePollingIntervalMs).toBe(10_000);
        expect(config.controlQueueVisibilityTimeoutSeconds).toBe(120);
        expect(config.controlQueueBatchSize).toBe(16);
        expect(config.maxConcurrentActivityFunctions).toBe(3);
        expect(config.maxConcurrentOrchestratorFunctions).toBe(7);
    });

    it('fails loudly on an unset setting and on invalid values', () => {
        expect(() => durableConfigFromHostJson({ extensions: { durableTask: { hubName: '%NOPE%' } } }, {})).toThrow(
            /NOPE/,
        );
        expect(() =>
            durableConfigFromHostJson({ extensions: { durableTask: { storageProvider: { partitionCount: 17 } } } }, {}),
        ).toThrow(/partitionCount/);
        expect(() =>
            durableConfigFromHostJson(
                { extensions: { durableTask: { storageProvider: { maxQueuePollingInterval: 'soon' } } } },
                {},
            ),
        ).toThrow(/maxQueuePollingInterval/);
    });

    it('reads durations in the one TimeSpan format the engine also parses, and rejects typos and negatives', () => {
        const hostJson = (storageProvider: Record<string, unknown>) => ({
            extensions: { durableTask: { storageProvider } },
        });
        expect(
            durableConfigFromHostJson(hostJson({ maxQueuePollingInterval: '00:00:01.5' })).maxQueuePollingIntervalMs,
        ).toBe(1500);
        expect(
            durableConfigFromHostJson(hostJson({ controlQueueVisibilityTimeout: '0.00:10:00' }))
                .controlQueueVisibilityTimeoutSeconds,
        ).toBe(600);
        expect(() => durableConfigFromHostJson(hostJson({ maxQueuePollingInterval: '30s' }))).toThrow(/TimeSpan/);
        expect(() => durableConfigFromHostJson(hostJson({ maxQueuePollingInterval: '-00:00:01' }))).toThrow(/TimeSpan/);
        expect(() => durableConfigFromHostJson(hostJson({ maxQueuePollingInterval: '00:99:00' }))).toThrow(/TimeSpan/);
    });
});
