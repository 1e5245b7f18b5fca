/**
 * Storage calls that are off the critical path (deleting messages already accounted for in history) run when
 * the runtime has no episode or activity in progress, or at the latest after `maxDelayMs`. On Azurite (one
 * process serving every call) they would otherwise compete with the calls a running orchestration waits for.
 * Delaying a delete is always safe: until it happens the message is still hidden by its pop receipt, and if
 * the process dies first it is redelivered and discarded as a duplicate.
 */
export class IdleWorkQueue {
    readonly #isBusy: () => boolean;
    readonly #maxDelayMs: number;
    readonly #queue: Array<{ since: number; run: () => Promise<void>; done: () => void }> = [];
    readonly #running = new Set<Promise<void>>();
    #timer: NodeJS.Timeout | undefined;

    constructor(isBusy: () => boolean, maxDelayMs = 200) {
        this.#isBusy = isBusy;
        this.#maxDelayMs = maxDelayMs;
    }

    get size(): number {
        return this.#queue.length;
    }

    /** Queues the work; the promise settles (never rejects) when it has run. */
    add(run: () => Promise<void>): Promise<void> {
        return new Promise((done) => {
            this.#queue.push({ since: Date.now(), run, done });
            this.#schedule();
        });
    }

    /** Runs everything queued now and waits for it (shutdown). */
    async flush(): Promise<void> {
        clearTimeout(this.#timer);
        this.#timer = undefined;
        this.#runAll();
        await Promise.allSettled([...this.#running]);
    }

    #schedule(): void {
        if (this.#timer || this.#queue.length === 0) return;
        this.#timer = setTimeout(() => {
            this.#timer = undefined;
            const oldest = this.#queue[0];
            if (oldest && (!this.#isBusy() || Date.now() - oldest.since >= this.#maxDelayMs)) this.#runAll();
            this.#schedule();
        }, 5);
        this.#timer.unref();
    }

    #runAll(): void {
        for (const item of this.#queue.splice(0)) {
            const running: Promise<void> = item
                .run()
                .catch(() => undefined)
                .finally(() => {
                    this.#running.delete(running);
                    item.done();
                });
            this.#running.add(running);
        }
    }
}
