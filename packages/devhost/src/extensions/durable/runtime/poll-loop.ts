/**
 * A queue poller with the provider's randomized exponential back-off (BackoffPollingHelper: from 50 ms up to
 * maxQueuePollingInterval, ±20 %). Any received message, or a `wake()` from an enqueue in this process,
 * resets the back-off and polls at once, so local work never waits for a sleeping poller.
 */
export interface PollLoopOptions {
    name: string;
    minDelayMs?: number;
    maxDelayMs: number;
    /** Receives and hands over messages; returns how many arrived, or 'busy' to retry soon without backing off. */
    poll: () => Promise<number | 'busy'>;
    onError: (error: unknown) => void;
    random?: () => number;
}

export class PollLoop {
    readonly #options: PollLoopOptions;
    readonly #minDelay: number;
    #delay: number;
    #running = false;
    #sleepTimer: NodeJS.Timeout | undefined;
    #wakeSleeper: (() => void) | undefined;
    #wakeRequested = false;
    /** Loops still running: one from before a stop may still be inside a poll. */
    readonly #loops = new Set<Promise<void>>();
    /** Each start begins a new loop; a loop left over from before a stop ends at its next turn. */
    #generation = 0;

    constructor(options: PollLoopOptions) {
        this.#options = options;
        this.#minDelay = options.minDelayMs ?? 50;
        this.#delay = this.#minDelay;
    }

    start(): void {
        if (this.#running) return;
        this.#running = true;
        const loop = this.#run(++this.#generation).finally(() => this.#loops.delete(loop));
        this.#loops.add(loop);
    }

    /** Resets the back-off and polls now (or right after the poll in progress). */
    wake(): void {
        this.#delay = this.#minDelay;
        this.#wakeRequested = true;
        this.#wakeSleeper?.();
    }

    /** Resolves once no loop is left: no poll of this poller hands over anything after it. */
    async stop(): Promise<void> {
        this.#running = false;
        this.#wakeSleeper?.();
        await Promise.all([...this.#loops]);
    }

    async #run(generation: number): Promise<void> {
        const current = (): boolean => this.#running && generation === this.#generation;
        while (current()) {
            this.#wakeRequested = false;
            let result: number | 'busy';
            try {
                result = await this.#options.poll();
            } catch (error) {
                this.#options.onError(error);
                result = 0;
            }
            if (!current()) break;
            if (result === 'busy') {
                await this.#sleep(this.#minDelay);
            } else if (result > 0) {
                this.#delay = this.#minDelay;
            } else if (!this.#wakeRequested) {
                await this.#sleep(this.#jittered(this.#delay));
                this.#delay = Math.min(this.#delay * 2, this.#options.maxDelayMs);
            }
        }
    }

    #jittered(delay: number): number {
        const random = this.#options.random ?? Math.random;
        return Math.min(this.#options.maxDelayMs, Math.round(delay * (0.8 + 0.4 * random())));
    }

    #sleep(ms: number): Promise<void> {
        if (this.#wakeRequested || !this.#running) return Promise.resolve();
        return new Promise((resolve) => {
            const done = (): void => {
                clearTimeout(this.#sleepTimer);
                this.#sleepTimer = undefined;
                this.#wakeSleeper = undefined;
                resolve();
            };
            this.#wakeSleeper = done;
            this.#sleepTimer = setTimeout(done, ms);
        });
    }
}
