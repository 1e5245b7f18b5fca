/**
 * The task hub's own `$batch` writer (devhost/storage/table-batch.ts) against the SDK's
 * `TableClient.submitTransaction` on Azurite: the same request body, the same stored rows, the same errors.
 */
import type { PipelinePolicy } from '@azure/core-rest-pipeline';
import { RestError, TableClient, type TransactionAction } from '@azure/data-tables';
import { beforeAll, describe, expect, it } from 'vitest';
import { submitBatch } from '../../../../src/extensions/durable/azure-storage/table-batch';
import { azuriteConnectionString, uniqueHubName } from '../../../support/storage';

let table: TableClient;
const bodies: string[] = [];
beforeAll(async () => {
    table = TableClient.fromConnectionString(azuriteConnectionString(), uniqueHubName('Batch'), {
        allowInsecureConnection: true,
    });
    await table.createTable();
    // Records every $batch body that leaves through the client's pipeline, whoever assembled it.
    const recorder: PipelinePolicy = {
        name: 'recordBatchBodies',
        sendRequest(request, next) {
            if (request.url.endsWith('/$batch') && typeof request.body === 'string') bodies.push(request.body);
            return next(request);
        },
    };
    table.pipeline.addPolicy(recorder, { afterPhase: 'Sign' });
});

/** A body with its two random boundaries replaced, so two bodies can be compared. */
function withoutBoundaryIds(body: string): string {
    return body.replace(/(batch|changeset)_[0-9a-f-]{36}/g, '$1_ID');
}

/** Every column type the task hub writes: strings, Int32 numbers, booleans, dates, typed DateTime cells. */
function row(partitionKey: string, rowKey: string, n: number): TransactionAction[1] {
    return {
        partitionKey,
        rowKey,
        Name: `it's row ${n} ü`,
        EventId: n,
        Ratio: n + 0.5,
        IsPlayed: n % 2 === 0,
        Empty: null,
        When: new Date(Date.UTC(2026, 0, 1, 0, 0, n)),
        _Timestamp: { value: `2026-01-01T00:00:0${n}.1234567Z`, type: 'DateTime' },
        Big: { value: '9007199254740993', type: 'Int64' },
    };
}

/** The partition's rows without etag and timestamp; `typed` keeps each cell's EDM type. */
async function readPartition(partitionKey: string, typed = false): Promise<Record<string, unknown>[]> {
    const rows: Record<string, unknown>[] = [];
    for await (const entity of table.listEntities<Record<string, unknown>>({
        queryOptions: { filter: `PartitionKey eq '${partitionKey.replace(/'/g, "''")}'` },
        disableTypeConversion: typed,
    })) {
        const { etag, timestamp, ...rest } = entity;
        void etag;
        void timestamp;
        rows.push(rest);
    }
    return rows;
}

describe('submitBatch', () => {
    it('sends the body the SDK sends and stores the same rows', async () => {
        const sdkPartition = "sdk 'p'";
        const ownPartition = "own 'p'";
        const actions = (partitionKey: string): TransactionAction[] => [
            ['create', row(partitionKey, 'a', 1)],
            ['create', row(partitionKey, 'b', 2)],
            ['upsert', row(partitionKey, 'c', 3), 'Replace'],
            ['upsert', row(partitionKey, 'd', 4), 'Merge'],
        ];
        bodies.length = 0;
        await table.submitTransaction(actions(sdkPartition));
        const ownResponses = await submitBatch(table, actions(ownPartition));
        const [sdkBody, ownBody] = bodies;
        expect(withoutBoundaryIds(ownBody ?? '')).toBe(
            withoutBoundaryIds(sdkBody ?? '')
                .replaceAll(
                    encodeURIComponent(sdkPartition.replace(/'/g, "''")),
                    encodeURIComponent(ownPartition.replace(/'/g, "''")),
                )
                .replaceAll(JSON.stringify(sdkPartition), JSON.stringify(ownPartition)),
        );
        const strip = (rows: Record<string, unknown>[]) =>
            rows.map(({ partitionKey, ...rest }) => (void partitionKey, rest));
        expect(strip(await readPartition(ownPartition, true))).toEqual(strip(await readPartition(sdkPartition, true)));
        expect(ownResponses.map((r) => r.status)).toEqual([204, 204, 204, 204]);
        expect(ownResponses[0]?.rowKey).toBe('a');
        expect(ownResponses.every((r) => typeof r.etag === 'string' && r.etag.startsWith('W/"'))).toBe(true);
    });

    it('updates under an ETag, deletes, and returns the ETag the next update needs', async () => {
        const partitionKey = 'guarded';
        const [created] = await submitBatch(table, [['create', { partitionKey, rowKey: 'sentinel', Step: 1 }]]);
        const [, updated] = await submitBatch(table, [
            ['create', { partitionKey, rowKey: 'gone', Step: 0 }],
            ['update', { partitionKey, rowKey: 'sentinel', Step: 2 }, 'Merge', { etag: created?.etag ?? '' }],
        ]);
        await submitBatch(table, [
            ['delete', { partitionKey, rowKey: 'gone' }],
            ['update', { partitionKey, rowKey: 'sentinel', Step: 3 }, 'Replace', { etag: updated?.etag ?? '' }],
        ]);
        expect(await readPartition(partitionKey)).toEqual([{ partitionKey, rowKey: 'sentinel', Step: 3 }]);
    });

    it('fails as the SDK fails: a RestError with the operation status and code, and nothing written', async () => {
        const partitionKey = 'conflicts';
        const [first] = await submitBatch(table, [['create', { partitionKey, rowKey: 'sentinel', Step: 1 }]]);
        await submitBatch(table, [['update', { partitionKey, rowKey: 'sentinel', Step: 2 }, 'Merge', { etag: '*' }]]);
        const failures = async (send: (actions: TransactionAction[]) => Promise<unknown>) => {
            const outcomes: unknown[] = [];
            for (const actions of [
                [['create', { partitionKey, rowKey: 'sentinel' }]],
                [
                    ['create', { partitionKey, rowKey: 'new' }],
                    ['update', { partitionKey, rowKey: 'sentinel', Step: 9 }, 'Merge', { etag: first?.etag ?? '' }],
                ],
                [['delete', { partitionKey, rowKey: 'missing' }]],
            ] as TransactionAction[][]) {
                const error = await send(actions).then(
                    () => undefined,
                    (e: unknown) => e,
                );
                outcomes.push(
                    error instanceof RestError ? { status: error.statusCode, code: error.code } : String(error),
                );
            }
            return outcomes;
        };
        const own = await failures((actions) => submitBatch(table, actions));
        expect(own).toEqual(await failures((actions) => table.submitTransaction(actions)));
        expect(own).toEqual([
            { status: 409, code: 'EntityAlreadyExists' },
            { status: 412, code: 'UpdateConditionNotSatisfied' },
            { status: 404, code: 'ResourceNotFound' },
        ]);
        expect(await readPartition(partitionKey)).toEqual([{ partitionKey, rowKey: 'sentinel', Step: 2 }]);
    });
});
