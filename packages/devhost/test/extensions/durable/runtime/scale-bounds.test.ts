/**
 * The runtime's costs stay bounded as a fan-out grows: lease renewals do not grow with the
 * time a message waits, storage calls in flight are capped, and a fan-in applies its results in a few episodes
 * instead of one per 32 results.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { MessageLeases } from '../../../../src/extensions/durable/runtime/message-leases';
import { ThrottledStorage } from '../../../../src/extensions/durable/runtime/throttled-storage';
import type {
    ReceivedMessage,
    TaskHubStorage,
} from '../../../../src/extensions/durable/task-hub-port/task-hub-storage';
import type { TaskMessage } from '../../../../src/shared/history';
import { MemoryTaskHub } from '../../../../src/testing/memory-task-hub';
import {
    startDurableHost,
    startOrchestration,
    waitForStatus,
    type DurableTestHost,
    skipOnMemoryHub,
} from '../../../support/durable/durable-host';
import { silentLogger } from '../../../support/host/capture-logger';

function held(id: number): ReceivedMessage {
    return {
        message: {} as TaskMessage,
        queueName: 'q',
        messageId: `m${id}`,
        popReceipt: 'r0',
        dequeueCount: 0,
        insertedOn: new Date(0),
    };
}

/** A storage whose releaseMessage records, per message, until when it is hidden (by the fake clock). */
function leaseRecorder(clock: { now: number }) {
    const hiddenUntil = new Map<string, number>();
    let calls = 0;
    const storage = {
        releaseMessage: (message: ReceivedMessage, seconds: number) => {
            calls++;
            hiddenUntil.set(message.messageId, clock.now + seconds * 1000);
            return Promise.resolve();
        },
    } as unknown as TaskHubStorage;
    return { storage, hiddenUntil, calls: () => calls };
}

/** Holds `count` messages for `seconds` (fake time), checking leases as the timer would; returns renewals. */
async function holdFor(count: number, seconds: number, maxLeaseSeconds: number): Promise<number> {
    const clock = { now: 0 };
    const recorder = leaseRecorder(clock);
    const leases = new MessageLeases(recorder.storage, 15, silentLogger, { maxLeaseSeconds, now: () => clock.now });
    for (let i = 0; i < count; i++) {
        leases.hold(held(i));
        recorder.hiddenUntil.set(`m${i}`, 15_000);
    }
    while (clock.now < seconds * 1000) {
        clock.now += leases.checkIntervalMs;
        leases.renewDue();
        await Promise.resolve();
        await Promise.resolve();
        // Never visible to anyone else while held.
        for (const until of recorder.hiddenUntil.values()) expect(until).toBeGreaterThan(clock.now);
    }
    expect(leases.renewals).toBe(recorder.calls());
    return leases.renewals;
}

describe('message leases', () => {
    it('renew a waiting message a few times, not every few seconds', async () => {
        // Renewing every 5 s (the old scheme) would cost 60 renewals per message over 5 minutes.
        const fiveMinutes = await holdFor(1000, 300, 60);
        expect(fiveMinutes).toBeLessThanOrEqual(8 * 1000);
        // Doubling: a minute costs at most 3 per message, and twice the messages twice the renewals.
        const oneMinute = await holdFor(1000, 60, 60);
        expect(oneMinute).toBeLessThanOrEqual(3 * 1000);
        expect(await holdFor(2000, 60, 60)).toBe(2 * oneMinute);
    });

    it('never grow beyond the maximum (the crash tests keep short leases)', async () => {
        // With the maximum equal to the first lease, a message is renewed every check interval but one.
        const renewals = await holdFor(10, 60, 15);
        expect(renewals).toBeGreaterThanOrEqual(10 * 5);
    });
});

describe('storage concurrency', () => {
    it('keeps at most the configured number of calls in flight and runs them all', async () => {
        const hub = new MemoryTaskHub('Bounded');
        let inFlight = 0;
        let peak = 0;
        const send = hub.sendWorkItem.bind(hub);
        hub.sendWorkItem = async (message: TaskMessage) => {
            inFlight++;
            peak = Math.max(peak, inFlight);
            await new Promise((resolve) => setTimeout(resolve, 1));
            inFlight--;
            return send(message);
        };
        const throttled = new ThrottledStorage(hub, 8);
        const message = (i: number): TaskMessage =>
            ({ Event: {}, SequenceNumber: i, OrchestrationInstance: { InstanceId: 'x', ExecutionId: 'e' } }) as never;
        await Promise.all(Array.from({ length: 500 }, (_, i) => throttled.sendWorkItem(message(i))));
        expect(peak).toBe(8);
        expect(hub.calls.send).toBe(500);
        expect(throttled.waiting).toBe(0);
    });

    it('keeps the optional capabilities of the storage it wraps', () => {
        expect(typeof new ThrottledStorage(new MemoryTaskHub('Hidden'), 4).sendHidden).toBe('function');
        expect(new ThrottledStorage(new MemoryTaskHub('Plain', 4, false), 4).sendHidden).toBeUndefined();
    });
});

describe('a large fan-in on Azurite', () => {
    let host: DurableTestHost | undefined;
    afterEach(async () => {
        await host?.close();
        host = undefined;
    });

    // The results of the fan-out pile up while its checkpoint (400 rows) is written to Azure Storage, so the next
    // episode takes them all. The memory hub writes it at once: the results then come in about 20 smaller
    // episodes (the storage calls stay linear there too, about 30).
    skipOnMemoryHub('the episode count rests on how long Azure Storage takes to write a checkpoint')(
        'completes in a few episodes with storage calls linear in the activities',
        async () => {
            const N = 400;
            let checkpoints = 0;
            host = await startDurableHost('basic', { onCheckpoint: () => void checkpoints++ });
            const stats = (host.durable.runtime?.storage as unknown as { stats: { total: number } }).stats;
            const before = stats.total;
            const started = await startOrchestration(host.origin, 'fanOut', N);
            const status = await waitForStatus(started.statusQueryGetUri, 120_000, 100);
            expect(status.runtimeStatus).toBe('Completed');
            expect(status.output).toBe((N * (N - 1)) / 2);
            // 32 results per episode would need at least N / 32 + 1 = 14 checkpoints (each reports once); every
            // pending result is taken at once.
            expect(checkpoints).toBeLessThan(N / 32);
            // Per activity: its work item's send and delete, and little else (a renewal or two when the box is slow,
            // history, rows, polls).
            await host.close();
            expect(stats.total - before).toBeLessThan(5 * N);
            host = undefined;
        },
        180_000,
    );
});
