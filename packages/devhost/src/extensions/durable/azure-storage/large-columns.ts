/**
 * Moving oversized table columns to `<hub>-largemessages` and back (docs/protocol.md §4).
 * History rows: the column becomes "" and `<Column>BlobName` names the blob. Instance rows: the column holds
 * the blob URL, except on the Pending row written at start, which (as the provider's SetNewExecutionAsync
 * does) keeps "" plus `InputBlobName`. Readers accept all three forms.
 */
import { blobNameColumn } from './history-entities';
import {
    exceedsTablePropertyLimit,
    historyBlobName,
    LARGE_PROPERTY_COLUMNS,
    type LargePayloadStore,
} from './large-payloads';
import type { LargeValueCache } from './large-value-cache';

/** The provider's instance-row Input blob may be a whole ExecutionStarted message (`...-ExecutionStarted.json.gz`). */
const MESSAGE_BLOB_SUFFIX = 'ExecutionStarted.json.gz';

export class LargeColumns {
    constructor(
        private readonly payloads: LargePayloadStore,
        private readonly cache: LargeValueCache,
    ) {}

    /** Instances (escaped ids) this process saw a large payload of: only they can have orphan blobs to collect. */
    private readonly withBlobs = new Set<string>();

    hasBlobs(partitionKey: string): boolean {
        return this.withBlobs.has(partitionKey);
    }

    forgetBlobs(partitionKey: string): void {
        this.withBlobs.delete(partitionKey);
        this.cache.forgetInstance(partitionKey);
    }

    private async store(partitionKey: string, text: string, blobName: () => string, reuse: boolean): Promise<string> {
        this.withBlobs.add(partitionKey);
        const known = reuse ? this.cache.find(partitionKey, text) : undefined;
        if (known) return known;
        const name = blobName();
        await this.payloads.upload(name, text);
        this.cache.remember(partitionKey, text, name);
        return name;
    }

    /** Offloads the large columns of a history row in place (parallel uploads). */
    async offloadHistoryRow(entity: Record<string, unknown> & { partitionKey: string; rowKey: string }): Promise<void> {
        const eventType = typeof entity.EventType === 'string' ? entity.EventType : undefined;
        await Promise.all(
            LARGE_PROPERTY_COLUMNS.map(async (column) => {
                const value = entity[column];
                if (typeof value !== 'string' || !exceedsTablePropertyLimit(value)) return;
                // A history blob is never shared: each row owns its blob, as in the provider.
                entity[blobNameColumn(column)] = await this.store(
                    entity.partitionKey,
                    value,
                    () => historyBlobName(entity.partitionKey, entity.rowKey, eventType, column),
                    false,
                );
                entity[column] = '';
            }),
        );
    }

    /** Offloads the large columns of an instance row in place; `pending` selects the Pending-row form. */
    async offloadInstanceRow(
        entity: Record<string, unknown> & { partitionKey: string },
        pending: boolean,
    ): Promise<void> {
        await Promise.all(
            LARGE_PROPERTY_COLUMNS.map(async (column) => {
                const value = entity[column];
                if (typeof value !== 'string' || !exceedsTablePropertyLimit(value)) return;
                // A new instance always gets fresh blobs: a cached one might belong to a purged predecessor.
                const name = await this.store(
                    entity.partitionKey,
                    value,
                    () => historyBlobName(entity.partitionKey, '', undefined, column),
                    !pending,
                );
                if (pending) {
                    entity[blobNameColumn(column)] = name;
                    entity[column] = '';
                } else {
                    entity[column] = this.payloads.urlOf(name);
                }
            }),
        );
    }

    /** Downloads a blob by name and remembers it for reuse by later writes of the same value. */
    async restore(partitionKey: string, blobName: string): Promise<string> {
        this.withBlobs.add(partitionKey);
        const text = await this.payloads.download(blobName);
        this.cache.remember(partitionKey, text, blobName);
        return text;
    }

    /**
     * The value of an instance-row column: from `<Column>BlobName`, from a blob URL into this hub's container,
     * or the text itself. `parseStartMessage` extracts the input from a whole ExecutionStarted message blob.
     */
    async restoreInstanceColumn(
        partitionKey: string,
        value: string | undefined,
        blobName: string | undefined,
        parseStartMessage: (json: string) => string | null,
    ): Promise<string | undefined> {
        const name = blobName ?? (value ? this.payloads.blobNameFromUrl(value) : undefined);
        if (!name) return value;
        if (name.endsWith(MESSAGE_BLOB_SUFFIX))
            return parseStartMessage(await this.payloads.download(name)) ?? undefined;
        return this.restore(partitionKey, name);
    }
}
