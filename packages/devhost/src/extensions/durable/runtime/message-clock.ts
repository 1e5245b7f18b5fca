/**
 * Timestamps for client messages that never repeat within this process: the clock's time, moved on by one
 * 100 ns tick when two messages fall in the same millisecond. A raised event is identified by its name, data
 * and timestamp (engine/intake.ts), so two approvers posting the same answer in one millisecond must get two
 * timestamps, as they would from DTFx's DateTime.UtcNow (100 ns resolution).
 */
const TICKS_PER_MS = 10_000;

export interface MessageStamp {
    now: Date;
    /** 100 ns ticks within the millisecond (0-9999). */
    ticks: number;
}

export class MessageClock {
    readonly #clock: () => Date;
    // Milliseconds and ticks apart: ms × 10,000 is past Number.MAX_SAFE_INTEGER.
    #lastMs = -1;
    #lastTicks = 0;

    constructor(clock: () => Date) {
        this.#clock = clock;
    }

    next(): MessageStamp {
        const ms = this.#clock().getTime();
        if (ms > this.#lastMs) {
            this.#lastMs = ms;
            this.#lastTicks = 0;
        } else if (this.#lastTicks < TICKS_PER_MS - 1) {
            this.#lastTicks++;
        } else {
            this.#lastMs++;
            this.#lastTicks = 0;
        }
        return { now: new Date(this.#lastMs), ticks: this.#lastTicks };
    }
}
