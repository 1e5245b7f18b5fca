/**
 * What the runtime does when its hub lock may be gone (storage/hub-lock.ts tells it): while the lock has
 * lapsed it takes no new work, and goes on once the lock is renewed again; once another process holds the
 * hub it never works on it again. The lock's events are driven by hand here; the lock itself is tested in
 * test/extensions/durable/azure-storage/hub-lock.test.ts.
 */
import path from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createTaskHubStorage, parseConnectionString } from '../../../../src/extensions/durable/azure-storage';
import { durableConfigFromHostJson } from '../../../../src/extensions/durable/runtime/durable-config';
import { DurableRuntime } from '../../../../src/extensions/durable/runtime/durable-runtime';
import type { HubLockEvents, TaskHubStorage } from '../../../../src/extensions/durable/task-hub-port/task-hub-storage';
import { loadApp } from '../../../../src/host/worker/load-app';
import type { LoadedApp, LogEntry } from '../../../../src/shared/host-contracts';
import { pollUntil } from '../../../../src/testing/poll-until';
import { captureLogger, FIXTURES } from '../../../support/durable/durable-host';
import { withOverrides } from '../../../support/durable/storage-overrides';
import { azuriteConnectionString, uniqueHubName } from '../../../support/storage';

let app: LoadedApp;
let runtime: DurableRuntime | undefined;
const logs: LogEntry[] = [];

beforeAll(async () => {
    process.env.AzureWebJobsStorage = azuriteConnectionString();
    process.env.FIXTURE_HUB = 'Unused';
    app = await loadApp(path.join(FIXTURES, 'basic'), { env: process.env });
});

afterEach(async () => {
    await runtime?.stop();
    runtime = undefined;
});

/** A runtime on real storage whose hub lock is a stand-in: the test says when it lapses, comes back or is lost. */
async function runtimeWithHandOperatedLock(): Promise<{
    runtime: DurableRuntime;
    lock: HubLockEvents;
    storage: TaskHubStorage;
}> {
    const hubName = uniqueHubName('LockLoss');
    const storage = createTaskHubStorage({ connection: parseConnectionString(azuriteConnectionString()), hubName });
    let lock: HubLockEvents | undefined;
    const withHandLock = withOverrides(storage, {
        acquireHubLock: (events: HubLockEvents) => {
            lock = events;
            return Promise.resolve({ previousHandedOver: false, release: () => Promise.resolve() });
        },
    });
    const started = new DurableRuntime({
        app,
        storage: withHandLock,
        config: { ...durableConfigFromHostJson(app.hostJson, process.env), hubName, maxQueuePollingIntervalMs: 200 },
        logger: captureLogger(logs),
    });
    await started.start();
    runtime = started;
    if (!lock) throw new Error('the runtime took no hub lock');
    return { runtime: started, lock, storage };
}

async function statusAfter(storage: TaskHubStorage, id: string, ms: number): Promise<string | undefined> {
    await new Promise((resolve) => setTimeout(resolve, ms));
    return (await storage.readInstance(id))?.runtimeStatus;
}

async function completes(storage: TaskHubStorage, id: string): Promise<boolean> {
    const row = await pollUntil(
        () => storage.readInstance(id),
        (r) => r?.runtimeStatus === 'Completed',
        10_000,
    );
    return row?.runtimeStatus === 'Completed';
}

describe('losing the hub lock', () => {
    it('takes no new work while the lock has lapsed, and goes on once it is held again', async () => {
        const { runtime: rt, lock, storage } = await runtimeWithHandOperatedLock();
        lock.onLapsed(new Error('renewal timed out'));
        await rt.client.startNew('sequence', { instanceId: 'during-lapse' });
        expect(await statusAfter(storage, 'during-lapse', 1_500)).toBe('Pending');
        lock.onRegained();
        expect(await completes(storage, 'during-lapse')).toBe(true);
        expect(logs.some((e) => e.message.includes('takes no new work until it holds the hub again'))).toBe(true);
    });

    it('never works on the hub again once another process holds it', async () => {
        const { runtime: rt, lock, storage } = await runtimeWithHandOperatedLock();
        lock.onLost(new Error('LeaseIdMismatchWithLeaseOperation'), 'pid 77 on another-machine');
        await rt.client.startNew('sequence', { instanceId: 'after-loss' });
        lock.onRegained();
        expect(await statusAfter(storage, 'after-loss', 2_000)).toBe('Pending');
        expect(
            logs.some((e) => e.level === 'error' && e.message.includes('was taken over by pid 77 on another-machine')),
        ).toBe(true);
    });
});
