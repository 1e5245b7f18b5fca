import type { HostLogger, LogEntry, LogLevel } from '../shared/host-contracts';

const severity: Record<LogLevel, number> = {
    trace: 0,
    debug: 1,
    information: 2,
    warning: 3,
    error: 4,
    critical: 5,
    none: 6,
};

export interface ConsoleLoggerOptions {
    /** Lines below this level are dropped; `information` by default, `debug` with DEVHOST_LOG_LEVEL=debug. */
    minLevel?: LogLevel;
    /** Where lines go; stdout/stderr by default. */
    write?: (line: string, level: LogLevel) => void;
}

function parseLevel(value: string | undefined): LogLevel | undefined {
    const lower = value?.toLowerCase();
    return lower && lower in severity ? (lower as LogLevel) : undefined;
}

/** Lines as `func start` prints them: `[timestamp] message`, errors to stderr. */
export function createConsoleLogger(options: ConsoleLoggerOptions = {}): HostLogger {
    const minLevel = options.minLevel ?? parseLevel(process.env.DEVHOST_LOG_LEVEL) ?? 'information';
    const write =
        options.write ??
        ((line: string, level: LogLevel) => {
            if (severity[level] >= severity.warning) process.stderr.write(`${line}\n`);
            else process.stdout.write(`${line}\n`);
        });
    const log = (entry: LogEntry): void => {
        if (severity[entry.level] < severity[minLevel] || entry.level === 'none') return;
        write(`[${new Date().toISOString()}] ${entry.message}`, entry.level);
    };
    return {
        log,
        info: (message) => log({ level: 'information', category: 'host', message }),
        warn: (message) => log({ level: 'warning', category: 'host', message }),
        error: (message) => log({ level: 'error', category: 'host', message }),
    };
}
