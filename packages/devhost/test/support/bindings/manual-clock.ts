import type { TriggerClock } from '../../../src/extensions/storage-bindings/trigger-clock';

/** A clock that moves only when the test says so; due callbacks run as it passes them. */
export class ManualClock implements TriggerClock {
    #now: number;
    #pending: { when: number; callback: () => void }[] = [];
    constructor(start: Date) {
        this.#now = start.getTime();
    }
    now(): Date {
        return new Date(this.#now);
    }
    at(when: Date, callback: () => void): () => void {
        const entry = { when: when.getTime(), callback };
        this.#pending.push(entry);
        return () => (this.#pending = this.#pending.filter((e) => e !== entry));
    }
    advance(ms: number): void {
        const target = this.#now + ms;
        for (;;) {
            const due = this.#pending.filter((e) => e.when <= target).sort((a, b) => a.when - b.when)[0];
            if (!due) break;
            this.#pending = this.#pending.filter((e) => e !== due);
            this.#now = due.when;
            due.callback();
        }
        this.#now = target;
    }

    advanceTo(iso: string): void {
        this.advance(Date.parse(iso) - this.#now);
    }
}
