/**
 * The task hub summary: instances counted by runtime status (every page of the Instances table, without the
 * input column), the messages waiting on each queue, and the instances start-up recovery keeps failing on. Table storage has no count, so the rows are read; a
 * local task hub holds few enough for that, and the count stops at a cap rather than reading forever.
 */
import { errorMessage } from '../../shared/errors';
import type { RuntimeStatusName } from '../../shared/history';
import type { RejectedInstance } from '../durable/runtime/version-gate';
import type { VersioningConfig } from '../durable/runtime/versioning';
import type { TaskHubStorage } from '../durable/task-hub-port/task-hub-storage';
import type { QueueDepth, QueueDepthReader } from './queue-depths';

/** Past this many instances the counts are reported as a lower bound (`complete: false`). */
export const SUMMARY_ROW_CAP = 50_000;

export interface HubSummary {
    hubName: string;
    partitionCount: number;
    countsByStatus: Partial<Record<RuntimeStatusName, number>>;
    total: number;
    /** False when the count stopped at SUMMARY_ROW_CAP. */
    complete: boolean;
    queues: QueueDepth[];
    /** Why queue depths are missing, when they are. */
    queuesError?: string;
    /** Start-up recovery, when this host runs the hub: the instances it could not recover yet, by id. */
    recovery?: RecoveryReport;
    /**
     * Each counted instance's orchestration version, by id, where it has one: the HTTP API's status payload
     * (the list's source) carries none, and this walk reads every row anyway.
     */
    versions: Record<string, string>;
    /**
     * Each counted instance's created and end time in epoch milliseconds, by id: the status payload's times are
     * whole seconds (the extension's format), which makes every short instance's duration read "0 ms". The end
     * is the completed time, or the last update while there is none.
     */
    times: Record<string, InstanceTimes>;
    /** This host's versioning settings and the instances it turned away (version-gate.ts), when it runs the hub. */
    versioning?: VersioningReport;
}

export type InstanceTimes = [createdMs: number, endMs: number];

export interface VersioningReport extends VersioningConfig {
    rejected: RejectedInstance[];
}

export interface RecoveryReport {
    listing: string;
    instances: number;
    unrecovered: Array<{ instanceId: string; attempts: number; error: string }>;
}

export async function readHubSummary(
    storage: TaskHubStorage,
    readQueues: QueueDepthReader | undefined,
    recovery?: RecoveryReport,
    versioning?: VersioningReport,
): Promise<HubSummary> {
    const queuesRead = readQueues
        ? readQueues().then(
              (queues) => ({ queues }),
              (error: unknown) => ({ queues: [] as QueueDepth[], queuesError: errorMessage(error) }),
          )
        : Promise.resolve({ queues: [] as QueueDepth[], queuesError: 'This task hub storage has no queues to read.' });
    const countsByStatus: Partial<Record<RuntimeStatusName, number>> = {};
    let total = 0;
    // A Map, not an object literal: an instance id such as "__proto__" must stay a key.
    const versions = new Map<string, string>();
    const times = new Map<string, InstanceTimes>();
    let token: string | undefined;
    do {
        const page = await storage.queryInstances({ top: 1000, excludeInput: true }, token);
        for (const instance of page.instances) {
            countsByStatus[instance.runtimeStatus] = (countsByStatus[instance.runtimeStatus] ?? 0) + 1;
            total++;
            if (instance.version) versions.set(instance.instanceId, instance.version);
            const end = instance.completedTime ?? instance.lastUpdatedTime;
            times.set(instance.instanceId, [instance.createdTime.getTime(), end.getTime()]);
        }
        token = page.continuationToken;
    } while (token !== undefined && total < SUMMARY_ROW_CAP);
    return {
        hubName: storage.hubName,
        partitionCount: storage.partitionCount,
        countsByStatus,
        total,
        complete: token === undefined,
        ...(await queuesRead),
        ...(recovery ? { recovery } : {}),
        versions: Object.fromEntries(versions),
        times: Object.fromEntries(times),
        ...(versioning ? { versioning } : {}),
    };
}
