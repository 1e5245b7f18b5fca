/**
 * Poison messages and message leases, in process on Azurite (graceful shutdown and SIGKILL are in
 * cli-crash.test.ts):
 * - an activity that runs longer than the message lease (4 s with the fixture's host.json) keeps its work item
 *   hidden from other readers by renewals, and runs once;
 * - a message whose episode fails on every delivery is set aside after maxDequeueCount deliveries (kept as a
 *   blob beside the instance's other blobs, logged) and the instance fails with a reason saying so;
 * - an unreadable queue message is removed at once and does not block its partition.
 */
import { BlobServiceClient } from '@azure/storage-blob';
import { QueueClient } from '@azure/storage-queue';
import { describe, expect, it } from 'vitest';
import { defaultStorageFactory } from '../../../../src/extensions/durable/default-storage';
import type { HistoryAppend, TaskHubStorage } from '../../../../src/extensions/durable/task-hub-port/task-hub-storage';
import { EventType } from '../../../../src/shared/history';
import { expectCleanHistory, hubStorage } from '../../../support/durable/crash';
import {
    postJson,
    startOrchestration,
    waitForStatus,
    waitUntil,
    WEBHOOK,
    useDurableHost,
} from '../../../support/durable/durable-host';
import { withOverrides } from '../../../support/durable/storage-overrides';
import { testFetch } from '../../../support/in-memory-fetch';
import { azuriteConnectionString } from '../../../support/storage';

// One app per process: one host for the whole file.
const t = useDurableHost('management', {
    createStorage: async (request) => poisonedStorage(await defaultStorageFactory(request)),
    config: { maxDequeueCount: 3 },
});

/** The real storage, except that any checkpoint holding a 'First' event with data "poison" fails. */
function poisonedStorage(storage: TaskHubStorage): TaskHubStorage {
    return withOverrides(storage, {
        appendHistory: async (append: HistoryAppend): Promise<string> => {
            if (append.events.some((e) => e.EventType === EventType.EventRaised && e.Input === '"poison"')) {
                throw new Error('simulated storage fault: this checkpoint can never be written');
            }
            return storage.appendHistory(append);
        },
    });
}

describe('poison messages', () => {
    it('sets aside a message that fails on every delivery and fails the instance with a clear reason', async () => {
        const id = `poison-${Date.now().toString(36)}`;
        const started = await startOrchestration(t.origin, 'twoEvents', undefined, id);
        await waitUntil(started.statusQueryGetUri, (s) => s.runtimeStatus === 'Running');
        expect((await postJson(`${t.origin}${WEBHOOK}/instances/${id}/raiseEvent/First`, 'poison')).status).toBe(202);

        const failed = await waitForStatus(started.statusQueryGetUri, 20_000, 100);
        expect(failed.runtimeStatus).toBe('Failed');
        expect(String(failed.output)).toMatch(
            /set aside 1 message\(s\) for this instance after 3 failed attempts to process them: .* \(EventRaised\)\. Last error: simulated storage fault/,
        );
        expect(t.logs.some((e) => e.level === 'error' && e.message.includes('poison message(s)'))).toBe(true);

        // History says so too, and the message is kept where people can read it (and purge removes it).
        const history = await hubStorage(t.hubName).readHistory(id);
        const completed = history.events.find((e) => e.EventType === EventType.ExecutionCompleted);
        expect(completed && 'Result' in completed ? completed.Result : undefined).toBe(failed.output);
        const container = BlobServiceClient.fromConnectionString(azuriteConnectionString()).getContainerClient(
            `${t.hubName.toLowerCase()}-largemessages`,
        );
        const kept: string[] = [];
        for await (const blob of container.listBlobsFlat({ prefix: `${id}/poison-` })) kept.push(blob.name);
        expect(kept).toHaveLength(1);

        // The instance is done: nothing loops. A later event is refused (410).
        expect((await postJson(`${t.origin}${WEBHOOK}/instances/${id}/raiseEvent/Second`, 1)).status).toBe(410);
        await testFetch(`${t.origin}${WEBHOOK}/instances/${id}`, { method: 'DELETE' });
        const left: string[] = [];
        for await (const blob of container.listBlobsFlat({ prefix: `${id}/` })) left.push(blob.name);
        expect(left).toEqual([]);
    }, 30_000);

    it('removes an unreadable control message at once; the partition keeps working', async () => {
        const queues = [0, 1, 2, 3].map(
            (p) => new QueueClient(azuriteConnectionString(), `${t.hubName.toLowerCase()}-control-0${p}`),
        );
        for (const queue of queues) await queue.sendMessage('this is {not a task message');
        const started = await startOrchestration(t.origin, 'greet', 'after garbage');
        expect(await waitForStatus(started.statusQueryGetUri)).toMatchObject({
            runtimeStatus: 'Completed',
            output: 'Hello, after garbage!',
        });
        const deadline = Date.now() + 10_000;
        for (const queue of queues) {
            for (;;) {
                const peeked = await queue.peekMessages({ numberOfMessages: 32 });
                if (!peeked.peekedMessageItems.some((m) => m.messageText.startsWith('this is'))) break;
                if (Date.now() > deadline) throw new Error('garbage message still queued');
                await new Promise((resolve) => setTimeout(resolve, 100));
            }
        }
    }, 20_000);
});

describe('message leases', () => {
    it("keeps a long activity's work item hidden past the lease, and the activity runs once", async () => {
        const id = `lease-${Date.now().toString(36)}`;
        const started = await startOrchestration(t.origin, 'slowFanOut', { count: 1, delayMs: 6_500 }, id);
        const workItems = new QueueClient(azuriteConnectionString(), `${t.hubName.toLowerCase()}-workitems`);
        // Past one 4-second lease: still invisible to anyone else (peek sees only visible messages).
        await new Promise((resolve) => setTimeout(resolve, 5_000));
        expect((await workItems.peekMessages({ numberOfMessages: 32 })).peekedMessageItems).toEqual([]);
        expect(await waitForStatus(started.statusQueryGetUri, 15_000, 50)).toMatchObject({
            runtimeStatus: 'Completed',
            output: 0,
        });
        expectCleanHistory((await hubStorage(t.hubName).readHistory(id)).events, id);
        expect(t.logs.some((e) => e.message.includes('Could not renew'))).toBe(false);
    }, 25_000);
});
