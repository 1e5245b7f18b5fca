import path from 'node:path';
import type { HostLogger, LogEntry } from '../../../devhost/contracts/host';

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

export function fixtureAppDir(name: string): string {
    return path.resolve(__dirname, '../../fixtures/apps', name);
}
