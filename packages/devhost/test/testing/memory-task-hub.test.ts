/**
 * The in-memory task hub (src/testing/memory-task-hub.ts) keeps the semantics of the Azure Storage one: every
 * case below runs on both, the storage module on Azurite being the reference, with the same assertions.
 * - ETag conflicts: the History table's sentinel row guards every checkpoint, and an instance row's new execution
 *   is written only under the ETag it was read with (DTFx's AzureTableTrackingStore.UpdateStateAsync and
 *   SetNewExecutionAsync, Azure/durabletask src/DurableTask.AzureStorage/Tracking/AzureTableTrackingStore.cs;
 *   here azure-storage/history-store.ts and instance-store.ts).
 * - Redelivery: a message received and neither deleted nor released comes back when its visibility timeout
 *   lapses, with a new pop receipt and a higher dequeue count; the old receipt no longer holds it (Azure Queues;
 *   DTFx's TaskHubQueue / ControlQueue, src/DurableTask.AzureStorage/Messaging; here azure-storage/message-queues.ts).
 * - Ordering: messages to one instance come out of its control queue in the order they were sent (what
 *   ControlQueue.GetMessagesAsync's MessageOrderingComparer restores by InsertedOn and SequenceNumber).
 * The memory hub's clock is a variable, so its leases lapse at once; Azurite's take the real second.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { eventRaisedMessage } from '../../src/extensions/durable/engine/messages';
import {
    CheckpointConflictError,
    MessageGoneError,
    type InstanceRecord,
    type ReceivedMessage,
    type TaskHubStorage,
} from '../../src/extensions/durable/task-hub-port/task-hub-storage';
import type { HistoryEvent, TaskMessage } from '../../src/shared/history';
import { MemoryTaskHub } from '../../src/testing/memory-task-hub';
import { hubStorage } from '../support/durable/crash';
import { uniqueHubName } from '../support/storage';
import { instanceRecord } from '../support/task-hub/instance-record';

interface HubUnderTest {
    storage: TaskHubStorage;
    /** Lets `ms` of the hub's time pass. */
    elapse(ms: number): Promise<void>;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const opened: TaskHubStorage[] = [];

async function memoryHub(): Promise<HubUnderTest> {
    let now = Date.now();
    const storage = new MemoryTaskHub(uniqueHubName('Mem'), 4, true, () => now);
    return Promise.resolve({
        storage,
        elapse: (ms) => {
            now += ms;
            return Promise.resolve();
        },
    });
}

async function azureHub(): Promise<HubUnderTest> {
    const storage = hubStorage(uniqueHubName('Az'));
    await storage.createIfNotExists();
    opened.push(storage);
    return { storage, elapse: sleep };
}

afterAll(async () => {
    await Promise.all(opened.map((storage) => storage.deleteAll()));
});

function raised(instanceId: string, name: string): TaskMessage {
    return eventRaisedMessage({ instanceId, name, data: name, now: new Date() });
}

function event(name: string): HistoryEvent {
    return raised('any', name).Event;
}

/** A new Pending instance's row (the values the tests compare do not depend on the defaults). */
function record(instanceId: string, executionId: string): InstanceRecord {
    const now = new Date();
    return instanceRecord(instanceId, {
        executionId,
        name: 'orchestrator',
        input: null,
        runtimeStatus: 'Pending',
        createdTime: now,
        lastUpdatedTime: now,
    });
}

const names = (events: readonly HistoryEvent[]): unknown[] => events.map((e) => ('Name' in e ? e.Name : e.EventType));

/** Receives from the instance's control queue until something comes (Azurite shows a message within ~1 s). */
async function receiveFor(storage: TaskHubStorage, instanceId: string, timeoutMs = 5_000): Promise<ReceivedMessage[]> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
        const got = await storage.receiveControlMessages(storage.partitionOf(instanceId), 32, 1);
        if (got.length > 0 || Date.now() > deadline) return got;
        await sleep(100);
    }
}

describe.each([
    ['the memory hub', memoryHub],
    ['the Azure Storage hub on Azurite', azureHub],
])('%s', (_, open) => {
    it('refuses a checkpoint under a stale sentinel ETag, and a first checkpoint when one exists', async () => {
        const { storage } = await open();
        const id = `etag-${Date.now()}`;
        const first = await storage.appendHistory({
            instanceId: id,
            executionId: 'e1',
            startIndex: 0,
            events: [event('a')],
            etag: undefined,
        });
        // Two episodes read the same history; the first to checkpoint wins.
        const [left, right] = [await storage.readHistory(id), await storage.readHistory(id)];
        expect(left.etag).toBe(first);
        const winner = await storage.appendHistory({
            instanceId: id,
            executionId: 'e1',
            startIndex: 1,
            events: [event('left')],
            etag: left.etag,
        });
        expect(winner).not.toBe(first);
        const stale = storage.appendHistory({
            instanceId: id,
            executionId: 'e1',
            startIndex: 1,
            events: [event('right')],
            etag: right.etag,
        });
        await expect(stale).rejects.toBeInstanceOf(CheckpointConflictError);
        const again = storage.appendHistory({
            instanceId: id,
            executionId: 'e1',
            startIndex: 0,
            events: [event('b')],
            etag: undefined,
        });
        await expect(again).rejects.toBeInstanceOf(CheckpointConflictError);
        // Nothing of the losers was written.
        expect(names((await storage.readHistory(id)).events)).toEqual(['a', 'left']);
    });

    it('rewrites rows in place under the ETag (rewind), and a new execution drops the rows past its end', async () => {
        const { storage } = await open();
        const id = `rows-${Date.now()}`;
        let etag = await storage.appendHistory({
            instanceId: id,
            executionId: 'e1',
            startIndex: 0,
            events: [event('a'), event('b'), event('c')],
            etag: undefined,
        });
        etag = await storage.appendHistory({
            instanceId: id,
            executionId: 'e1',
            startIndex: 0,
            events: [event('a'), event('B'), event('c')],
            etag,
        });
        expect(names((await storage.readHistory(id)).events)).toEqual(['a', 'B', 'c']);
        await storage.appendHistory({
            instanceId: id,
            executionId: 'e2',
            startIndex: 0,
            events: [event('x')],
            etag,
            newExecution: true,
        });
        expect(await storage.readHistory(id)).toMatchObject({ executionId: 'e2', events: [{ Name: 'x' }] });
    });

    it('writes a new execution only under the instance row ETag it read', async () => {
        const { storage } = await open();
        const id = `row-${Date.now()}`;
        expect(await storage.writeNewExecution(record(id, 'e1'), undefined)).toBe(true);
        // An insert where the row exists is a lost race.
        expect(await storage.writeNewExecution(record(id, 'e2'), undefined)).toBe(false);
        const read = await storage.readInstanceVersioned(id);
        await storage.writeInstance({ ...record(id, 'e1'), runtimeStatus: 'Running' });
        expect(await storage.writeNewExecution(record(id, 'e3'), read?.etag)).toBe(false);
        const fresh = await storage.readInstanceVersioned(id);
        expect(fresh?.record).toMatchObject({ executionId: 'e1', runtimeStatus: 'Running' });
        expect(await storage.writeNewExecution(record(id, 'e4'), fresh?.etag)).toBe(true);
        expect((await storage.readInstance(id))?.executionId).toBe('e4');
    });

    it('redelivers a message whose lease lapses without a delete, and the old pop receipt no longer holds it', async () => {
        const { storage, elapse } = await open();
        const id = `redeliver-${Date.now()}`;
        await storage.sendControlMessage(raised(id, 'once'));
        const [first] = await receiveFor(storage, id);
        expect(first).toMatchObject({ dequeueCount: 1, message: { Event: { Name: 'once' } } });
        // Hidden while the lease runs.
        expect(await storage.receiveControlMessages(storage.partitionOf(id), 32, 1)).toEqual([]);
        await elapse(1_000);
        const [second] = await receiveFor(storage, id);
        expect(second).toMatchObject({ messageId: first?.messageId, dequeueCount: 2 });
        expect(second?.popReceipt).not.toBe(first?.popReceipt);
        if (!first || !second) throw new Error('received nothing');
        // The first receiver's receipt is stale: its release and its delete fail (MessageGoneError; the storage
        // module passes the service's PopReceiptMismatch on as it is) and leave the message to the second.
        await expect(storage.releaseMessage(first, 0)).rejects.toBeInstanceOf(MessageGoneError);
        await expect(storage.deleteMessage(first)).rejects.toThrow();
        // The second receiver still holds it: a release (with back-off 0) hands it the new receipt in place.
        const held = second.popReceipt;
        await storage.releaseMessage(second, 0);
        expect(second.popReceipt).not.toBe(held);
        const [third] = await receiveFor(storage, id);
        expect(third).toMatchObject({ messageId: first.messageId, dequeueCount: 3 });
        if (!third) throw new Error('received nothing');
        await storage.deleteMessage(third);
        // Deleting what is gone is done, not an error.
        await storage.deleteMessage(third);
        await elapse(1_000);
        await sleep(100);
        expect(await storage.receiveControlMessages(storage.partitionOf(id), 32, 1)).toEqual([]);
    });

    it("delivers one instance's messages in the order they were sent, skipping those sent for later", async () => {
        const { storage } = await open();
        const id = `order-${Date.now()}`;
        const sent = ['m1', 'm2', 'm3', 'm4', 'm5', 'm6'];
        for (const name of sent.slice(0, 3)) await storage.sendControlMessage(raised(id, name));
        await storage.sendControlMessage(raised(id, 'later'), { visibleAt: new Date(Date.now() + 60_000) });
        for (const name of sent.slice(3)) await storage.sendControlMessage(raised(id, name));
        const received = await receiveFor(storage, id);
        expect(received.map((m) => (m.message.Event as { Name: string }).Name)).toEqual(sent);
        for (const message of received) await storage.deleteMessage(message);
    });
});
