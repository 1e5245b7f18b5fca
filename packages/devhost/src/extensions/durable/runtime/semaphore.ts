/** A counting semaphore: bounds concurrent episodes / activity invocations (host.json maxConcurrent*). */
export class Semaphore {
    #available: number;
    readonly #waiters: Array<() => void> = [];

    constructor(readonly capacity: number) {
        this.#available = capacity;
    }

    get available(): number {
        return this.#available;
    }

    get inUse(): number {
        return this.capacity - this.#available;
    }

    /** Callers queued in acquire(). */
    get waiting(): number {
        return this.#waiters.length;
    }

    tryAcquire(): boolean {
        if (this.#available <= 0) return false;
        this.#available--;
        return true;
    }

    release(): void {
        const next = this.#waiters.shift();
        // Hand the slot straight to a waiter so tryAcquire callers cannot starve it.
        if (next) next();
        else this.#available++;
    }

    acquire(): Promise<void> {
        if (this.tryAcquire()) return Promise.resolve();
        return new Promise((resolve) => this.#waiters.push(resolve));
    }
}
