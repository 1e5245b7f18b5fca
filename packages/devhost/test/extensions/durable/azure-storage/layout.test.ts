import { describe, expect, it } from 'vitest';
import { createTestHub } from '../../../support/task-hub/hub-fixture';

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
    const out: T[] = [];
    for await (const item of items) out.push(item);
    return out;
}

describe('task hub layout', () => {
    it('creates the provider tables, queues and container once, idempotently, in parallel', async () => {
        const hub = await createTestHub({ partitionCount: 3 });
        const lower = hub.hubName.toLowerCase();
        const before = hub.storage.stats.total;
        await hub.storage.createIfNotExists();
        // 2 tables + 3 control queues + work items + container, one call each.
        expect(hub.storage.stats.total - before).toBe(7);

        const tables = (await collect(hub.tables.listTables())).map((t) => t.name);
        expect(tables).toEqual(expect.arrayContaining([`${hub.hubName}Instances`, `${hub.hubName}History`]));
        const queues = (await collect(hub.queues.listQueues({ prefix: lower }))).map((q) => q.name).sort();
        expect(queues).toEqual([
            `${lower}-control-00`,
            `${lower}-control-01`,
            `${lower}-control-02`,
            `${lower}-workitems`,
        ]);
        const containers = (await collect(hub.blobs.listContainers({ prefix: lower }))).map((c) => c.name);
        expect(containers).toEqual([`${lower}-largemessages`]);

        expect(hub.storage.partitionCount).toBe(3);
        expect(hub.storage.workItemQueueName).toBe(`${lower}-workitems`);
        expect(hub.storage.controlQueueName(2)).toBe(`${lower}-control-02`);
        expect(hub.storage.partitionOf('any-id')).toBeLessThan(3);

        await hub.storage.deleteAll();
        expect((await collect(hub.tables.listTables())).map((t) => t.name)).not.toContain(`${hub.hubName}History`);
        expect(await collect(hub.queues.listQueues({ prefix: lower }))).toEqual([]);
        expect(await collect(hub.blobs.listContainers({ prefix: lower }))).toEqual([]);
    });

    it('rejects an unusable hub name or partition count before touching storage', async () => {
        await expect(createTestHub({ hubName: 'no-dashes' })).rejects.toThrow(/alphanumeric/);
        await expect(createTestHub({ partitionCount: 17 })).rejects.toThrow(/1 to 16/);
    });

    it('counts one storage call per operation on the hot path', async () => {
        const hub = await createTestHub();
        const id = 'counted';
        const stats = hub.storage.stats;
        const delta = async (op: () => Promise<unknown>) => {
            const before = stats.toJSON();
            await op();
            const after = stats.toJSON();
            return {
                tableOps: after.tableOps - before.tableOps,
                queueOps: after.queueOps - before.queueOps,
                blobOps: after.blobOps - before.blobOps,
            };
        };
        const event = { EventType: 12, EventId: -1, IsPlayed: false, Timestamp: new Date().toISOString() } as const;
        const message = {
            Event: event,
            SequenceNumber: 0,
            OrchestrationInstance: { InstanceId: id, ExecutionId: 'e' },
        };
        expect(await delta(() => hub.storage.sendControlMessage(message))).toEqual({
            tableOps: 0,
            queueOps: 1,
            blobOps: 0,
        });
        expect(
            await delta(() =>
                hub.storage.appendHistory({
                    instanceId: id,
                    executionId: 'e',
                    startIndex: 0,
                    events: [event],
                    etag: undefined,
                }),
            ),
        ).toEqual({
            tableOps: 1,
            queueOps: 0,
            blobOps: 0,
        });
        expect(await delta(() => hub.storage.readHistory(id))).toEqual({ tableOps: 1, queueOps: 0, blobOps: 0 });
        expect(await delta(() => hub.storage.readInstance(id))).toEqual({ tableOps: 1, queueOps: 0, blobOps: 0 });
        const received = await hub.storage.receiveControlMessages(hub.storage.partitionOf(id), 32, 30);
        expect(await delta(() => hub.storage.deleteMessage(received[0]!))).toEqual({
            tableOps: 0,
            queueOps: 1,
            blobOps: 0,
        });
        stats.reset();
        expect(stats.total).toBe(0);
    });
});
