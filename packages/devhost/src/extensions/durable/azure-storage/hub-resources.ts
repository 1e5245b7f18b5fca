/**
 * Names of a task hub's tables, queues and container, exactly as the provider names them
 * (docs/protocol.md §1): tables keep the hub's case, queues and containers are lowercase.
 */
export interface HubResourceNames {
    instancesTable: string;
    historyTable: string;
    controlQueues: readonly string[];
    workItemQueue: string;
    largeMessagesContainer: string;
    /** The provider's lease container; the devhost keeps its hub lock there (hub-lock.ts). */
    leasesContainer: string;
    /** The provider's table partition leases (its default partition manager since extension v3). */
    partitionsTable: string;
    /** The container the provider's app lease is on (provider-partitions.ts). */
    appLeaseContainer: string;
}

export const MAX_PARTITION_COUNT = 16;
export const DEFAULT_PARTITION_COUNT = 4;

export function controlQueueName(hubName: string, partition: number): string {
    return `${hubName.toLowerCase()}-control-${String(partition).padStart(2, '0')}`;
}

export function hubResourceNames(hubName: string, partitionCount: number): HubResourceNames {
    if (!Number.isInteger(partitionCount) || partitionCount < 1 || partitionCount > MAX_PARTITION_COUNT) {
        throw new RangeError(
            `partitionCount must be an integer from 1 to ${MAX_PARTITION_COUNT}, got ${partitionCount}.`,
        );
    }
    const lower = hubName.toLowerCase();
    return {
        instancesTable: `${hubName}Instances`,
        historyTable: `${hubName}History`,
        controlQueues: Array.from({ length: partitionCount }, (_, i) => controlQueueName(hubName, i)),
        workItemQueue: `${lower}-workitems`,
        largeMessagesContainer: `${lower}-largemessages`,
        leasesContainer: `${lower}-leases`,
        partitionsTable: `${hubName}Partitions`,
        appLeaseContainer: `${lower}-applease`,
    };
}
