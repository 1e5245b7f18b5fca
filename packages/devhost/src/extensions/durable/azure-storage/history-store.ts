/**
 * The `<Hub>History` table: one partition per instance, one row per event (RowKey = X16 index) and a
 * `sentinel` row whose ETag guards every checkpoint (docs/protocol.md §3, §7).
 *
 * Writes follow the provider's UploadHistoryBatch: each entity-group transaction holds at most 99 rows plus
 * the sentinel, and the sentinel is in EVERY transaction, guarded by the ETag of the one before (the caller's
 * ETag for the first). Crash semantics of a checkpoint that needs several transactions (>99 rows or >3 MB):
 *  - a lost race fails on the first transaction, before any row is written (CheckpointConflictError);
 *  - a crash between transactions leaves the earlier transactions committed and the sentinel with
 *    `IsCheckpointComplete = false`; readHistory then returns that committed prefix, as the provider does.
 *    The inbound messages were not deleted yet, so the episode runs again; the engine's "history is the
 *    truth" rule drops messages whose events are already in the prefix and re-emits what is missing.
 * Only the final transaction sets `IsCheckpointComplete` (default true) and `CheckpointCompletedTimestamp`.
 */
import { odata, type TableClient, type TransactionAction } from '@azure/data-tables';
import { z } from 'zod';
import { httpStatusOf, isConcurrencyConflict } from '../../../host/storage-account/storage-errors';
import { CheckpointConflictError, type HistoryAppend, type HistorySnapshot } from '../task-hub-port/task-hub-storage';
import {
    entityToHistoryEvent,
    historyEventToEntity,
    historyRowKey,
    SENTINEL_ROW_KEY,
    type HistoryEntity,
} from './history-entities';
import { escapePartitionKey } from './key-sanitation';
import type { LargeColumns } from './large-columns';
import type { StorageStats } from './stats';
import { submitBatch } from './table-batch';
import { cellString, parseTypedRow, type TypedRow } from './table-cells';

/** The service allows 100 entities per transaction; one slot is the sentinel's. */
const MAX_ROWS_PER_TRANSACTION = 99;
/** The service allows 4 MiB per transaction; the provider flushes at an estimated 3 MB. */
const MAX_TRANSACTION_BYTES = 3 * 1024 * 1024;
const BLOB_NAME_SUFFIX = 'BlobName';
/** Sentinel column: client messages consumed by earlier generations of a ContinueAsNew chain (intake.ts). */
const CONSUMED_COLUMN = 'DevhostConsumedMessages';
const consumedKeysSchema = z.array(z.string());

type RowMode = 'insert' | 'upsert';

function rowAction(entity: TransactionAction[1], mode: RowMode): TransactionAction {
    return mode === 'insert' ? ['create', entity] : ['upsert', entity, 'Replace'];
}

function estimatedBytes(entity: Record<string, unknown>): number {
    let bytes = 512;
    for (const [name, value] of Object.entries(entity))
        bytes += name.length * 2 + (typeof value === 'string' ? value.length * 2 : 16);
    return bytes;
}

function executionIdOf(row: TypedRow): string | undefined {
    const cell = row.cells.get('ExecutionId');
    return cell ? cellString('ExecutionId', cell) : undefined;
}

export class HistoryStore {
    constructor(
        private readonly table: TableClient,
        private readonly largeColumns: LargeColumns,
        private readonly stats: StorageStats,
    ) {}

    /** One partition query (one call per 1,000 rows), plus a blob download per offloaded column. */
    async read(instanceId: string): Promise<HistorySnapshot> {
        const partitionKey = escapePartitionKey(instanceId);
        const rows: TypedRow[] = [];
        const pages = this.table
            .listEntities({
                queryOptions: { filter: odata`PartitionKey eq ${partitionKey}` },
                disableTypeConversion: true,
            })
            .byPage();
        for await (const page of pages) {
            this.stats.tableOps++;
            for (const raw of page) rows.push(parseTypedRow(raw));
        }

        const sentinel = rows.find((r) => r.rowKey === SENTINEL_ROW_KEY);
        const eventRows = rows.filter((r) => r.rowKey !== SENTINEL_ROW_KEY);
        const first = eventRows[0];
        const executionId = (sentinel && executionIdOf(sentinel)) ?? (first && executionIdOf(first)) ?? null;

        // The current execution's rows are the contiguous run from index 0 with its ExecutionId; anything after
        // (rows of an older, longer execution that were not cleaned up) is not part of it.
        const current: TypedRow[] = [];
        for (const [index, row] of eventRows.entries()) {
            if (row.rowKey !== historyRowKey(index) || executionIdOf(row) !== executionId) break;
            current.push(row);
        }
        await Promise.all(current.map((row) => this.restoreLargeColumns(row)));
        const consumed = sentinel?.cells.get(CONSUMED_COLUMN);
        const snapshot: HistorySnapshot = {
            events: current.map(entityToHistoryEvent),
            executionId,
            etag: sentinel?.etag,
        };
        if (consumed)
            snapshot.consumedBefore = consumedKeysSchema.parse(JSON.parse(cellString(CONSUMED_COLUMN, consumed)));
        return snapshot;
    }

    private async restoreLargeColumns(row: TypedRow): Promise<void> {
        const pending: Promise<void>[] = [];
        for (const [name, cell] of row.cells) {
            if (!name.endsWith(BLOB_NAME_SUFFIX) || cell.type !== 'String' || !cell.value) continue;
            const column = name.slice(0, -BLOB_NAME_SUFFIX.length);
            pending.push(
                this.largeColumns.restore(row.partitionKey, cell.value).then((text) => {
                    row.cells.set(column, { type: 'String', value: text });
                }),
            );
        }
        await Promise.all(pending);
    }

    async append(append: HistoryAppend): Promise<string> {
        const partitionKey = escapePartitionKey(append.instanceId);
        const entities = append.events.map((event, i) =>
            historyEventToEntity(event, partitionKey, historyRowKey(append.startIndex + i), append.executionId),
        );
        const end = historyRowKey(append.startIndex + append.events.length);
        const [, leftovers] = await Promise.all([
            Promise.all(entities.map((e) => this.largeColumns.offloadHistoryRow(e))),
            append.newExecution ? this.listRowKeys(partitionKey, end) : Promise.resolve([]),
        ]);

        // The provider upserts (InsertOrReplace): a replayed episode may rewrite rows. Rows past the committed
        // history are new, though, and an insert is one lookup where an upsert is two: Azurite scans the whole
        // partition for each (LokiTableMetadataStore), so a 10,000-task fan-out spent most of its time there.
        // A row that does exist (left by an older execution) fails the insert with 409; the transaction is then
        // sent again as upserts (submitRows). A new execution's rows replace the old ones: upserts at once.
        const mode: RowMode = append.newExecution ? 'upsert' : 'insert';
        const actions: TransactionAction[] = [
            ...entities.map((e) => rowAction(e, mode)),
            ...leftovers.map((rowKey): TransactionAction => ['delete', { partitionKey, rowKey }]),
        ];
        const batches = splitIntoTransactions(actions);

        let etag = append.etag;
        for (const [i, batch] of batches.entries()) {
            const final = i === batches.length - 1;
            const complete = final && (append.isCheckpointComplete ?? true);
            const sentinel: HistoryEntity = {
                partitionKey,
                rowKey: SENTINEL_ROW_KEY,
                ExecutionId: append.executionId,
                IsCheckpointComplete: complete,
            };
            if (complete) sentinel.CheckpointCompletedTimestamp = new Date();
            // A devhost column (the provider ignores unknown columns): written in the same transaction as the
            // first rows of a new generation, so it is committed exactly when they are.
            if (append.consumedBefore && i === 0) sentinel[CONSUMED_COLUMN] = JSON.stringify(append.consumedBefore);
            const guard: TransactionAction =
                etag === undefined ? ['create', sentinel] : ['update', sentinel, 'Merge', { etag }];
            etag = await this.submitRows(append.instanceId, batch, guard, mode);
        }
        if (etag === undefined) throw new Error('The history transaction returned no sentinel ETag.');
        return etag;
    }

    /** Inserts fall back to upserts when a row exists (409); a 412 or a 409 of the upserts is a lost race. */
    private async submitRows(
        instanceId: string,
        batch: TransactionAction[],
        guard: TransactionAction,
        mode: RowMode,
    ): Promise<string | undefined> {
        try {
            return await this.submit(instanceId, [...batch, guard]);
        } catch (err) {
            if (mode !== 'insert' || !(err instanceof CheckpointConflictError) || httpStatusOf(err.cause) !== 409)
                throw err;
            const upserts = batch.map((action) => (action[0] === 'create' ? rowAction(action[1], 'upsert') : action));
            return this.submit(instanceId, [...upserts, guard]);
        }
    }

    private async submit(instanceId: string, actions: TransactionAction[]): Promise<string | undefined> {
        this.stats.tableOps++;
        try {
            const subResponses = await submitBatch(this.table, actions);
            const sentinel = subResponses.find((r) => r.rowKey === SENTINEL_ROW_KEY) ?? subResponses.at(-1);
            return sentinel?.etag;
        } catch (err) {
            // 409: the sentinel we meant to Add exists; 412: its ETag moved on; 404: a row we meant to delete is
            // already gone. Each means another writer checkpointed first.
            const hasDeletes = actions.some((a) => a[0] === 'delete');
            if (isConcurrencyConflict(err) || (hasDeletes && httpStatusOf(err) === 404))
                throw new CheckpointConflictError(instanceId, { cause: err });
            throw err;
        }
    }

    /** The blobs the instance's history rows name (every row of the partition, whatever its execution). */
    async blobNames(instanceId: string): Promise<string[]> {
        const partitionKey = escapePartitionKey(instanceId);
        const names: string[] = [];
        const pages = this.table
            .listEntities({ queryOptions: { filter: odata`PartitionKey eq ${partitionKey}` } })
            .byPage();
        for await (const page of pages) {
            this.stats.tableOps++;
            for (const row of page)
                for (const [column, value] of Object.entries(row))
                    if (column.endsWith(BLOB_NAME_SUFFIX) && typeof value === 'string' && value) names.push(value);
        }
        return names;
    }

    /** Row keys of an instance's history partition (the sentinel included when `from` is omitted). */
    async listRowKeys(partitionKey: string, from?: string): Promise<string[]> {
        const filter = from
            ? odata`PartitionKey eq ${partitionKey} and RowKey ge ${from} and RowKey lt ${SENTINEL_ROW_KEY}`
            : odata`PartitionKey eq ${partitionKey}`;
        const keys: string[] = [];
        for await (const page of this.table.listEntities({ queryOptions: { filter, select: ['RowKey'] } }).byPage()) {
            this.stats.tableOps++;
            for (const row of page) if (typeof row.rowKey === 'string') keys.push(row.rowKey);
        }
        return keys;
    }

    /** Deletes every row of the instance's partition (purge); transactions of 100 run in parallel. */
    async deleteAll(instanceId: string): Promise<number> {
        const partitionKey = escapePartitionKey(instanceId);
        const keys = await this.listRowKeys(partitionKey);
        const batches: TransactionAction[][] = [];
        for (let i = 0; i < keys.length; i += 100) {
            batches.push(
                keys.slice(i, i + 100).map((rowKey): TransactionAction => ['delete', { partitionKey, rowKey }]),
            );
        }
        await Promise.all(
            batches.map(async (batch) => {
                this.stats.tableOps++;
                await submitBatch(this.table, batch);
            }),
        );
        return keys.length;
    }
}

/** Groups actions into transactions of at most 99 rows and ~3 MB; always at least one (for the sentinel). */
function splitIntoTransactions(actions: TransactionAction[]): TransactionAction[][] {
    const batches: TransactionAction[][] = [];
    let current: TransactionAction[] = [];
    let bytes = 0;
    for (const action of actions) {
        const size = estimatedBytes(action[1]);
        if (
            current.length > 0 &&
            (current.length === MAX_ROWS_PER_TRANSACTION || bytes + size > MAX_TRANSACTION_BYTES)
        ) {
            batches.push(current);
            current = [];
            bytes = 0;
        }
        current.push(action);
        bytes += size;
    }
    batches.push(current);
    return batches;
}
