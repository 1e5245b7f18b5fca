/**
 * host.json `extensions.durableTask` as the Durable extension reads it (docs/protocol.md §8),
 * validated with zod, with the extension's defaults. Only the knobs the devhost acts on are modelled; unknown
 * keys are accepted and ignored, as the extension ignores options it does not know.
 */
import { availableParallelism } from 'node:os';
import { z } from 'zod';
import { resolveSettingReferences } from '../../../shared/settings';
import { parseTimeSpan } from '../../../shared/timespan';
import {
    DEFAULT_VERSIONING,
    orchestrationVersionSchema,
    strategySchema,
    VERSION_FAILURE_STRATEGIES,
    VERSION_MATCH_STRATEGIES,
    type VersioningConfig,
} from './versioning';

const timeSpan = z.string().refine(
    (value) => {
        try {
            return parseTimeSpan(value) >= 0;
        } catch {
            return false;
        }
    },
    { message: 'expected a TimeSpan such as "00:00:30" or "6.00:00:00"' },
);
const positiveInt = z.number().int().positive();

const storageProviderSchema = z
    .object({
        type: z.string().optional(),
        connectionName: z.string().optional(),
        connectionStringName: z.string().optional(),
        partitionCount: z.number().int().min(1).max(16).optional(),
        maxQueuePollingInterval: timeSpan.optional(),
        controlQueueBatchSize: z.number().int().min(1).max(32).optional(),
        controlQueueVisibilityTimeout: timeSpan.optional(),
        workItemQueueVisibilityTimeout: timeSpan.optional(),
    })
    .loose();

const durableTaskSchema = z
    .object({
        hubName: z.string().optional(),
        storageProvider: storageProviderSchema.optional(),
        maxConcurrentActivityFunctions: positiveInt.optional(),
        maxConcurrentOrchestratorFunctions: positiveInt.optional(),
        localRpcEndpointEnabled: z.boolean().optional(),
        storeInputsInOrchestrationHistory: z.boolean().optional(),
        http: z.object({ defaultAsyncRequestSleepTimeMilliseconds: positiveInt.optional() }).loose().optional(),
        // Orchestration versioning (docs/protocol.md §16); `"defaultVersion": null` means none, as in the extension.
        defaultVersion: orchestrationVersionSchema.nullish(),
        versionMatchStrategy: strategySchema(VERSION_MATCH_STRATEGIES).optional(),
        versionFailureStrategy: strategySchema(VERSION_FAILURE_STRATEGIES).optional(),
    })
    .loose();

const hostJsonSchema = z
    .object({ extensions: z.object({ durableTask: durableTaskSchema.optional() }).loose().optional() })
    .loose();

export interface DurableConfig {
    /** As written in host.json with `%Setting%` resolved; undefined means the extension's default. */
    hubName: string | undefined;
    partitionCount: number;
    maxQueuePollingIntervalMs: number;
    controlQueueBatchSize: number;
    controlQueueVisibilityTimeoutSeconds: number;
    workItemQueueVisibilityTimeoutSeconds: number;
    maxConcurrentActivityFunctions: number;
    maxConcurrentOrchestratorFunctions: number;
    /** Azure Storage provider values the SDK needs for timers (AzureStorageDurabilityProvider). */
    maximumShortTimerDuration: string;
    longRunningTimerIntervalDuration: string;
    defaultHttpAsyncRequestSleepTimeMilliseconds: number;
    /** TaskScheduled events keep the activity's input (Durable Functions 2.9+, off by default). */
    storeInputsInOrchestrationHistory: boolean;
    /**
     * The devhost's lease on a message it works on (see runtime/message-leases.ts): at most the queue's
     * visibility timeout, and short, so a killed devhost's in-flight messages reappear within seconds.
     */
    messageLeaseSeconds: number;
    /**
     * The longest a renewed lease grows to (leases double at each renewal, so renewals do not grow with the
     * time a message waits): at most the queues' visibility timeout, and by default 4 first leases (60 s).
     */
    maxMessageLeaseSeconds: number;
    /**
     * Storage calls the runtime has in flight at most (the provider's MaxStorageOperationConcurrency, cores × 25
     * outside Consumption); more wait their turn, so a large fan-out cannot flood Azurite.
     */
    maxStorageOperationConcurrency: number;
    /**
     * Activities of this process's own orchestrations run from memory, recovered from history after a crash,
     * instead of through the work-item queue (runtime/in-process-work-items.ts). Needs a hub lock; storage
     * without one uses the queue regardless.
     */
    inProcessWorkItems: boolean;
    /** A control message whose episode failed on this many deliveries is set aside as poison. */
    maxDequeueCount: number;
    /** On stop, how long running activities may finish before their work items are handed back. */
    shutdownTimeoutMs: number;
    /** Orchestration versioning: the host's defaultVersion and which instances it runs (version-gate.ts). */
    versioning: VersioningConfig;
}

/** The longest devhost message lease: the longest a restart waits for the messages of a killed process. */
export const MAX_MESSAGE_LEASE_SECONDS = 15;

/**
 * Defaults of the extension outside Consumption (10 per core there; a dev box is not Consumption, but a fixed,
 * modest number keeps a laptop responsive and matches the repo's host.json).
 */
export const DEFAULT_DURABLE_CONFIG: Omit<DurableConfig, 'hubName'> = {
    partitionCount: 4,
    maxQueuePollingIntervalMs: 30_000,
    controlQueueBatchSize: 32,
    controlQueueVisibilityTimeoutSeconds: 300,
    workItemQueueVisibilityTimeoutSeconds: 300,
    maxConcurrentActivityFunctions: 10,
    maxConcurrentOrchestratorFunctions: 10,
    maximumShortTimerDuration: '6.00:00:00',
    longRunningTimerIntervalDuration: '3.00:00:00',
    defaultHttpAsyncRequestSleepTimeMilliseconds: 30_000,
    storeInputsInOrchestrationHistory: false,
    messageLeaseSeconds: MAX_MESSAGE_LEASE_SECONDS,
    maxMessageLeaseSeconds: 4 * MAX_MESSAGE_LEASE_SECONDS,
    maxStorageOperationConcurrency: 25 * Math.max(1, availableParallelism()),
    inProcessWorkItems: true,
    maxDequeueCount: 5,
    shutdownTimeoutMs: 15_000,
    versioning: DEFAULT_VERSIONING,
};

/**
 * The app setting that overrides host.json `extensions.durableTask.storageProvider.type`, in the form the Functions
 * host reads (`AzureFunctionsJobHost__<path>`; the host also accepts `:` between the parts, and any case). A
 * deployment can select another backend this way (infra/app/function-app.bicep does, for the Durable Task
 * Scheduler) without a second host.json.
 */
export const STORAGE_PROVIDER_TYPE_SETTING = 'AzureFunctionsJobHost__extensions__durableTask__storageProvider__type';

/** The Durable backend host.json and the app settings select, and where that choice comes from. */
export interface StorageProviderSelection {
    /** As written, e.g. `AzureStorage` or `azureManaged` (the Durable Task Scheduler). */
    type: string;
    source: 'app setting' | 'host.json' | 'default';
}

const AZURE_STORAGE_PROVIDER = 'AzureStorage';

/** The storage provider type host.json selects, overridden by STORAGE_PROVIDER_TYPE_SETTING when that is set. */
export function selectedStorageProvider(
    hostJson: unknown,
    env: NodeJS.ProcessEnv = process.env,
): StorageProviderSelection {
    const wanted = STORAGE_PROVIDER_TYPE_SETTING.toLowerCase();
    for (const [name, value] of Object.entries(env)) {
        if (value === undefined || value.trim() === '') continue;
        if (name.replaceAll(':', '__').toLowerCase() === wanted) return { type: value.trim(), source: 'app setting' };
    }
    const parsed = hostJsonSchema.safeParse(hostJson);
    const type = parsed.success ? parsed.data.extensions?.durableTask?.storageProvider?.type : undefined;
    return type === undefined ? { type: AZURE_STORAGE_PROVIDER, source: 'default' } : { type, source: 'host.json' };
}

/**
 * The one start-up line for a backend the devhost does not run: whatever the settings select (the Durable Task
 * Scheduler's `azureManaged`, or `mssql`, `netherite`), the devhost keeps the task hub in Azure Storage
 * (AzureWebJobsStorage, Azurite by default), so local runs need nothing else. Undefined for Azure Storage.
 */
export function localBackendNotice(selection: StorageProviderSelection): string | undefined {
    if (selection.type.toLowerCase() === AZURE_STORAGE_PROVIDER.toLowerCase()) return undefined;
    const what = selection.type.toLowerCase() === 'azuremanaged' ? ' (the Durable Task Scheduler)' : '';
    return (
        `The ${selection.source} selects the Durable storage provider '${selection.type}'${what}; ` +
        'the devhost runs the hub on Azure Storage locally (AzureWebJobsStorage).'
    );
}

/** Parses host.json (as loaded, settings unresolved). Throws a readable error on an invalid section. */
export function durableConfigFromHostJson(hostJson: unknown, env: NodeJS.ProcessEnv = process.env): DurableConfig {
    const parsed = hostJsonSchema.safeParse(hostJson);
    if (!parsed.success) {
        const issues = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ');
        throw new Error(`host.json extensions.durableTask is invalid: ${issues}`);
    }
    const section = parsed.data.extensions?.durableTask ?? {};
    const provider = section.storageProvider ?? {};
    const d = DEFAULT_DURABLE_CONFIG;
    const seconds = (value: string | undefined, fallback: number): number =>
        value === undefined ? fallback : Math.max(1, Math.round(parseTimeSpan(value) / 1000));
    const controlVisibility = seconds(provider.controlQueueVisibilityTimeout, d.controlQueueVisibilityTimeoutSeconds);
    const workItemVisibility = seconds(
        provider.workItemQueueVisibilityTimeout,
        d.workItemQueueVisibilityTimeoutSeconds,
    );
    return {
        hubName: section.hubName === undefined ? undefined : resolveSettingReferences(section.hubName, env),
        partitionCount: provider.partitionCount ?? d.partitionCount,
        maxQueuePollingIntervalMs:
            provider.maxQueuePollingInterval === undefined
                ? d.maxQueuePollingIntervalMs
                : Math.max(50, parseTimeSpan(provider.maxQueuePollingInterval)),
        controlQueueBatchSize: provider.controlQueueBatchSize ?? d.controlQueueBatchSize,
        controlQueueVisibilityTimeoutSeconds: seconds(
            provider.controlQueueVisibilityTimeout,
            d.controlQueueVisibilityTimeoutSeconds,
        ),
        workItemQueueVisibilityTimeoutSeconds: seconds(
            provider.workItemQueueVisibilityTimeout,
            d.workItemQueueVisibilityTimeoutSeconds,
        ),
        maxConcurrentActivityFunctions: section.maxConcurrentActivityFunctions ?? d.maxConcurrentActivityFunctions,
        maxConcurrentOrchestratorFunctions:
            section.maxConcurrentOrchestratorFunctions ?? d.maxConcurrentOrchestratorFunctions,
        maximumShortTimerDuration: d.maximumShortTimerDuration,
        longRunningTimerIntervalDuration: d.longRunningTimerIntervalDuration,
        defaultHttpAsyncRequestSleepTimeMilliseconds:
            section.http?.defaultAsyncRequestSleepTimeMilliseconds ?? d.defaultHttpAsyncRequestSleepTimeMilliseconds,
        storeInputsInOrchestrationHistory:
            section.storeInputsInOrchestrationHistory ?? d.storeInputsInOrchestrationHistory,
        messageLeaseSeconds: Math.min(d.messageLeaseSeconds, controlVisibility, workItemVisibility),
        maxMessageLeaseSeconds: Math.min(d.maxMessageLeaseSeconds, controlVisibility, workItemVisibility),
        maxStorageOperationConcurrency: d.maxStorageOperationConcurrency,
        inProcessWorkItems: d.inProcessWorkItems,
        maxDequeueCount: d.maxDequeueCount,
        shutdownTimeoutMs: d.shutdownTimeoutMs,
        versioning: {
            defaultVersion: section.defaultVersion ?? d.versioning.defaultVersion,
            matchStrategy: section.versionMatchStrategy ?? d.versioning.matchStrategy,
            failureStrategy: section.versionFailureStrategy ?? d.versioning.failureStrategy,
        },
    };
}
