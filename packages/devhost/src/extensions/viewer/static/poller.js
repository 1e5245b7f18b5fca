// Live updates by polling the devhost's own API: the next poll starts after the previous one has finished, at
// least `intervalMs` later and never sooner than twice the time the last one took (a large task hub slows the
// poll down instead of piling up requests). Hidden tabs poll less.

export function startPolling(task, intervalMs) {
    let stopped = false;
    let timer;
    const run = async () => {
        if (stopped) return;
        const started = performance.now();
        try {
            await task();
        } catch {
            // the task shows its own errors
        }
        if (stopped) return;
        const took = performance.now() - started;
        const wait = Math.max(intervalMs, 2 * took) * (document.hidden ? 5 : 1);
        timer = setTimeout(run, wait);
    };
    timer = setTimeout(run, intervalMs);
    return {
        stop() {
            stopped = true;
            clearTimeout(timer);
        },
    };
}
