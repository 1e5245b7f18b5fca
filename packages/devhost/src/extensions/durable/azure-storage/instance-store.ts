/**
 * The `<Hub>Instances` table: one row per instance. One call per read, write or listing page.
 */
import type { TableClient } from '@azure/data-tables';
import { httpStatusOf, isConcurrencyConflict } from '../../../host/storage-account/storage-errors';
import type { InstancePage, InstanceQuery, InstanceRecord, VersionedInstance } from '../task-hub-port/task-hub-storage';
import { unwrapContinuationToken, wrapContinuationToken } from './continuation-token';
import {
    INSTANCE_COLUMNS,
    instanceRecordToEntity,
    instanceRowSchema,
    instanceRowToRecord,
    type InstanceRow,
} from './instance-entities';
import { instanceQueryFilter } from './instance-query';
import { escapePartitionKey } from './key-sanitation';
import type { LargeColumns } from './large-columns';
import { parseMessageData } from './message-envelope';
import type { StorageStats } from './stats';

const COLUMNS_WITHOUT_INPUT = [
    'PartitionKey',
    'RowKey',
    ...INSTANCE_COLUMNS.filter((c) => c !== 'Input' && c !== 'InputBlobName'),
];

/** The input of a provider-written instance row whose Input is the URL of a whole ExecutionStarted message. */
function inputOfStartMessage(json: string): string | null {
    const parsed = parseMessageData(json);
    return parsed.kind === 'inline' && 'Input' in parsed.message.Event && typeof parsed.message.Event.Input === 'string'
        ? parsed.message.Event.Input
        : null;
}

export class InstanceStore {
    constructor(
        private readonly table: TableClient,
        private readonly hubName: string,
        private readonly largeColumns: LargeColumns,
        private readonly stats: StorageStats,
    ) {}

    async read(instanceId: string): Promise<InstanceRecord | undefined> {
        return (await this.readVersioned(instanceId))?.record;
    }

    async readVersioned(instanceId: string): Promise<VersionedInstance | undefined> {
        this.stats.tableOps++;
        try {
            const raw = await this.table.getEntity(escapePartitionKey(instanceId), '');
            return { record: await this.toRecord(raw, false), etag: raw.etag };
        } catch (err) {
            if (httpStatusOf(err) === 404) return undefined;
            throw err;
        }
    }

    /** The blobs the instance's row names: `<Column>BlobName` cells and blob URLs in its columns. */
    async blobNames(instanceId: string, nameFromUrl: (value: string) => string | undefined): Promise<string[]> {
        this.stats.tableOps++;
        let raw: Record<string, unknown>;
        try {
            raw = await this.table.getEntity(escapePartitionKey(instanceId), '');
        } catch (err) {
            if (httpStatusOf(err) === 404) return [];
            throw err;
        }
        const names: string[] = [];
        for (const value of Object.values(raw)) {
            if (typeof value !== 'string' || !value) continue;
            const fromUrl = nameFromUrl(value);
            if (fromUrl) names.push(fromUrl);
            else if (value.endsWith('.json.gz')) names.push(value);
        }
        return names;
    }

    /** Insert (no ETag) or replace under the ETag; false on 409 / 412: another start won. */
    async writeNewExecution(record: InstanceRecord, etag: string | undefined): Promise<boolean> {
        const entity = instanceRecordToEntity(record, this.hubName);
        await this.largeColumns.offloadInstanceRow(entity, record.runtimeStatus === 'Pending');
        this.stats.tableOps++;
        try {
            if (etag === undefined) await this.table.createEntity(entity);
            else await this.table.updateEntity(entity, 'Replace', { etag });
            return true;
        } catch (err) {
            if (isConcurrencyConflict(err)) return false;
            throw err;
        }
    }

    /**
     * Unconditional upsert of the whole row. Replace, not Merge: the record carries every column, and a
     * null must clear its column (a restarted instance must not keep its predecessor's Output or
     * CompletedTime). Otherwise the same single call as the provider's InsertOrMerge.
     */
    async write(record: InstanceRecord): Promise<void> {
        const entity = instanceRecordToEntity(record, this.hubName);
        await this.largeColumns.offloadInstanceRow(entity, record.runtimeStatus === 'Pending');
        this.stats.tableOps++;
        await this.table.upsertEntity(entity, 'Replace');
    }

    /** Deletes the row; false when there was none. */
    async delete(instanceId: string): Promise<boolean> {
        this.stats.tableOps++;
        try {
            await this.table.deleteEntity(escapePartitionKey(instanceId), '');
            return true;
        } catch (err) {
            if (httpStatusOf(err) === 404) return false;
            throw err;
        }
    }

    async query(query: InstanceQuery, continuationToken?: string): Promise<InstancePage> {
        const filter = instanceQueryFilter(query);
        const pages = this.table
            .listEntities({
                queryOptions: {
                    ...(filter ? { filter } : {}),
                    ...(query.excludeInput ? { select: [...COLUMNS_WITHOUT_INPUT] } : {}),
                },
            })
            .byPage({
                ...(query.top ? { maxPageSize: query.top } : {}),
                ...(continuationToken ? { continuationToken: unwrapContinuationToken(continuationToken) } : {}),
            });
        this.stats.tableOps++;
        const page = await pages.next();
        if (page.done) return { instances: [] };
        const instances = await Promise.all(page.value.map((raw) => this.toRecord(raw, query.excludeInput ?? false)));
        const next = page.value.continuationToken;
        return next ? { instances, continuationToken: wrapContinuationToken(next) } : { instances };
    }

    private async toRecord(raw: unknown, skipInput: boolean): Promise<InstanceRecord> {
        const row: InstanceRow = instanceRowSchema.parse(raw);
        const blobName = (column: string): string | undefined => {
            const value: unknown = Reflect.get(row, `${column}BlobName`);
            return typeof value === 'string' && value ? value : undefined;
        };
        const restore = (column: 'Input' | 'Output' | 'Tags'): Promise<string | undefined> =>
            this.largeColumns.restoreInstanceColumn(
                row.partitionKey,
                row[column],
                blobName(column),
                inputOfStartMessage,
            );
        const [input, output, tags] = await Promise.all([
            skipInput ? undefined : restore('Input'),
            restore('Output'),
            restore('Tags'),
        ]);
        return instanceRowToRecord(row, { input, output, tags });
    }
}
