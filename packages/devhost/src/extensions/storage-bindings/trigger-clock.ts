/** Time for triggers, injectable so tests decide when a schedule comes due instead of waiting for it. */
export interface TriggerClock {
    now(): Date;
    /** Calls `callback` at `when` (or at once if it has passed); returns a cancel function. */
    at(when: Date, callback: () => void): () => void;
}

/** setTimeout waits at most 2^31-1 ms, so a far-away time is reached in hops. */
const MAX_TIMEOUT_MS = 2_147_483_647;

export const systemClock: TriggerClock = {
    now: () => new Date(),
    at(when, callback) {
        let timer: NodeJS.Timeout | undefined;
        const arm = (): void => {
            const wait = when.getTime() - Date.now();
            timer = setTimeout(wait > MAX_TIMEOUT_MS ? arm : callback, Math.max(0, Math.min(wait, MAX_TIMEOUT_MS)));
            timer.unref();
        };
        arm();
        return () => clearTimeout(timer);
    },
};
