/**
 * The Durable extension of the devhost: runs orchestrationTrigger / activityTrigger functions on the task hub
 * in Azure Storage (Azurite locally), supplies the durableClient input to other functions, and serves the
 * Durable HTTP API under /runtime/webhooks/durabletask/ and the local RPC base /durabletask/.
 */
import type { BindingInfo, HostContext, HostExtension, InputRequest, LoadedApp } from '../../shared/host-contracts';
import { defaultStorageFactory } from './default-storage';
import { DurableHttpApi } from './http-api/durable-http-api';
import { durableClientBinding } from './http-api/management-urls';
import {
    durableConfigFromHostJson,
    localBackendNotice,
    selectedStorageProvider,
    type DurableConfig,
} from './runtime/durable-config';
import { DurableRuntime } from './runtime/durable-runtime';
import type { StorageFactory } from './runtime/storage-factory';
import { answerSdkRpcInMemory } from './sdk-rpc-in-memory';
import type { InstanceRecord, TaskHubStorage } from './task-hub-port/task-hub-storage';

export interface DurableExtensionOptions {
    /** Builds the task hub storage; default: the storage module over AzureWebJobsStorage. */
    createStorage?: StorageFactory;
    /** The episode clock (tests skip time with it). */
    clock?: () => Date;
    /** Called after every committed checkpoint. */
    onCheckpoint?: (record: InstanceRecord) => void;
    /** Overrides of the configuration read from host.json (tests: short leases, few poison attempts). */
    config?: Partial<Omit<DurableConfig, 'hubName'>>;
    /** The app as the runtime invokes it (the testing toolkit's activity stubs wrap `invoke`). */
    wrapApp?: (app: LoadedApp) => LoadedApp;
}

export interface DurableExtension extends HostExtension {
    /** The running runtime (after start), for tests and benchmarks: client, storage (and its stats). */
    readonly runtime: DurableRuntime | undefined;
}

const DURABLE_TRIGGERS = new Set(['orchestrationtrigger', 'activitytrigger', 'entitytrigger']);
const DURABLE_INPUTS = new Set(['durableclient', 'orchestrationclient']);

function usesDurable(functions: Iterable<{ bindings: Readonly<Record<string, BindingInfo>> }>): boolean {
    for (const fn of functions) {
        for (const binding of Object.values(fn.bindings)) {
            const type = binding.type.toLowerCase();
            if (DURABLE_TRIGGERS.has(type) || DURABLE_INPUTS.has(type)) return true;
        }
    }
    return false;
}

export function createDurableExtension(options: DurableExtensionOptions = {}): DurableExtension {
    let runtime: DurableRuntime | undefined;
    let api: DurableHttpApi | undefined;
    let storage: TaskHubStorage | undefined;
    let stopAnsweringRpc: (() => void) | undefined;

    return {
        name: 'durable',
        triggerTypes: ['orchestrationTrigger', 'activityTrigger', 'entityTrigger'],
        inputBindingTypes: ['durableClient', 'orchestrationClient'],
        get runtime() {
            return runtime;
        },

        async start(host: HostContext): Promise<void> {
            // An app with no Durable functions needs no task hub (and no storage connection), as with func start.
            if (!usesDurable(host.app.functions.values())) return;
            const config = { ...durableConfigFromHostJson(host.app.hostJson, host.env), ...options.config };
            // A deployment may select another backend (the Durable Task Scheduler); locally the hub stays in storage.
            const backendNotice = localBackendNotice(selectedStorageProvider(host.app.hostJson, host.env));
            if (backendNotice !== undefined) host.logger.info(backendNotice);
            const createStorage = options.createStorage ?? defaultStorageFactory;
            storage = await createStorage({
                env: host.env,
                hubName: config.hubName,
                partitionCount: config.partitionCount,
            });
            runtime = new DurableRuntime({
                app: options.wrapApp ? options.wrapApp(host.app) : host.app,
                storage,
                config,
                logger: host.logger,
                ...(options.clock ? { clock: options.clock } : {}),
                ...(options.onCheckpoint ? { onCheckpoint: options.onCheckpoint } : {}),
            });
            await runtime.start();
            const started = new DurableHttpApi(runtime.client);
            api = started;
            // The app's SDK client calls this host's RPC base: answer them without a socket (sdk-rpc-in-memory.ts).
            stopAnsweringRpc = answerSdkRpcInMemory(
                host.app.appDir,
                durableClientBinding(host.origin, storage.hubName).rpcBaseUrl,
                async (request) => (await started.handle(request)) ?? new Response(null, { status: 404 }),
            );
            host.logger.info(`Durable task hub '${storage.hubName}' (${config.partitionCount} partitions) is running.`);
        },

        provideInput(_binding: BindingInfo, request: InputRequest): unknown {
            if (!storage)
                throw new Error('The Durable extension has not started: no durableClient input is available yet.');
            return durableClientBinding(request.origin, storage.hubName);
        },

        async handleHttp(request: Request): Promise<Response | undefined> {
            if (!api) return undefined;
            return api.handle(request);
        },

        async stop(): Promise<void> {
            const running = runtime;
            api = undefined;
            stopAnsweringRpc?.();
            stopAnsweringRpc = undefined;
            if (running) await running.stop();
        },
    };
}
