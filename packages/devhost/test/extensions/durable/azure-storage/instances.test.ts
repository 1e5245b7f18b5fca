import { beforeAll, describe, expect, it } from 'vitest';
import type { InstanceRecord } from '../../../../src/extensions/durable/task-hub-port/task-hub-storage';
import { InvalidContinuationTokenError } from '../../../../src/extensions/durable/task-hub-port/task-hub-storage';
import type { RuntimeStatusName } from '../../../../src/shared/history';
import { createTestHub, type TestHub } from '../../../support/task-hub/hub-fixture';
import { instanceRecord } from '../../../support/task-hub/instance-record';

let hub: TestHub;
beforeAll(async () => {
    hub = await createTestHub();
});

async function listAll(query: Parameters<TestHub['storage']['queryInstances']>[0]): Promise<InstanceRecord[]> {
    const all: InstanceRecord[] = [];
    let token: string | undefined;
    do {
        const page = await hub.storage.queryInstances(query, token);
        all.push(...page.instances);
        token = page.continuationToken;
    } while (token);
    return all;
}

describe('instances on <Hub>Instances', () => {
    it('round-trips a record with every field set', async () => {
        const full = instanceRecord('full/one?', {
            version: '2.1',
            output: '{"status":"ok"}',
            customStatus: '{"step":3}',
            runtimeStatus: 'Completed',
            completedTime: new Date('2024-01-01T10:05:00.000Z'),
            scheduledStartTime: new Date('2024-01-01T09:00:00.000Z'),
            generation: 3,
            tags: { team: 'orders', env: 'dev' },
            parentInstanceId: 'parent-1',
        });
        await hub.storage.writeInstance(full);
        expect(await hub.storage.readInstance('full/one?')).toEqual(full);
        const minimal = instanceRecord('minimal');
        await hub.storage.writeInstance(minimal);
        expect(await hub.storage.readInstance('minimal')).toEqual(minimal);
        expect(await hub.storage.readInstance('absent')).toBeUndefined();
    });

    it('writes the provider columns and types', async () => {
        await hub.storage.writeInstance(instanceRecord('columns/1', { runtimeStatus: 'Pending' }));
        const row = await hub.table(`${hub.hubName}Instances`).getEntity<Record<string, unknown>>('columns^01', '');
        expect(row.rowKey).toBe('');
        expect(row).toMatchObject({
            ExecutionId: 'exec-1',
            Name: 'order_processing',
            Input: '{"order_id":"o-1"}',
            RuntimeStatus: 'Pending',
            Generation: 0,
            Tags: 'null',
            TaskHubName: hub.hubName,
        });
        expect(row.CreatedTime).toBeInstanceOf(Date);
        expect(row.LastUpdatedTime).toBeInstanceOf(Date);
        // A start's Pending row has no CustomStatus (SetNewExecutionAsync); a checkpoint's row has "null" (#477).
        for (const absent of [
            'Version',
            'Output',
            'CompletedTime',
            'ScheduledStartTime',
            'ParentInstanceId',
            'CustomStatus',
        ])
            expect(row).not.toHaveProperty(absent);
    });

    it('replaces the whole row, so a restarted instance loses its old output and completion time', async () => {
        await hub.storage.writeInstance(
            instanceRecord('restart', { runtimeStatus: 'Completed', output: '"done"', completedTime: new Date() }),
        );
        await hub.storage.writeInstance(instanceRecord('restart', { runtimeStatus: 'Pending', executionId: 'exec-2' }));
        const read = await hub.storage.readInstance('restart');
        expect(read).toMatchObject({
            runtimeStatus: 'Pending',
            output: null,
            completedTime: null,
            executionId: 'exec-2',
        });
    });

    it('purges the row and the history; false when there was nothing', async () => {
        await hub.storage.writeInstance(instanceRecord('purge-me'));
        await hub.storage.appendHistory({
            instanceId: 'purge-me',
            executionId: 'exec-1',
            startIndex: 0,
            events: [{ EventType: 12, EventId: -1, IsPlayed: false, Timestamp: new Date().toISOString() }],
            etag: undefined,
        });
        expect(await hub.storage.purgeInstance('purge-me')).toBe(true);
        expect(await hub.storage.readInstance('purge-me')).toBeUndefined();
        expect(await hub.storage.readHistory('purge-me')).toEqual({ events: [], executionId: null, etag: undefined });
        expect(await hub.storage.purgeInstance('purge-me')).toBe(false);
    });
});

describe('queryInstances', () => {
    let query: TestHub;
    const statuses: RuntimeStatusName[] = ['Running', 'Completed', 'Failed', 'Pending'];
    beforeAll(async () => {
        query = await createTestHub();
        const writes = Array.from({ length: 12 }, (_, i) =>
            query.storage.writeInstance(
                instanceRecord(`order-${String(i).padStart(2, '0')}`, {
                    runtimeStatus: statuses[i % 4],
                    createdTime: new Date(Date.UTC(2024, 0, 1 + i)),
                }),
            ),
        );
        await Promise.all([
            ...writes,
            query.storage.writeInstance(instanceRecord('other-1')),
            query.storage.writeInstance(instanceRecord("quote'1")),
            query.storage.writeInstance(instanceRecord('a/b-1')),
        ]);
        hub = query;
    });

    it('filters by instance id prefix', async () => {
        const ids = (await listAll({ instanceIdPrefix: 'order-0' })).map((r) => r.instanceId).sort();
        expect(ids).toEqual(Array.from({ length: 10 }, (_, i) => `order-0${i}`));
        expect((await listAll({ instanceIdPrefix: 'a/b' })).map((r) => r.instanceId)).toEqual(['a/b-1']);
    });

    it('filters by created time range and by runtime status list', async () => {
        const inJanuaryRange = await listAll({
            createdTimeFrom: new Date(Date.UTC(2024, 0, 3)),
            createdTimeTo: new Date(Date.UTC(2024, 0, 5)),
        });
        expect(inJanuaryRange.map((r) => r.instanceId).sort()).toEqual(['order-02', 'order-03', 'order-04']);
        const failedOrPending = await listAll({ instanceIdPrefix: 'order-', runtimeStatus: ['Failed', 'Pending'] });
        expect(failedOrPending).toHaveLength(6);
        expect(new Set(failedOrPending.map((r) => r.runtimeStatus))).toEqual(new Set(['Failed', 'Pending']));
    });

    it('pages with top and an opaque continuation token', async () => {
        const first = await query.storage.queryInstances({ instanceIdPrefix: 'order-', top: 5 });
        expect(first.instances).toHaveLength(5);
        expect(first.continuationToken).toBeDefined();
        expect(first.continuationToken).toMatch(/^[A-Za-z0-9_-]+$/);
        const all = await listAll({ instanceIdPrefix: 'order-', top: 5 });
        expect(all.map((r) => r.instanceId)).toEqual(
            Array.from({ length: 12 }, (_, i) => `order-${String(i).padStart(2, '0')}`),
        );
        await expect(query.storage.queryInstances({ top: 5 }, 'bm90LWEtdG9rZW4')).rejects.toBeInstanceOf(
            InvalidContinuationTokenError,
        );
    });

    it('omits the input when asked', async () => {
        const [one] = (await query.storage.queryInstances({ instanceIdPrefix: 'order-00', excludeInput: true }))
            .instances;
        expect(one).toMatchObject({ instanceId: 'order-00', input: null, name: 'order_processing' });
    });

    it('treats quotes in filter values as data, never as query syntax', async () => {
        expect((await listAll({ instanceIdPrefix: "quote'" })).map((r) => r.instanceId)).toEqual(["quote'1"]);
        const injection = "x' or PartitionKey ne '";
        expect(await listAll({ instanceIdPrefix: injection })).toEqual([]);
        const statusInjection = "Running' or RuntimeStatus ne '" as RuntimeStatusName;
        expect(await listAll({ runtimeStatus: [statusInjection] })).toEqual([]);
    });
});
