import { spawn, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';

/** The well-known development account that Azurite and `UseDevelopmentStorage=true` use. */
export const DEV_ACCOUNT_NAME = 'devstoreaccount1';
export const DEV_ACCOUNT_KEY =
    'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';
export const DEFAULT_AZURITE_PORTS = { blob: 10000, queue: 10001, table: 10002 } as const;

export interface AzuritePorts {
    blob: number;
    queue: number;
    table: number;
}

export interface AzuriteOptions {
    /** Keep data in memory (tests) instead of under `location` (npm start). */
    inMemory?: boolean;
    /** Folder for persisted state when not in memory. */
    location?: string;
    /** 0 asks the OS for a free port. Defaults to 0 for each service. */
    ports?: Partial<AzuritePorts>;
    host?: string;
}

export interface RunningAzurite {
    ports: AzuritePorts;
    /** The Azurite child process (benchmarks read its CPU time from /proc). */
    pid: number | undefined;
    connectionString: string;
    stop(): Promise<void>;
}

export function connectionStringFor(ports: AzuritePorts, host = '127.0.0.1'): string {
    const base = `http://${host}`;
    return [
        'DefaultEndpointsProtocol=http',
        `AccountName=${DEV_ACCOUNT_NAME}`,
        `AccountKey=${DEV_ACCOUNT_KEY}`,
        `BlobEndpoint=${base}:${ports.blob}/${DEV_ACCOUNT_NAME}`,
        `QueueEndpoint=${base}:${ports.queue}/${DEV_ACCOUNT_NAME}`,
        `TableEndpoint=${base}:${ports.table}/${DEV_ACCOUNT_NAME}`,
    ].join(';');
}

/** Resolves Azurite's entry script from this project's node_modules (no global install, no download). */
function azuriteEntry(): string {
    const require = createRequire(__filename);
    const pkgJson = require.resolve('azurite/package.json');
    return path.join(path.dirname(pkgJson), 'dist', 'src', 'azurite.js');
}

const LISTENING = /Azurite (Blob|Queue|Table) service is successfully listening at http:\/\/[^:]+:(\d+)/;

/**
 * Starts Azurite as a child process and resolves once all three services listen. Azurite prints the port
 * it actually bound, which is how random ports (0) become a connection string.
 * `--skipApiVersionCheck` lets newer SDKs talk to it; `--disableTelemetry` keeps it off the network;
 * `--silent` turns off its access log (a line per request that nobody reads: formatting it cost Azurite CPU,
 * and reading the pipe cost the host's).
 */
export async function startAzurite(options: AzuriteOptions = {}): Promise<RunningAzurite> {
    const host = options.host ?? '127.0.0.1';
    const args = [
        azuriteEntry(),
        '--skipApiVersionCheck',
        '--disableTelemetry',
        '--loose',
        '--silent',
        '--blobHost',
        host,
        '--queueHost',
        host,
        '--tableHost',
        host,
        '--blobPort',
        String(options.ports?.blob ?? 0),
        '--queuePort',
        String(options.ports?.queue ?? 0),
        '--tablePort',
        String(options.ports?.table ?? 0),
    ];
    if (options.inMemory ?? !options.location) args.push('--inMemoryPersistence');
    else if (options.location) args.push('--location', options.location);

    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const ports: Partial<AzuritePorts> = {};
    let output = '';

    await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => fail(new Error(`Azurite did not start within 30 s:\n${output}`)), 30_000);
        const fail = (err: Error): void => {
            clearTimeout(timer);
            child.kill('SIGKILL');
            reject(err);
        };
        const onData = (chunk: Buffer): void => {
            output += chunk.toString();
            for (const line of chunk.toString().split('\n')) {
                const m = LISTENING.exec(line);
                if (m?.[1] && m[2]) ports[m[1].toLowerCase() as keyof AzuritePorts] = Number(m[2]);
            }
            if (ports.blob && ports.queue && ports.table) {
                clearTimeout(timer);
                resolve();
            }
        };
        child.stdout?.on('data', onData);
        child.stderr?.on('data', (c: Buffer) => (output += c.toString()));
        child.once('exit', (code) => fail(new Error(`Azurite exited early (code ${code}):\n${output}`)));
        child.once('error', fail);
    });
    child.removeAllListeners('exit');
    // Keep draining its output so a chatty Azurite never blocks on a full pipe, without keeping it.
    child.stdout?.removeAllListeners('data');
    child.stderr?.removeAllListeners('data');
    child.stdout?.resume();
    child.stderr?.resume();

    const bound = ports as AzuritePorts;
    return {
        ports: bound,
        pid: child.pid,
        connectionString: connectionStringFor(bound, host),
        stop: () => stopChild(child),
    };
}

function stopChild(child: ChildProcess): Promise<void> {
    if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
    return new Promise((resolve) => {
        const kill = setTimeout(() => child.kill('SIGKILL'), 5_000);
        child.once('exit', () => {
            clearTimeout(kill);
            resolve();
        });
        child.kill('SIGTERM');
    });
}
