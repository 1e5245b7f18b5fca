import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { azuriteConnectionString, uniqueHubName } from './support/storage';

const packageRoot = path.resolve(__dirname, '..');
let workDir: string;
let cliPath: string;

/**
 * Runs the built CLI (`npm test` builds first) as `npm start` does. The fixture app has Durable functions,
 * so the host gets the run's shared Azurite as its storage.
 */
beforeAll(async () => {
    cliPath = path.join(packageRoot, 'dist/cli.js');
    if (!existsSync(cliPath)) throw new Error('dist/cli.js is missing: run `npm run build` first.');
    workDir = await mkdtemp(path.join(tmpdir(), 'devhost-cli-'));
});

afterAll(async () => {
    await rm(workDir, { recursive: true, force: true });
});

async function freePort(): Promise<number> {
    const server = net.createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as net.AddressInfo;
    await new Promise((resolve) => server.close(resolve));
    return port;
}

interface RunningCli {
    child: ChildProcessWithoutNullStreams;
    stdout: () => string;
    stderr: () => string;
    exited: Promise<number | null>;
}

function runCli(args: string[], extraEnv: Record<string, string> = {}): RunningCli {
    const child = spawn(process.execPath, [cliPath, ...args], {
        env: {
            ...process.env,
            // The fixture apps are copied outside the workspace: they find @azure/functions where npm installed it.
            NODE_PATH: path.resolve(createRequire(__filename).resolve('@azure/functions/package.json'), '../../..'),
            AzureWebJobsStorage: azuriteConnectionString(),
            WEBSITE_SITE_NAME: uniqueHubName('Cli'),
            ...extraEnv,
        },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    return { child, stdout: () => stdout, stderr: () => stderr, exited };
}

async function waitFor(check: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!check()) {
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
    }
}

describe('devhost start', () => {
    it('takes the port from local.settings.json, lists functions, serves them, and stops cleanly on SIGTERM', async () => {
        const appDir = path.join(workDir, 'app');
        await cp(path.join(packageRoot, 'test/fixtures/apps/http-cjs'), appDir, { recursive: true });
        const port = await freePort();
        await writeFile(
            path.join(appDir, 'local.settings.json'),
            JSON.stringify({ IsEncrypted: false, Values: { FIXTURE_FROM_FILE: 'cli' }, Host: { LocalHttpPort: port } }),
        );
        const cli = runCli(['start', appDir]);
        await waitFor(() => cli.stdout().includes('Host started:'), 'the ready line');
        expect(cli.stdout()).toContain(`Host started: http://localhost:${port}`);
        expect(cli.stdout()).toContain(`hello: [GET] http://localhost:${port}/api/hello`);
        expect(cli.stdout()).toContain('tick: timerTrigger');
        expect(cli.stderr()).not.toMatch(/'tick'/); // timers are served now, so no warning

        const response = await fetch(`http://127.0.0.1:${port}/api/settings`);
        expect(await response.json()).toMatchObject({ fromFile: 'cli' });

        cli.child.kill('SIGTERM');
        expect(await cli.exited).toBe(0);
        expect(cli.stdout()).toContain('fixture appTerminate hook ran');
    }, 60_000);

    it('reports a port in use in one line and exits 1', async () => {
        const blocker = net.createServer();
        await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
        const { port } = blocker.address() as net.AddressInfo;
        try {
            const cli = runCli([
                'start',
                path.join(packageRoot, 'test/fixtures/apps/http-cjs'),
                '--port',
                String(port),
            ]);
            expect(await cli.exited).toBe(1);
            const lines = cli.stderr().trim().split('\n');
            expect(lines).toHaveLength(1);
            expect(lines[0]).toContain(`Port ${port} is unavailable`);
        } finally {
            await new Promise((resolve) => blocker.close(resolve));
        }
    }, 60_000);

    it('reports unreachable storage in one line and exits 1', async () => {
        const closedPort = await freePort();
        const endpoint = `http://127.0.0.1:${closedPort}/devstoreaccount1`;
        const cli = runCli(
            ['start', path.join(packageRoot, 'test/fixtures/apps/http-cjs'), '--port', String(await freePort())],
            {
                AzureWebJobsStorage:
                    'DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=a2V5;' +
                    `BlobEndpoint=${endpoint};QueueEndpoint=${endpoint};TableEndpoint=${endpoint}`,
            },
        );
        expect(await cli.exited).toBe(1);
        const lines = cli.stderr().trim().split('\n');
        expect(lines).toHaveLength(1);
        expect(lines[0]).toContain('storage is unreachable');
        expect(lines[0]).toContain('AzureWebJobsStorage');
    }, 60_000);

    it('refuses an app with a trigger it cannot run, naming it, and runs it with --allow-unsupported', async () => {
        const appDir = path.join(workDir, 'unsupported-app');
        await cp(path.join(packageRoot, 'test/fixtures/apps/http-cjs'), appDir, { recursive: true });
        await writeFile(
            path.join(appDir, 'functions', 'service-bus.js'),
            "require('@azure/functions').app.serviceBusQueue('onOrder', { connection: 'Bus', queueName: 'orders', handler: () => undefined });\n",
        );
        const refused = runCli(['start', appDir, '--port', String(await freePort())]);
        expect(await refused.exited).toBe(1);
        expect(refused.stderr()).toMatch(/'onOrder'.*'serviceBusTrigger'/);
        expect(refused.stderr()).toContain('--allow-unsupported');

        const port = await freePort();
        const allowed = runCli(['start', appDir, '--port', String(port), '--allow-unsupported']);
        await waitFor(() => allowed.stdout().includes('Host started:'), 'the ready line');
        expect(allowed.stderr()).toMatch(/'onOrder'.*'serviceBusTrigger'/);
        expect((await fetch(`http://127.0.0.1:${port}/api/hello`)).status).toBe(200);
        allowed.child.kill('SIGTERM');
        expect(await allowed.exited).toBe(0);
    }, 60_000);

    it('prints usage for an unknown command', async () => {
        const cli = runCli(['serve']);
        expect(await cli.exited).toBe(2);
        expect(cli.stderr()).toContain('Usage: devhost start [appDir] [--port N]');
    });
});
