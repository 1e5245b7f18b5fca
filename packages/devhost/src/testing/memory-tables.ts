/**
 * The Instances and History tables of the in-memory task hub, with the semantics of the storage module's
 * tables (azure-storage/instance-store.ts, history-store.ts), which are DTFx's AzureTableTrackingStore's:
 * - every write of an instance row gives it a new ETag, and a new execution is written only under the ETag it
 *   was read with (insert if absent, replace if unchanged: SetNewExecutionAsync);
 * - history is rows by position plus a sentinel row whose ETag guards every checkpoint: a writer holding a
 *   stale ETag (another episode checkpointed first) gets CheckpointConflictError and writes nothing; a first
 *   checkpoint (no ETag) conflicts with a sentinel that exists;
 * - a checkpoint writes its rows at their positions and overwrites rows already there (the provider upserts,
 *   and rewind rewrites rows in place); a new execution also deletes the older execution's rows past its end;
 *   a read returns the contiguous run of rows from position 0 that belong to the sentinel's execution;
 * - listings come in key order (the escaped instance id, the PartitionKey) and page with an opaque token.
 * Values are copied in and out, as they are serialized there.
 */
import { randomUUID } from 'node:crypto';
import { escapePartitionKey } from '../extensions/durable/azure-storage';
import { unwrapContinuationToken, wrapContinuationToken } from '../extensions/durable/azure-storage/continuation-token';
import {
    CheckpointConflictError,
    type HistoryAppend,
    type HistorySnapshot,
    type InstancePage,
    type InstanceQuery,
    type InstanceRecord,
    type VersionedInstance,
} from '../extensions/durable/task-hub-port/task-hub-storage';
import type { HistoryEvent } from '../shared/history';

interface HistoryRow {
    event: HistoryEvent;
    executionId: string;
}

interface HistoryPartition {
    /** By position; a hole is a row never written (reads stop there, as at a missing row key). */
    rows: Array<HistoryRow | undefined>;
    sentinel: { executionId: string; etag: string; consumedBefore: string[] };
}

export class MemoryTables {
    readonly #instances = new Map<string, { record: InstanceRecord; etag: string }>();
    readonly #history = new Map<string, HistoryPartition>();

    clear(): void {
        this.#instances.clear();
        this.#history.clear();
    }

    readInstance(instanceId: string): VersionedInstance | undefined {
        const row = this.#instances.get(instanceId);
        return row ? { record: structuredClone(row.record), etag: row.etag } : undefined;
    }

    writeInstance(record: InstanceRecord): void {
        this.#instances.set(record.instanceId, { record: structuredClone(record), etag: randomUUID() });
    }

    /** Insert when `etag` is undefined, else replace under it; false when the row is not as it was read. */
    writeNewExecution(record: InstanceRecord, etag: string | undefined): boolean {
        const current = this.#instances.get(record.instanceId);
        if (etag === undefined ? current !== undefined : current?.etag !== etag) return false;
        this.writeInstance(record);
        return true;
    }

    deleteInstance(instanceId: string): boolean {
        this.#history.delete(instanceId);
        return this.#instances.delete(instanceId);
    }

    /** One page of the listing in key order; the token names the last key returned. */
    queryInstances(query: InstanceQuery, continuationToken?: string): InstancePage {
        const after = continuationToken === undefined ? undefined : unwrapContinuationToken(continuationToken);
        const matches = [...this.#instances.values()]
            .map(({ record }) => ({ key: escapePartitionKey(record.instanceId), record }))
            .filter(({ key, record }) => (after === undefined || key > after) && matchesQuery(record, query))
            .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
        const page = query.top ? matches.slice(0, query.top) : matches;
        const instances = page.map(({ record }) => ({
            ...structuredClone(record),
            ...(query.excludeInput ? { input: null } : {}),
        }));
        const last = page.at(-1);
        return last && page.length < matches.length
            ? { instances, continuationToken: wrapContinuationToken(last.key) }
            : { instances };
    }

    readHistory(instanceId: string): HistorySnapshot {
        const partition = this.#history.get(instanceId);
        if (!partition) return { events: [], executionId: null, etag: undefined };
        const { executionId, etag, consumedBefore } = partition.sentinel;
        const events: HistoryEvent[] = [];
        for (const row of partition.rows) {
            if (row?.executionId !== executionId) break;
            events.push(structuredClone(row.event));
        }
        return { events, executionId, etag, consumedBefore: [...consumedBefore] };
    }

    /** All or nothing: the rows and the sentinel in one transaction, guarded by the sentinel's ETag. */
    appendHistory(append: HistoryAppend): string {
        const partition = this.#history.get(append.instanceId);
        if (partition?.sentinel.etag !== append.etag) throw new CheckpointConflictError(append.instanceId);
        const rows = partition ? [...partition.rows] : [];
        for (const [i, event] of append.events.entries())
            rows[append.startIndex + i] = { event: structuredClone(event), executionId: append.executionId };
        if (append.newExecution) rows.length = Math.min(rows.length, append.startIndex + append.events.length);
        const etag = randomUUID();
        this.#history.set(append.instanceId, {
            rows,
            sentinel: {
                executionId: append.executionId,
                etag,
                consumedBefore: [...(append.consumedBefore ?? partition?.sentinel.consumedBefore ?? [])],
            },
        });
        return etag;
    }
}

/** The filters of azure-storage/instance-query.ts, as data compared with data (nothing to inject into). */
function matchesQuery(record: InstanceRecord, query: InstanceQuery): boolean {
    return (
        (!query.instanceIdPrefix || record.instanceId.startsWith(query.instanceIdPrefix)) &&
        (query.runtimeStatus === undefined ||
            query.runtimeStatus.length === 0 ||
            query.runtimeStatus.includes(record.runtimeStatus)) &&
        (query.createdTimeFrom === undefined || record.createdTime >= query.createdTimeFrom) &&
        (query.createdTimeTo === undefined || record.createdTime <= query.createdTimeTo)
    );
}
