/**
 * Entity critical sections end to end on the devhost (docs/protocol.md §14): the real durable-functions SDK's
 * context.df.lock over the task hub in Azurite, with the `locks` fixture app (an `account` entity, a `transfer`
 * orchestrator that checks and moves money under a lock on both accounts).
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { pollUntil } from '../../../../src/testing/poll-until';
import {
    postJson,
    useDurableHost,
    startOrchestration,
    waitForStatus,
    waitUntil,
    WEBHOOK,
} from '../../../support/durable/durable-host';
import { testFetch } from '../../../support/in-memory-fetch';

const t = useDurableHost('locks');

async function balance(key: string): Promise<number | undefined> {
    const response = await testFetch(`${t.origin}${WEBHOOK}/entities/account/${encodeURIComponent(key)}`);
    if (response.status === 404) {
        await response.body?.cancel();
        return undefined;
    }
    return (await response.json()) as number;
}

/** The entity answers before its state is written: a read right after may lag, so poll for the balance. */
async function balanceUntil(key: string, expected: number): Promise<void> {
    expect(
        await pollUntil(
            () => balance(key),
            (current) => current === expected,
            10_000,
            20,
        ),
    ).toBe(expected);
}

interface TransferResult {
    moved: boolean;
    fromBalance: number;
    toBalance: number;
}

describe('entity critical sections', () => {
    it('ten concurrent transfers under lock(from, to) keep the sum, never overdraw, and account for every move', async () => {
        const a = `a-${randomUUID()}`;
        const b = `b-${randomUUID()}`;
        expect((await postJson(`${t.origin}${WEBHOOK}/entities/account/${a}?op=deposit`, 100)).status).toBe(202);
        await balanceUntil(a, 100);
        // Seven of 30 from a, three of 10 back: checked outside a lock, every one of the seven would see 100.
        const transfers = [
            ...Array.from({ length: 7 }, () => ({ from: a, to: b, amount: 30 })),
            ...Array.from({ length: 3 }, () => ({ from: b, to: a, amount: 10 })),
        ];
        const started = await Promise.all(transfers.map((input) => startOrchestration(t.origin, 'transfer', input)));
        const statuses = await Promise.all(started.map((s) => waitForStatus(s.statusQueryGetUri, 60_000)));
        expect(statuses.map((s) => s.runtimeStatus)).toEqual(transfers.map(() => 'Completed'));
        const results = statuses.map((s) => s.output as TransferResult);

        const movedOut = results.filter((r, i) => r.moved && transfers[i]?.from === a).length;
        const movedBack = results.filter((r, i) => r.moved && transfers[i]?.from === b).length;
        // The entity answers before its checkpoint settles: the state the HTTP API reads may lag a moment.
        await balanceUntil(a, 100 - 30 * movedOut + 10 * movedBack);
        await balanceUntil(b, 30 * movedOut - 10 * movedBack);
        const finalA = await balance(a);
        const finalB = await balance(b);
        expect((finalA ?? 0) + (finalB ?? 0)).toBe(100);
        // Every balance any transfer read, and the final ones, are never negative; a refusal saw too little.
        for (const r of results) {
            expect(r.fromBalance).toBeGreaterThanOrEqual(0);
            expect(r.toBalance).toBeGreaterThanOrEqual(0);
        }
        results.forEach((r, i) => expect(r.moved).toBe(r.fromBalance >= (transfers[i]?.amount ?? 0)));
        expect(finalA).toBeGreaterThanOrEqual(0);
        expect(finalB ?? 0).toBeGreaterThanOrEqual(0);
        // At most three of 30 fit in 100 before money comes back: the lock did exclude.
        expect(movedOut).toBeGreaterThanOrEqual(3);
        expect(movedOut).toBeLessThan(7);
    }, 90_000);

    it("a terminated lock holder's lock is released: a second orchestration's lock on the entity then completes", async () => {
        const key = `held-${randomUUID()}`;
        const holder = await startOrchestration(t.origin, 'holdLock', key);
        await waitUntil(holder.statusQueryGetUri, (s) => s.customStatus === 'locked');
        // While the holder runs, a second lock on the same entity waits.
        const second = await startOrchestration(t.origin, 'lockAndReturn', key);
        await new Promise((resolve) => setTimeout(resolve, 500));
        expect((await waitUntil(second.statusQueryGetUri, () => true)).runtimeStatus).toBe('Running');

        expect((await postJson(holder.terminatePostUri.replace('{text}', 'stop'))).status).toBe(202);
        expect((await waitForStatus(holder.statusQueryGetUri)).runtimeStatus).toBe('Terminated');
        const done = await waitForStatus(second.statusQueryGetUri, 20_000);
        expect(done.runtimeStatus).toBe('Completed');
        expect(done.output).toEqual([key]);
    }, 40_000);

    it('an orchestration that returns holding its lock releases it, so the next lock completes', async () => {
        const key = `kept-${randomUUID()}`;
        const first = await waitForStatus((await startOrchestration(t.origin, 'lockAndReturn', key)).statusQueryGetUri);
        expect(first.runtimeStatus).toBe('Completed');
        const next = await waitForStatus(
            (await startOrchestration(t.origin, 'lockAndReturn', key)).statusQueryGetUri,
            20_000,
        );
        expect(next.runtimeStatus).toBe('Completed');
    }, 40_000);

    it("fails an orchestration that calls an unlocked entity inside a lock with the SDK's message", async () => {
        const status = await waitForStatus(
            (await startOrchestration(t.origin, 'callUnlocked', `rules-${randomUUID()}`)).statusQueryGetUri,
        );
        expect(status.runtimeStatus).toBe('Failed');
        expect(String(status.output)).toContain(
            'Cannot call an entity from within a critical section unless it is one of the locked entities.',
        );
    });
});
