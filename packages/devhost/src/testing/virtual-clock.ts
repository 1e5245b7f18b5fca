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
    /** Moves virtual time forward (never back); a real clock cannot be moved. */
    advanceTo(ms: number): void;
}

export function virtualClock(start: Date = new Date()): TestClock {
    let now = start.getTime();
    return {
        kind: 'virtual',
        now: () => now,
        advanceTo(ms) {
            if (ms > now) now = ms;
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
    };
}
