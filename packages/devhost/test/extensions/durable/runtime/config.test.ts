import { describe, expect, it } from 'vitest';
import { createDurableExtension } from '../../../../src/extensions/durable/extension';
import {
    DEFAULT_DURABLE_CONFIG,
    durableConfigFromHostJson,
    localBackendNotice,
    selectedStorageProvider,
    STORAGE_PROVIDER_TYPE_SETTING,
} from '../../../../src/extensions/durable/runtime/durable-config';
import type { HostContext, RegisteredFunction } from '../../../../src/shared/host-contracts';
import { captureLogger } from '../../../../src/testing/loggers';
import { MemoryTaskHub } from '../../../../src/testing/memory-task-hub';

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

describe('a deployment that selects the Durable Task Scheduler', () => {
    const LOCAL_LINE = 'the devhost runs the hub on Azure Storage locally';
    /** host.json as the Durable Task Scheduler quickstart writes it. */
    const schedulerHostJson = {
        extensions: {
            durableTask: {
                hubName: '%HUB%',
                storageProvider: {
                    type: 'azureManaged',
                    connectionStringName: 'DURABLE_TASK_SCHEDULER_CONNECTION_STRING',
                },
            },
        },
    };
    /** This repository's host.json: Azure Storage, with the provider's own knobs. */
    const storageHostJson = {
        extensions: { durableTask: { hubName: '%HUB%', storageProvider: { type: 'AzureStorage', partitionCount: 4 } } },
    };

    it('parses host.json with type azureManaged and connectionStringName like any other provider section', () => {
        const config = durableConfigFromHostJson(schedulerHostJson, { HUB: 'OrdersHub' });
        expect(config).toEqual({ ...DEFAULT_DURABLE_CONFIG, hubName: 'OrdersHub' });
    });

    it('takes the provider type from host.json, or from the AzureFunctionsJobHost__ app setting that overrides it', () => {
        expect(selectedStorageProvider(storageHostJson, {})).toEqual({ type: 'AzureStorage', source: 'host.json' });
        expect(selectedStorageProvider(schedulerHostJson, {})).toEqual({ type: 'azureManaged', source: 'host.json' });
        expect(selectedStorageProvider({ version: '2.0' }, {})).toEqual({ type: 'AzureStorage', source: 'default' });
        // The setting infra/app/function-app.bicep writes, in the forms the host accepts (any case, `:` or `__`).
        for (const name of [
            STORAGE_PROVIDER_TYPE_SETTING,
            STORAGE_PROVIDER_TYPE_SETTING.toLowerCase(),
            'AzureFunctionsJobHost:extensions:durableTask:storageProvider:type',
        ]) {
            expect(selectedStorageProvider(storageHostJson, { [name]: 'azureManaged' })).toEqual({
                type: 'azureManaged',
                source: 'app setting',
            });
        }
        expect(selectedStorageProvider(schedulerHostJson, { [STORAGE_PROVIDER_TYPE_SETTING]: ' ' }).source).toBe(
            'host.json',
        );
    });

    it('says in one line that the hub stays on Azure Storage locally, and nothing for Azure Storage', () => {
        const notice = localBackendNotice({ type: 'azureManaged', source: 'app setting' });
        expect(notice).toContain(LOCAL_LINE);
        expect(notice).toContain('Durable Task Scheduler');
        expect(notice).not.toContain('\n');
        expect(localBackendNotice({ type: 'mssql', source: 'host.json' })).toContain(LOCAL_LINE);
        expect(localBackendNotice({ type: 'azurestorage', source: 'host.json' })).toBeUndefined();
        expect(localBackendNotice({ type: 'AzureStorage', source: 'default' })).toBeUndefined();
    });

    it('logs that line once at start and still runs the hub on the storage the devhost was given', async () => {
        const orchestrator: RegisteredFunction = {
            name: 'hello_orchestrator',
            bindings: { context: { type: 'orchestrationTrigger', direction: 'in' } },
            trigger: { name: 'context', binding: { type: 'orchestrationTrigger', direction: 'in' } },
        };
        const start = async (env: NodeJS.ProcessEnv, hostJson: Record<string, unknown>): Promise<string[]> => {
            const logger = captureLogger();
            const storages: MemoryTaskHub[] = [];
            const durable = createDurableExtension({
                createStorage: async ({ hubName }) => {
                    const storage = new MemoryTaskHub(hubName ?? 'TestHubName');
                    storages.push(storage);
                    return storage;
                },
            });
            const host: HostContext = {
                app: {
                    appDir: __dirname,
                    hostJson,
                    functions: new Map([[orchestrator.name, orchestrator]]),
                    invoke: () => Promise.reject(new Error('no invocation expected')),
                    terminate: () => Promise.resolve(),
                },
                origin: 'http://127.0.0.1:7071',
                logger,
                env,
            };
            await durable.start(host);
            await durable.stop();
            expect(storages.map((storage) => storage.hubName)).toEqual(['OrdersLocalHub']);
            return logger.entries.map((entry) => entry.message).filter((message) => message.includes(LOCAL_LINE));
        };
        const env = { HUB: 'OrdersLocalHub' };
        expect(await start({ ...env, [STORAGE_PROVIDER_TYPE_SETTING]: 'azureManaged' }, storageHostJson)).toHaveLength(
            1,
        );
        expect(await start(env, schedulerHostJson)).toHaveLength(1);
        expect(await start(env, storageHostJson)).toEqual([]);
    });
});
