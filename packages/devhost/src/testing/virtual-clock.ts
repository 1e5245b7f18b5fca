/**
 * Test time for createTestHost: it stands still until the test moves it (advance) or the host skips ahead
 * to the next thing due while nothing else can happen (test-host.ts), as Temporal's time-skipping test
 * environment does. The engine's episode clock, instance timestamps, timer FireAt and the in-memory task hub's
 * queue visibility all read it, so a three-day timer fires as soon as the test lets three days pass.
 */
export interface TestClock {
    readonly kind: 'virtual' | 'real';
    /** Milliseconds since the epoch. */
    now(): number;
    /** Moves virtual time forward (never back), waking the sleepers it passes; a real clock cannot be moved. */
    advanceTo(ms: number): void;
    /** Resolves once the clock reaches now + ms (a stubbed activity's delay). */
    sleep(ms: number): Promise<void>;
    /** Sleepers not yet woken, and the earliest time one wakes (virtual time skips there when all else is idle). */
    sleeping(): { count: number; nextWake: number | undefined };
}

export function virtualClock(start: Date = new Date()): TestClock {
    let now = start.getTime();
    const sleepers: Array<{ at: number; wake: () => void }> = [];
    return {
        kind: 'virtual',
        now: () => now,
        advanceTo(ms) {
            if (ms > now) now = ms;
            for (const sleeper of sleepers.filter((s) => s.at <= now)) {
                sleepers.splice(sleepers.indexOf(sleeper), 1);
                sleeper.wake();
            }
        },
        sleep(ms) {
            if (ms <= 0) return Promise.resolve();
            return new Promise((wake) => sleepers.push({ at: now + ms, wake }));
        },
        sleeping() {
            const times = sleepers.map((s) => s.at);
            return { count: sleepers.length, nextWake: times.length > 0 ? Math.min(...times) : undefined };
        },
    };
}

export function realClock(): TestClock {
    return {
        kind: 'real',
        now: () => Date.now(),
        advanceTo() {
            throw new Error("Time cannot be moved on a test host with clock: 'real'; use clock: 'virtual'.");
        },
        sleep: (ms) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms))),
        sleeping: () => ({ count: 0, nextWake: undefined }),
    };
}
