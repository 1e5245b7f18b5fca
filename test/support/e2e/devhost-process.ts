import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import net from 'node:net';
import path from 'node:path';

export const repoRoot = path.resolve(__dirname, '../../..');
/** The devhost workspace package: its CLI as built, and its fixture apps. */
export const devhostRoot = path.dirname(createRequire(__filename).resolve('devhost/package.json'));
const cliPath = path.join(devhostRoot, 'dist/cli.js');

export interface DevhostProcess {
    origin: string;
    output(): string;
    /** SIGINT (what Ctrl-C sends) and wait for the exit code. */
    stop(signal?: NodeJS.Signals): Promise<number | null>;
}

export async function freePort(): Promise<number> {
    const server = net.createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as net.AddressInfo;
    await new Promise((resolve) => server.close(resolve));
    return port;
}

/**
 * Starts the built devhost CLI exactly as `npm start` runs it (`devhost start <appDir>`, the workspace package's dist/cli.js),
 * on its own port, and resolves at its ready line. `env` adds to (or, with undefined, removes from) the
 * inherited environment.
 */
export async function startDevhost(options: {
    appDir?: string;
    port?: number;
    env: Record<string, string | undefined>;
    /** Extra `devhost start` options, e.g. `--enable-auth`. */
    args?: readonly string[];
    readyTimeoutMs?: number;
}): Promise<DevhostProcess> {
    if (!existsSync(cliPath)) throw new Error(`${cliPath} is missing: run \`npm run build:devhost\` first.`);
    const port = options.port ?? (await freePort());
    const env: NodeJS.ProcessEnv = { ...process.env };
    for (const [name, value] of Object.entries(options.env)) {
        if (value === undefined) delete env[name];
        else env[name] = value;
    }
    const child: ChildProcessWithoutNullStreams = spawn(
        process.execPath,
        [cliPath, 'start', options.appDir ?? repoRoot, '--port', String(port), ...(options.args ?? [])],
        { env },
    );
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));

    const deadline = Date.now() + (options.readyTimeoutMs ?? 30_000);
    while (!output.includes('Host started:')) {
        if (child.exitCode !== null) throw new Error(`devhost exited with ${child.exitCode}:\n${output}`);
        if (Date.now() > deadline) {
            child.kill('SIGKILL');
            throw new Error(`devhost did not start in time:\n${output}`);
        }
        await new Promise((resolve) => setTimeout(resolve, 50));
    }
    return {
        origin: `http://127.0.0.1:${port}`,
        output: () => output,
        stop: async (signal = 'SIGINT') => {
            if (child.exitCode === null) child.kill(signal);
            return exited;
        },
    };
}

export interface StatusPayload {
    runtimeStatus: string;
    output: unknown;
    customStatus?: unknown;
    input: unknown;
    name: string;
    instanceId: string;
}

/** Polls a statusQueryGetUri the way a client does, until the instance leaves Pending/Running. */
export async function pollUntilDone(statusQueryGetUri: string, timeoutMs = 20_000): Promise<StatusPayload> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
        const response = await fetch(statusQueryGetUri);
        const body = (await response.json()) as StatusPayload;
        if (response.status === 200) return body;
        if (response.status !== 202)
            throw new Error(`status query answered ${response.status}: ${JSON.stringify(body)}`);
        if (Date.now() > deadline) throw new Error(`instance still ${body.runtimeStatus} after ${timeoutMs} ms`);
        await new Promise((resolve) => setTimeout(resolve, 25));
    }
}
