/**
 * Runs the durable-functions repository's own `samples-js` app, unchanged, on the devhost and checks what a
 * user of it would check by hand (issue 16): `backupSiteContent` writes one blob per file into `backups`,
 * the `counterEntity` counts when driven by `counterOrchestration` and by HTTP signals, and the other samples
 * end as they do under `func start`. The samples are not copied into this repository (they are upstream
 * code): bring a checkout of https://github.com/Azure/azure-functions-durable-js, `npm install` in its
 * `samples-js`, then
 *
 *   npm run build -w devhost && node packages/devhost/scripts/try-samples-js.mjs /path/to/azure-functions-durable-js/samples-js
 *
 * The devhost runs as `devhost start <dir> --allow-unsupported` (two samples use Twilio output bindings,
 * which it refuses otherwise), against an in-memory Azurite on random ports; the samples' own
 * local.settings.json is not needed (the connection settings come from the environment). Exits 1 on the
 * first check that does not hold.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, mkdir, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { BlobServiceClient } from '@azure/storage-blob';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const samplesDir = path.resolve(process.argv[2] ?? '');
if (!process.argv[2]) {
    console.error('usage: node scripts/try-samples-js.mjs <samples-js directory>');
    process.exit(2);
}

const { startAzurite } = await import(path.join(repoRoot, 'dist/host/local-storage/azurite.js'));

/** A free TCP port on loopback (the devhost's CLI takes a fixed --port). */
function freePort() {
    return new Promise((resolve, reject) => {
        const server = createServer();
        server.once('error', reject);
        server.listen(0, '127.0.0.1', () => {
            const { port } = server.address();
            server.close(() => resolve(port));
        });
    });
}

const failures = [];
function check(what, ok, detail) {
    console.log(`${ok ? 'ok  ' : 'FAIL'} ${what}${detail === undefined ? '' : `: ${JSON.stringify(detail)}`}`);
    if (!ok) failures.push(what);
}

const azurite = await startAzurite({ inMemory: true });
const port = await freePort();
const origin = `http://127.0.0.1:${port}`;
const env = {
    ...process.env,
    AzureWebJobsStorage: azurite.connectionString,
    StorageConnString: azurite.connectionString,
    FUNCTIONS_WORKER_RUNTIME: 'node',
};
const devhost = spawn(
    process.execPath,
    [path.join(repoRoot, 'dist/cli.js'), 'start', samplesDir, '--port', String(port), '--allow-unsupported'],
    { env, stdio: ['ignore', 'pipe', 'pipe'] },
);
let log = '';
devhost.stdout.on('data', (chunk) => (log += chunk));
devhost.stderr.on('data', (chunk) => (log += chunk));

async function waitForHost() {
    const deadline = Date.now() + 30_000;
    while (!log.includes('Host started')) {
        if (devhost.exitCode !== null || Date.now() > deadline) throw new Error(`devhost did not start:\n${log}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
    }
}

/** POSTs the samples' HTTP starter and polls statusQueryGetUri until the instance leaves Pending/Running. */
async function run(orchestrator, input, timeoutMs = 30_000) {
    const started = await fetch(`${origin}/api/orchestrators/${orchestrator}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(input),
    });
    if (started.status !== 202) throw new Error(`${orchestrator}: start answered ${started.status}`);
    const { statusQueryGetUri } = await started.json();
    const deadline = Date.now() + timeoutMs;
    for (;;) {
        const status = await (await fetch(statusQueryGetUri)).json();
        if (!['Pending', 'Running'].includes(status.runtimeStatus) || Date.now() > deadline) return status;
        await new Promise((resolve) => setTimeout(resolve, 200));
    }
}

async function entityState() {
    const response = await fetch(`${origin}/runtime/webhooks/durabletask/entities/counterEntity/myCounter`);
    return response.status === 200 ? response.json() : undefined;
}

try {
    await waitForHost();

    // backupSiteContent: a directory of three files, one of them binary, in a subfolder.
    const site = await mkdtemp(path.join(os.tmpdir(), 'samples-site-'));
    await mkdir(path.join(site, 'sub'));
    const files = {
        'a.txt': Buffer.from('hello\n'),
        'sub/b.bin': Buffer.alloc(5000, 7),
        'sub/c.txt': Buffer.from('x'),
    };
    for (const [name, bytes] of Object.entries(files)) await writeFile(path.join(site, name), bytes);
    const totalBytes = Object.values(files).reduce((sum, bytes) => sum + bytes.length, 0);
    const backup = await run('backupSiteContent', site);
    check(
        'backupSiteContent completes with the byte count',
        backup.runtimeStatus === 'Completed' && backup.output === totalBytes,
        {
            status: backup.runtimeStatus,
            output: backup.output,
        },
    );
    const container = BlobServiceClient.fromConnectionString(azurite.connectionString).getContainerClient('backups');
    const blobs = {};
    for await (const blob of container.listBlobsFlat()) blobs[blob.name] = blob.properties.contentLength;
    const expected = Object.fromEntries(Object.entries(files).map(([name, bytes]) => [name, bytes.length]));
    check(
        'backupSiteContent wrote each file to the backups container',
        JSON.stringify(blobs) === JSON.stringify(expected),
        blobs,
    );

    // counter: the orchestration adds 1 while the count is under 10; HTTP signals add directly.
    const before = (await entityState()) ?? 0;
    for (let i = 0; i < 3; i++) await run('counterOrchestration', {});
    const afterOrchestrations = await entityState();
    check('counterOrchestration counts through callEntity', afterOrchestrations === before + 3, afterOrchestrations);
    await fetch(`${origin}/runtime/webhooks/durabletask/entities/counterEntity/myCounter?op=add`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '5',
    });
    let afterSignal;
    for (let i = 0; i < 50 && afterSignal !== afterOrchestrations + 5; i++) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        afterSignal = await entityState();
    }
    check('a signal over the HTTP API adds to the counter', afterSignal === afterOrchestrations + 5, afterSignal);

    // The samples that need nothing from outside end as they do under func start.
    const expectations = {
        helloSequence: (s) => s.runtimeStatus === 'Completed' && s.output?.length === 3,
        sayHelloWithActivity: (s) => s.runtimeStatus === 'Completed' && s.output === 'Hello x',
        sayHelloWithSubOrchestrator: (s) => s.runtimeStatus === 'Completed' && s.output === 'Hello x',
        sayHelloWithCustomStatus: (s) => s.runtimeStatus === 'Completed' && s.customStatus === 'Hello x',
        callActivityWithRetry: (s) => s.runtimeStatus === 'Completed',
        callSubOrchestratorWithRetry: (s) => s.runtimeStatus === 'Completed',
        throwsErrorInLine: (s) => s.runtimeStatus === 'Failed' && String(s.output).includes('does what it says'),
        cancelTimer: (s) => s.runtimeStatus === 'Completed',
        // Twilio is not a binding the devhost has: the activity fails naming it, and so does the instance.
        smsPhoneVerification: (s) => s.runtimeStatus === 'Failed' && String(s.output).includes("'twilioSms'"),
    };
    for (const [name, holds] of Object.entries(expectations)) {
        const status = await run(name, name === 'smsPhoneVerification' ? '+15555550100' : 'x');
        check(name, holds(status), { status: status.runtimeStatus, output: status.output });
    }
} catch (error) {
    failures.push(String(error));
    console.error(error);
} finally {
    devhost.kill('SIGTERM');
    await new Promise((resolve) => devhost.once('exit', resolve));
    await azurite.stop();
}
if (failures.length) {
    console.error(`\n${failures.length} check(s) failed. devhost log:\n${log}`);
    process.exit(1);
}
console.log('\nsamples-js runs unchanged on the devhost.');
