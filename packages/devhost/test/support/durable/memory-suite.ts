/**
 * Test suite: the runtime over an in-memory task hub: dispatch and checkpoint logic observed exactly (calls, leftovers),
 * in the fast path (hidden sends dispatched in-process) and the fallback (plain sends + woken pollers).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
    CheckpointConflictError,
    type HistoryAppend,
} from '../../../src/extensions/durable/task-hub-port/task-hub-storage';
import { EventType } from '../../../src/shared/history';
import { MemoryTaskHub } from '../../../src/testing/memory-task-hub';
import { startDurableHost, startOrchestration, waitForStatus, type DurableTestHost } from './durable-host';

/** One app per process: each mode runs from its own test file. */
export function memoryRuntimeSuite(hiddenSend: boolean): void {
    describe(`runtime over an in-memory hub (${hiddenSend ? 'fast path' : 'fallback'})`, () => {
        let t: DurableTestHost;
        let hub: MemoryTaskHub;

        beforeAll(async () => {
            t = await startDurableHost('basic', {
                createStorage: (request) => {
                    hub = new MemoryTaskHub(request.hubName ?? 'TestHubName', request.partitionCount, hiddenSend);
                    return Promise.resolve(hub);
                },
            });
        });

        afterAll(async () => {
            await t?.close();
        });

        async function settle(): Promise<void> {
            for (let i = 0; i < 100 && hub.messageCount() > 0; i++)
                await new Promise((resolve) => setTimeout(resolve, 10));
        }

        it('completes a 4-activity sequence, deletes every message, and costs a bounded number of calls', async () => {
            await settle();
            const before = { ...hub.calls };
            const check = await startOrchestration(t.origin, 'sequence');
            const status = await waitForStatus(check.statusQueryGetUri, 10_000, 2);
            expect(status.output).toEqual(['Hello, Tokyo!', 'Hello, Seattle!', 'Hello, London!', 'Hello, Cairo!']);
            await settle();
            expect(hub.messageCount()).toBe(0);
            const delta = (op: string): number => (hub.calls[op] ?? 0) - (before[op] ?? 0);
            // 5 episodes, 4 activities: one append + one row per episode, the row reads of the status polls aside.
            expect(delta('appendHistory')).toBe(5);
            // The Pending row + one per episode; fewer when a newer row supersedes one still waiting.
            expect(delta('writeInstance')).toBeGreaterThanOrEqual(2);
            expect(delta('writeInstance')).toBeLessThanOrEqual(6);
            expect(delta('readHistory')).toBe(0); // the new instance was seeded, then cached
            if (hiddenSend) {
                // start + 4 work items; each result rides on its work item in-process, which is deleted after
                // the checkpoint that records it (no result message)
                expect(delta('send')).toBe(5);
                expect(delta('delete')).toBe(5);
            } else {
                // start + 4 work items + 4 results
                expect(delta('send')).toBe(9);
                expect(delta('delete')).toBe(9);
            }
        });

        // Results are handed over in-process only on the fast path, so the fallback suite has no such case.
        if (hiddenSend)
            it('a result handed over in-process survives a lost checkpoint: the activity runs again', async () => {
                await settle();
                const append = hub.appendHistory.bind(hub);
                let rejected = 0;
                // The first checkpoint that records an activity result loses its ETag race.
                hub.appendHistory = (a: HistoryAppend) => {
                    if (rejected > 0 || !a.events.some((e) => e.EventType === EventType.TaskCompleted))
                        return append(a);
                    rejected++;
                    return Promise.reject(new CheckpointConflictError(a.instanceId));
                };
                try {
                    const check = await startOrchestration(t.origin, 'sequence');
                    const status = await waitForStatus(check.statusQueryGetUri, 15_000, 2);
                    expect(status.output).toEqual([
                        'Hello, Tokyo!',
                        'Hello, Seattle!',
                        'Hello, London!',
                        'Hello, Cairo!',
                    ]);
                    expect(rejected).toBe(1);
                    const history = await hub.readHistory(status.instanceId);
                    expect(history.events.filter((e) => e.EventType === EventType.TaskCompleted)).toHaveLength(4);
                    await settle();
                    expect(hub.messageCount()).toBe(0);
                } finally {
                    hub.appendHistory = append;
                }
            });

        it('runs fan-out, timers and failures', async () => {
            const fan = await startOrchestration(t.origin, 'fanOut', 25);
            const timer = await startOrchestration(t.origin, 'timer', 150);
            const failing = await startOrchestration(t.origin, 'failingActivity');
            expect((await waitForStatus(fan.statusQueryGetUri)).output).toBe(300);
            expect((await waitForStatus(timer.statusQueryGetUri)).output).toBe('fired');
            expect((await waitForStatus(failing.statusQueryGetUri)).runtimeStatus).toBe('Failed');
            await settle();
            expect(hub.messageCount()).toBe(0);
        });
    });
}
