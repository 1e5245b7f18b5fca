import { randomUUID } from 'node:crypto';
import { odata, RestError, type TableClient } from '@azure/data-tables';
import { z } from 'zod';
import { describeIssues } from '../contracts/boundary';
import {
    type KeyRegister,
    type LedgerRecord,
    LedgerRecordSchema,
    type NotificationRecord,
    type OnceRecord,
    type OrderLedger,
} from '../orders/ledger';
import type { TableClientFactory } from './table-connection';
import type { OrderTableNames } from './table-names';

/**
 * A ledger row as read back: its record is JSON in `record`. Built once: zod compiles an object schema's
 * parser into a new function on its first parse, so a schema built per row is a compilation per row.
 */
const LedgerRowSchema = z.object({ record: z.string() });

/**
 * The order ledger in Azure Table storage. One partition per order (its instance id, which is always a valid
 * key). A charge, refund or shipment is the row whose RowKey is its kind, written with an insert that fails
 * if the row exists, so the first write wins however often an activity runs; notification attempts get a
 * row each. The record itself is stored as JSON in `record` (validated when read back), next to `kind` and
 * `order_id` columns for people browsing the table.
 */
export function createTableLedger(tables: TableClientFactory, names: OrderTableNames): OrderLedger {
    const table = lazyTable(tables(names.ledger));

    const parseRow = (row: unknown): LedgerRecord => {
        const text = LedgerRowSchema.parse(row).record;
        const parsed = LedgerRecordSchema.safeParse(JSON.parse(text));
        if (!parsed.success) throw new Error(`A ledger row is not a ledger record: ${describeIssues(parsed.error)}`);
        return parsed.data;
    };
    const entity = (orderKey: string, rowKey: string, orderId: string, record: LedgerRecord) => ({
        partitionKey: orderKey,
        rowKey,
        kind: record.kind,
        order_id: orderId,
        record: JSON.stringify(record),
    });
    const findRow = async (orderKey: string, rowKey: string): Promise<LedgerRecord | undefined> => {
        const client = await table();
        try {
            return parseRow(await client.getEntity(orderKey, rowKey));
        } catch (error) {
            if (error instanceof RestError && error.statusCode === 404) return undefined;
            throw error;
        }
    };

    return {
        async find(orderKey, kind) {
            const record = await findRow(orderKey, kind);
            // The row key is the kind, so a row found under it is that kind; the check keeps the types honest.
            return record?.kind === kind ? (record as Extract<OnceRecord, { kind: typeof kind }>) : undefined;
        },
        async recordOnce(orderKey, orderId, record) {
            const client = await table();
            try {
                await client.createEntity(entity(orderKey, record.kind, orderId, record));
                return record;
            } catch (error) {
                if (!(error instanceof RestError && error.statusCode === 409)) throw error;
                const stored = await findRow(orderKey, record.kind);
                if (stored?.kind !== record.kind) throw error;
                return stored as typeof record;
            }
        },
        async appendNotification(orderKey: string, orderId: string, record: NotificationRecord) {
            const client = await table();
            await client.createEntity(entity(orderKey, `notification-${record.at}-${randomUUID()}`, orderId, record));
        },
        async read(orderKey) {
            const client = await table();
            const records: LedgerRecord[] = [];
            for await (const row of client.listEntities({
                queryOptions: { filter: odata`PartitionKey eq ${orderKey}` },
            })) {
                records.push(parseRow(row));
            }
            return records.sort((a, b) => a.at.localeCompare(b.at));
        },
    };
}

/** The test-mode gateway's memory of idempotency keys, one row per key (insert-if-absent decides). */
export function createTableKeyRegister(tables: TableClientFactory, names: OrderTableNames): KeyRegister {
    const table = lazyTable(tables(names.testGateway));
    return {
        async registerFirstUse(key) {
            const client = await table();
            try {
                await client.createEntity({ partitionKey: key, rowKey: 'seen' });
                return true;
            } catch (error) {
                if (error instanceof RestError && error.statusCode === 409) return false;
                throw error;
            }
        },
    };
}

/** The client once its table exists; created on first use (a 409 means another process created it). */
function lazyTable(client: TableClient): () => Promise<TableClient> {
    let ready: Promise<TableClient> | undefined;
    return () => {
        ready ??= client.createTable().then(
            () => client,
            (error: unknown) => {
                if (error instanceof RestError && error.statusCode === 409) return client;
                ready = undefined;
                throw error;
            },
        );
        return ready;
    };
}
