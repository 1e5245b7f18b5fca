import type { HostLogger, LogEntry } from '../shared/host-contracts';

/** A HostLogger that keeps every entry, for asserting on what the host and the app logged. */
export function captureLogger(): HostLogger & { readonly entries: LogEntry[] } {
    const entries: LogEntry[] = [];
    const log = (entry: LogEntry): void => {
        entries.push(entry);
    };
    return {
        entries,
        log,
        info: (message) => log({ level: 'information', category: 'host', message }),
        warn: (message) => log({ level: 'warning', category: 'host', message }),
        error: (message) => log({ level: 'error', category: 'host', message }),
    };
}

/** A HostLogger that drops everything, for tests that read what the host did, not what it said. */
export const silentLogger: HostLogger = {
    log: () => undefined,
    info: () => undefined,
    warn: () => undefined,
    error: () => undefined,
};

/** A HostLogger that appends every entry to `logs`, the caller's array (host messages as category `system`). */
export function loggingInto(logs: LogEntry[]): HostLogger {
    return {
        log: (entry) => logs.push(entry),
        info: (message) => logs.push({ level: 'information', category: 'system', message }),
        warn: (message) => logs.push({ level: 'warning', category: 'system', message }),
        error: (message) => logs.push({ level: 'error', category: 'system', message }),
    };
}
