/**
 * The outbox of a large fan-out (runtime/work-item-outbox.ts) on Azurite: work items beyond the send window go
 * out after the commit, and when a process stops before sending them all, the next runtime on the hub sends
 * the open ones and the instance completes with the right output. Work items on the queue
 * (`inProcessWorkItems` off): in-process work items are never sent, so they need no outbox.
 */
import { afterEach, expect, it } from 'vitest';
import { DEFAULT_DURABLE_CONFIG } from '../../../../devhost/durable/runtime/durable-config';
import type { TaskMessage } from '../../../../devhost/protocol/history';
import { DurableRuntime } from '../../../../devhost/durable/runtime/durable-runtime';
import { defaultStorageFactory } from '../../../../devhost/durable/default-storage';
import type { StorageFactory } from '../../../../devhost/durable/runtime/storage-factory';
import type { HostLogger, LoadedApp } from '../../../../devhost/contracts/host';
import type { ReceivedMessage, TaskHubStorage } from '../../../../devhost/ports/task-hub-storage';
import {
    startDurableHost,
    startOrchestration,
    waitForStatus,
    type DurableTestHost,
} from '../../../support/durable/durable-host';

const silent: HostLogger = {
    log: () => undefined,
    info: () => undefined,
    warn: () => undefined,
    error: () => undefined,
};
const WINDOW = 5;

let host: DurableTestHost | undefined;
let second: DurableRuntime | undefined;
afterEach(async () => {
    await second?.stop();
    await host?.close();
});

it('sends beyond the window after the commit; the next runtime sends what a stopped one left', async () => {
    // Work-item sends fail while `stall` is on: the window goes out before the commit, the outbox cannot.
    let stall = false;
    let refused = 0;
    const stalling: StorageFactory = async (request) => {
        const storage = await defaultStorageFactory(request);
        const hidden = storage as TaskHubStorage & {
            sendHidden: (queue: string, message: TaskMessage, seconds: number) => Promise<ReceivedMessage>;
        };
        const sendHidden = hidden.sendHidden.bind(storage);
        let sent = 0;
        hidden.sendHidden = (queue, message, seconds) => {
            if (queue === 'workItem' && stall && ++sent > WINDOW) {
                refused++;
                return Promise.reject(new Error('storage is unreachable'));
            }
            return sendHidden(queue, message, seconds);
        };
        return storage;
    };
    host = await startDurableHost('basic', {
        createStorage: stalling,
        config: { workItemSendWindow: WINDOW, inProcessWorkItems: false },
    });

    const small = await startOrchestration(host.origin, 'fanOut', 40);
    const done = await waitForStatus(small.statusQueryGetUri, 60_000, 50);
    expect(done.runtimeStatus).toBe('Completed');
    expect(done.output).toBe((40 * 39) / 2);

    stall = true;
    const started = await startOrchestration(host.origin, 'fanOut', 30);
    for (let i = 0; i < 600 && refused < 3; i++) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(refused).toBeGreaterThanOrEqual(3);
    const first = host.durable.runtime;
    if (!first) throw new Error('no runtime');
    await first.stop();
    const left = await first.storage.readOutboxes?.(started.id);
    expect(left?.length).toBe(1);

    // A new runtime on the same hub (as after a restart): the guarding message comes back, the outbox is read.
    const storage = await defaultStorageFactory({ env: process.env, hubName: host.hubName, partitionCount: 4 });
    second = new DurableRuntime({
        app: host.host.app as unknown as LoadedApp,
        storage,
        config: {
            ...DEFAULT_DURABLE_CONFIG,
            hubName: host.hubName,
            workItemSendWindow: WINDOW,
            inProcessWorkItems: false,
        },
        logger: silent,
    });
    await second.start();
    const deadline = Date.now() + 60_000;
    let record = await storage.readInstance(started.id);
    while (record?.runtimeStatus !== 'Completed' && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        record = await storage.readInstance(started.id);
    }
    expect(record?.runtimeStatus).toBe('Completed');
    expect(JSON.parse(record?.output ?? 'null')).toBe((30 * 29) / 2);
    // Sent and removed.
    for (let i = 0; i < 50 && ((await storage.readOutboxes?.(started.id))?.length ?? 0) > 0; i++)
        await new Promise((resolve) => setTimeout(resolve, 100));
    expect(await storage.readOutboxes?.(started.id)).toEqual([]);
}, 150_000);
