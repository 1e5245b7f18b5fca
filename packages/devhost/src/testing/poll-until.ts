/**
 * Polls `read` until `done` holds or `timeoutMs` has passed, and returns the last value read: the caller's
 * assertion on it says what was expected, with what was there instead.
 */
export async function pollUntil<T>(
    read: () => Promise<T>,
    done: (value: T) => boolean,
    timeoutMs = 15_000,
    intervalMs = 50,
): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
        const value = await read();
        if (done(value) || Date.now() > deadline) return value;
        await new Promise((resolve) => setTimeout(resolve, intervalMs));
    }
}
