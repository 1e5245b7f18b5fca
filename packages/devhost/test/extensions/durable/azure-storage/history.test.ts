import { odata } from '@azure/data-tables';
import { beforeAll, describe, expect, it } from 'vitest';
import { escapePartitionKey } from '../../../../src/extensions/durable/azure-storage/key-sanitation';
import { CheckpointConflictError } from '../../../../src/extensions/durable/task-hub-port/task-hub-storage';
import { dtfxTimestamp, EventType, type HistoryEvent } from '../../../../src/shared/history';
import { everyEventType } from '../../../support/task-hub/events-fixture';
import { createTestHub, type TestHub } from '../../../support/task-hub/hub-fixture';

let hub: TestHub;
beforeAll(async () => {
    hub = await createTestHub();
});

function taskEvents(count: number, from = 0): HistoryEvent[] {
    return Array.from({ length: count }, (_, i) => ({
        EventType: EventType.TaskScheduled,
        EventId: from + i,
        IsPlayed: false,
        Timestamp: dtfxTimestamp(new Date(Date.UTC(2024, 0, 1) + i)),
        Name: `activity${from + i}`,
        Version: null,
        Input: null,
    }));
}

async function rawRows(instanceId: string) {
    const table = hub.table(`${hub.hubName}History`);
    const rows = [];
    for await (const row of table.listEntities<Record<string, unknown>>({
        queryOptions: { filter: odata`PartitionKey eq ${escapePartitionKey(instanceId)}` },
    }))
        rows.push(row);
    return rows;
}

describe('history on <Hub>History', () => {
    it('round-trips every event type losslessly', async () => {
        const events = everyEventType('round/trip#1', 'exec-1');
        await hub.storage.appendHistory({
            instanceId: 'round/trip#1',
            executionId: 'exec-1',
            startIndex: 0,
            events,
            etag: undefined,
        });
        const snapshot = await hub.storage.readHistory('round/trip#1');
        expect(snapshot.executionId).toBe('exec-1');
        expect(snapshot.events).toEqual(events);
    });

    it('writes the provider columns: X16 row keys, names for EventType, _Timestamp, JSON objects, a sentinel', async () => {
        const events = everyEventType('columns', 'exec-c');
        await hub.storage.appendHistory({
            instanceId: 'columns',
            executionId: 'exec-c',
            startIndex: 0,
            events,
            etag: undefined,
        });
        const rows = await rawRows('columns');
        expect(rows.map((r) => r.rowKey)).toEqual([
            ...events.map((_, i) => i.toString(16).toUpperCase().padStart(16, '0')),
            'sentinel',
        ]);
        for (const row of rows) expect(row.ExecutionId).toBe('exec-c');

        const started: Record<string, unknown> = rows[0] ?? {};
        expect(started.EventType).toBe('ExecutionStarted');
        expect(started._Timestamp).toBeInstanceOf(Date);
        expect(started).not.toHaveProperty('Timestamp_');
        expect(started.ScheduledStartTime).toBeInstanceOf(Date);
        expect(started.Generation).toBe(2);
        expect(started.IsPlayed).toBe(false);
        expect(JSON.parse(String(started.OrchestrationInstance))).toEqual({
            InstanceId: 'columns',
            ExecutionId: 'exec-c',
        });
        expect(JSON.parse(String(started.Tags))).toEqual({ team: 'orders' });

        const completed: Record<string, unknown> = rows[1] ?? {};
        expect(completed.OrchestrationStatus).toBe('Failed');
        expect(JSON.parse(String(completed.FailureDetails))).toMatchObject({ ErrorMessage: 'boom' });

        const scheduled: Record<string, unknown> = rows[4] ?? {};
        expect(scheduled.EventType).toBe('TaskScheduled');
        expect(scheduled).not.toHaveProperty('Input');
        const failed: Record<string, unknown> = rows[6] ?? {};
        expect(failed.FailureDetails).toBe('null');

        const sentinel: Record<string, unknown> = rows.at(-1) ?? {};
        expect(sentinel.IsCheckpointComplete).toBe(true);
        expect(sentinel.CheckpointCompletedTimestamp).toBeInstanceOf(Date);
    });

    it('keeps the 100 ns precision of DTFx timestamps', async () => {
        const event: HistoryEvent = {
            EventType: EventType.OrchestratorStarted,
            EventId: -1,
            IsPlayed: false,
            Timestamp: '2024-05-06T07:08:09.1234567Z',
        };
        await hub.storage.appendHistory({
            instanceId: 'precise',
            executionId: 'e',
            startIndex: 0,
            events: [event],
            etag: undefined,
        });
        expect((await hub.storage.readHistory('precise')).events[0]?.Timestamp).toBe('2024-05-06T07:08:09.1234567Z');
    });

    it('appends under the sentinel ETag and returns the new ETag, which readHistory reports', async () => {
        const id = 'appender';
        const first = await hub.storage.appendHistory({
            instanceId: id,
            executionId: 'e1',
            startIndex: 0,
            events: taskEvents(3),
            etag: undefined,
        });
        const second = await hub.storage.appendHistory({
            instanceId: id,
            executionId: 'e1',
            startIndex: 3,
            events: taskEvents(2, 3),
            etag: first,
        });
        expect(second).not.toBe(first);
        const snapshot = await hub.storage.readHistory(id);
        expect(snapshot.etag).toBe(second);
        expect(snapshot.events.map((e) => e.EventId)).toEqual([0, 1, 2, 3, 4]);
    });

    it('reads an unknown instance as empty history without an ETag', async () => {
        expect(await hub.storage.readHistory('never-written')).toEqual({
            events: [],
            executionId: null,
            etag: undefined,
        });
    });

    it('lets only one of two writers holding the same ETag win (412 → CheckpointConflictError)', async () => {
        const id = 'split-brain';
        const etag = await hub.storage.appendHistory({
            instanceId: id,
            executionId: 'e',
            startIndex: 0,
            events: taskEvents(1),
            etag: undefined,
        });
        const results = await Promise.allSettled([
            hub.storage.appendHistory({
                instanceId: id,
                executionId: 'e',
                startIndex: 1,
                events: taskEvents(1, 100),
                etag,
            }),
            hub.storage.appendHistory({
                instanceId: id,
                executionId: 'e',
                startIndex: 1,
                events: taskEvents(1, 200),
                etag,
            }),
        ]);
        const rejected = results.filter((r) => r.status === 'rejected');
        expect(rejected).toHaveLength(1);
        expect(rejected[0]?.status === 'rejected' && rejected[0].reason).toBeInstanceOf(CheckpointConflictError);
        const winner = results.findIndex((r) => r.status === 'fulfilled');
        expect((await hub.storage.readHistory(id)).events.map((e) => e.EventId)).toEqual([0, winner === 0 ? 100 : 200]);
    });

    it('refuses a first checkpoint when one exists already (409 → CheckpointConflictError)', async () => {
        await hub.storage.appendHistory({
            instanceId: 'twice',
            executionId: 'e',
            startIndex: 0,
            events: taskEvents(1),
            etag: undefined,
        });
        await expect(
            hub.storage.appendHistory({
                instanceId: 'twice',
                executionId: 'e',
                startIndex: 0,
                events: taskEvents(1),
                etag: undefined,
            }),
        ).rejects.toBeInstanceOf(CheckpointConflictError);
    });

    it('splits more than 99 events over several transactions, each carrying the sentinel', async () => {
        const id = 'big-batch';
        const before = hub.storage.stats.tableOps;
        const etag = await hub.storage.appendHistory({
            instanceId: id,
            executionId: 'e',
            startIndex: 0,
            events: taskEvents(250),
            etag: undefined,
        });
        expect(hub.storage.stats.tableOps - before).toBe(3);
        const snapshot = await hub.storage.readHistory(id);
        expect(snapshot.events).toHaveLength(250);
        expect(snapshot.events.map((e) => e.EventId)).toEqual([...Array(250).keys()]);
        expect(snapshot.etag).toBe(etag);
        const sentinel = (await rawRows(id)).find((r) => r.rowKey === 'sentinel');
        expect(sentinel?.IsCheckpointComplete).toBe(true);
    });

    it('guards even the first transaction of a long append: a stale writer writes nothing', async () => {
        const id = 'stale-long';
        const etag = await hub.storage.appendHistory({
            instanceId: id,
            executionId: 'e',
            startIndex: 0,
            events: taskEvents(1),
            etag: undefined,
        });
        await hub.storage.appendHistory({
            instanceId: id,
            executionId: 'e',
            startIndex: 1,
            events: taskEvents(1, 1),
            etag,
        });
        await expect(
            hub.storage.appendHistory({
                instanceId: id,
                executionId: 'e',
                startIndex: 1,
                events: taskEvents(150, 500),
                etag,
            }),
        ).rejects.toBeInstanceOf(CheckpointConflictError);
        expect(await rawRows(id)).toHaveLength(3);
    });

    it('overwrites the rows of an older execution, deleting those past the new end', async () => {
        const id = 'continue-as-new';
        let etag = await hub.storage.appendHistory({
            instanceId: id,
            executionId: 'gen1',
            startIndex: 0,
            events: taskEvents(120),
            etag: undefined,
        });
        etag = await hub.storage.appendHistory({
            instanceId: id,
            executionId: 'gen2',
            startIndex: 0,
            events: taskEvents(5, 1000),
            etag,
            newExecution: true,
        });
        const snapshot = await hub.storage.readHistory(id);
        expect(snapshot.executionId).toBe('gen2');
        expect(snapshot.events.map((e) => e.EventId)).toEqual([1000, 1001, 1002, 1003, 1004]);
        expect(snapshot.etag).toBe(etag);
        const rows = await rawRows(id);
        expect(rows).toHaveLength(6);
        expect(new Set(rows.map((r) => r.ExecutionId))).toEqual(new Set(['gen2']));

        await hub.storage.appendHistory({
            instanceId: id,
            executionId: 'gen2',
            startIndex: 5,
            events: taskEvents(2, 1005),
            etag,
        });
        expect((await hub.storage.readHistory(id)).events).toHaveLength(7);
    });

    it('ignores rows of an older execution left behind (crash before clean-up)', async () => {
        const id = 'leftovers';
        const table = hub.table(`${hub.hubName}History`);
        const etag = await hub.storage.appendHistory({
            instanceId: id,
            executionId: 'new',
            startIndex: 0,
            events: taskEvents(2),
            etag: undefined,
        });
        await table.upsertEntity({
            partitionKey: id,
            rowKey: '0000000000000002',
            ExecutionId: 'old',
            EventType: 'OrchestratorStarted',
            EventId: -1,
            IsPlayed: false,
            _Timestamp: new Date(),
        });
        const snapshot = await hub.storage.readHistory(id);
        expect(snapshot.events).toHaveLength(2);
        expect(snapshot.etag).toBe(etag);

        // The next checkpoint's rows are inserted; the leftover in the way turns that into an upsert, not a
        // lost race, and the new row replaces it.
        const next = await hub.storage.appendHistory({
            instanceId: id,
            executionId: 'new',
            startIndex: 2,
            events: taskEvents(3, 2),
            etag,
        });
        const after = await hub.storage.readHistory(id);
        expect(after.events.map((e) => e.EventId)).toEqual([0, 1, 2, 3, 4]);
        expect(after.etag).toBe(next);
        expect(new Set((await rawRows(id)).map((r) => r.ExecutionId))).toEqual(new Set(['new']));
    });

    it('marks the sentinel incomplete when asked, and completes it on the next checkpoint', async () => {
        const id = 'incomplete';
        const etag = await hub.storage.appendHistory({
            instanceId: id,
            executionId: 'e',
            startIndex: 0,
            events: taskEvents(1),
            etag: undefined,
            isCheckpointComplete: false,
        });
        let sentinel = (await rawRows(id)).find((r) => r.rowKey === 'sentinel');
        expect(sentinel?.IsCheckpointComplete).toBe(false);
        expect(sentinel).not.toHaveProperty('CheckpointCompletedTimestamp');
        await hub.storage.appendHistory({
            instanceId: id,
            executionId: 'e',
            startIndex: 1,
            events: taskEvents(1, 1),
            etag,
        });
        sentinel = (await rawRows(id)).find((r) => r.rowKey === 'sentinel');
        expect(sentinel?.IsCheckpointComplete).toBe(true);
        expect(sentinel?.CheckpointCompletedTimestamp).toBeInstanceOf(Date);
    });

    it('reads the history in a single query', async () => {
        const before = hub.storage.stats.toJSON();
        await hub.storage.readHistory('big-batch');
        const after = hub.storage.stats.toJSON();
        expect(after.tableOps - before.tableOps).toBe(1);
        expect(after.total - before.total).toBe(1);
    });
});
