/* eslint-disable import-x/order -- the fake @azure/functions-core must be installed before any other import runs. */
/**
 * How a `Task.all` over N activities scales on the devhost: wall time, peak memory, storage calls, episodes.
 *
 * Each size runs in its own child process (a fresh devhost and a fresh in-memory Azurite), so one size's
 * memory and leftovers do not colour the next. The app is the `basic` fixture's `fanOut` orchestration
 * (N `echo` activities in one Task.all, then a sum), started over real HTTP through the Durable HTTP API.
 * Completion is observed at the checkpoint that writes `Completed`. Prints one JSON document; asserts nothing
 * (timings depend on the machine).
 *
 *   npm run bench                                   # order latency, then fan-outs of 100, 1,000, 10,000
 *   BENCH_FAN_OUT_SIZES=100,1000 node dist/bench/fan-out.js
 *   BENCH_FAN_OUT_TIMEOUT_S=120                     # give up on a size after this long (default 600)
 */
import { installCoreModule } from '../src/host/worker/core-module';
installCoreModule();

import { fork } from 'node:child_process';
import path from 'node:path';
import { createDurableExtension } from '../src/extensions/durable/extension';
import type { InstanceRecord } from '../src/extensions/durable/task-hub-port/task-hub-storage';
import { startAzurite } from '../src/host/local-storage/azurite';
import { startHost } from '../src/host/start-host';
import type { HostLogger } from '../src/shared/host-contracts';

const repoRoot = path.resolve(__dirname, '../..');
const APP_DIR = path.join(repoRoot, 'test/fixtures/durable-apps/basic');
const SIZES = (process.env.BENCH_FAN_OUT_SIZES ?? '100,1000,10000').split(',').map(Number);
const TIMEOUT_S = Number(process.env.BENCH_FAN_OUT_TIMEOUT_S ?? 600);

interface StatsLike {
    total: number;
    toJSON(): unknown;
}

interface SizeResult {
    activities: number;
    completed: boolean;
    wallMs?: number;
    activitiesPerSecond?: number;
    peakRssMb?: number;
    peakHeapUsedMb?: number;
    storageCalls?: unknown;
    storageCallsPerActivity?: number;
    checkpoints?: number;
    warnings?: number;
    error?: string;
}

const mb = (bytes: number): number => Number((bytes / 1024 / 1024).toFixed(1));

/** Child: one fan-out of `size` activities; sends its SizeResult to the parent. */
async function runOne(size: number): Promise<SizeResult> {
    const azurite = await startAzurite({ inMemory: true });
    process.env.AzureWebJobsStorage = azurite.connectionString;
    process.env.FIXTURE_HUB = `Fan${size}${Date.now().toString(36)}`;
    let warnings = 0;
    const logger: HostLogger = {
        log: () => undefined,
        info: () => undefined,
        warn: (m) => {
            warnings++;
            if (process.env.BENCH_VERBOSE) console.error(`warn: ${m}`);
        },
        error: (m) => console.error(m),
    };
    let checkpoints = 0;
    let resolveDone: (record: InstanceRecord) => void = () => undefined;
    const done = new Promise<InstanceRecord>((resolve) => (resolveDone = resolve));
    const extension = createDurableExtension({
        onCheckpoint: (record) => {
            checkpoints++;
            if (process.env.BENCH_VERBOSE)
                console.error(
                    `checkpoint ${checkpoints} ${record.runtimeStatus} at ${performance.now().toFixed(0)} ms`,
                );
            if (record.runtimeStatus !== 'Running' && record.runtimeStatus !== 'Pending') resolveDone(record);
        },
    });
    const host = await startHost({ appDir: APP_DIR, port: 0, extensions: [extension], logger, allowUnsupported: true });
    const stats = (extension.runtime?.storage as unknown as { stats?: StatsLike }).stats;
    const before = stats?.total ?? 0;

    let peakRss = process.memoryUsage().rss;
    let peakHeap = process.memoryUsage().heapUsed;
    const sampler = setInterval(() => {
        const usage = process.memoryUsage();
        peakRss = Math.max(peakRss, usage.rss);
        peakHeap = Math.max(peakHeap, usage.heapUsed);
    }, 50);

    const t0 = performance.now();
    if (process.env.BENCH_VERBOSE) console.error(`start at ${t0.toFixed(0)} ms`);
    const response = await fetch(`${host.origin}/runtime/webhooks/durabletask/orchestrators/fanOut`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify(size),
    });
    if (response.status !== 202) throw new Error(`start answered ${response.status}: ${await response.text()}`);
    const record = await done;
    const wallMs = performance.now() - t0;
    clearInterval(sampler);
    const expected = (size * (size - 1)) / 2;
    if (record.runtimeStatus !== 'Completed' || JSON.parse(record.output ?? 'null') !== expected)
        throw new Error(`fanOut(${size}) ended ${record.runtimeStatus}: ${record.output}`);
    const calls = stats ? stats.total - before : undefined;
    const result: SizeResult = {
        activities: size,
        completed: true,
        wallMs: Number(wallMs.toFixed(0)),
        activitiesPerSecond: Number(((size / wallMs) * 1000).toFixed(0)),
        peakRssMb: mb(peakRss),
        peakHeapUsedMb: mb(peakHeap),
        storageCalls: stats?.toJSON(),
        ...(calls === undefined ? {} : { storageCallsPerActivity: Number((calls / size).toFixed(2)) }),
        checkpoints,
        warnings,
    };
    await host.close();
    await azurite.stop();
    return result;
}

/** Parent: each size in a fresh child process, with a time limit. */
function runInChild(size: number): Promise<SizeResult> {
    return new Promise((resolve) => {
        const child = fork(__filename, ['--size', String(size)], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
        let result: SizeResult | undefined;
        const timer = setTimeout(() => {
            result ??= { activities: size, completed: false, error: `not completed after ${TIMEOUT_S} s` };
            child.kill('SIGKILL');
        }, TIMEOUT_S * 1000);
        child.on('message', (message) => (result = message as SizeResult));
        child.on('exit', (code) => {
            clearTimeout(timer);
            resolve(result ?? { activities: size, completed: false, error: `child exited with code ${code}` });
        });
    });
}

async function main(): Promise<void> {
    const sizeArg = process.argv.indexOf('--size');
    if (sizeArg >= 0) {
        const size = Number(process.argv[sizeArg + 1]);
        const result = await runOne(size).catch((error: unknown): SizeResult => ({
            activities: size,
            completed: false,
            error: error instanceof Error ? error.message : String(error),
        }));
        // Run directly (`node --cpu-prof dist/bench/fan-out.js --size 1000`): print instead of reporting.
        if (process.send) process.send(result, () => process.exit(0));
        else {
            console.log(JSON.stringify(result, null, 2));
            process.exit(0);
        }
        return;
    }
    const results: SizeResult[] = [];
    for (const size of SIZES) results.push(await runInChild(size));
    console.log(
        JSON.stringify(
            {
                benchmark: 'fanOut: Task.all over N echo activities on the devhost + in-memory Azurite',
                node: process.version,
                results,
            },
            null,
            2,
        ),
    );
}

main().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
});
