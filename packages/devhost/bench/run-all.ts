/**
 * `npm run bench`: every measurement the peer's benchmark makes, side by side with the peer's numbers (DBOS Transact 5.3 on
 * PostgreSQL 15, same machine, same 4-step order), as one JSON document on stdout, written to
 * `bench/results/<date>-<commit>.json` and `bench/results/latest.json`, with the table for docs/benchmark.md (and the app's README) in
 * `bench/results/latest.md`. Each benchmark runs in its own child process (its own Azurite), one after
 * another, so none competes with another for the two cores. Asserts nothing.
 *
 *   npm run bench                  # full: 200 sequential orders, 1,000 at 50 in flight, fan-outs to 10,000
 *   BENCH_QUICK=1 npm run bench    # a smoke run: smaller sizes, same shape
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { renderTable, type BenchReport } from './support/report';

const repoRoot = path.resolve(__dirname, '../..');
const QUICK = process.env.BENCH_QUICK === '1';

/** The peer on this machine: DBOS Transact 5.3 on PostgreSQL 15, the same 4-step order. */
const PEER = {
    name: 'DBOS Transact 5.3 on PostgreSQL 15 (same machine, same 4-step order)',
    orderP50Ms: 14.2,
    ordersPerSecond: 139,
    fanOutSeconds: { 100: 0.47, 1000: 2.8, 10000: 19.3 },
    storageOperationsPerOrder: '24 SQL statements (+12 BEGIN/COMMIT)',
    cpuMsPerOrder: { engine: 8.2, store: 6.9 },
};

/** The targets: reported beside the measurements, never asserted. */
const TARGETS = {
    orderP50Ms: 28,
    hostCpuMsPerOrder: 16,
    ordersPerSecond: 70,
    fanOut10000Seconds: 40,
    criticalPathStorageCalls: 8,
};

/** Runs one compiled benchmark and parses the JSON document it prints. */
function runBenchmark(script: string, env: Record<string, string>): Promise<unknown> {
    return new Promise((resolve, reject) => {
        console.error(`[bench] ${script} ...`);
        const started = Date.now();
        const child = spawn(process.execPath, [path.join(__dirname, script)], {
            env: { ...process.env, ...env },
            stdio: ['ignore', 'pipe', 'inherit'],
        });
        let stdout = '';
        child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
        child.on('exit', (code) => {
            console.error(`[bench] ${script} done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
            if (code !== 0) return reject(new Error(`${script} exited with ${code}`));
            try {
                resolve(JSON.parse(stdout));
            } catch (error) {
                reject(new Error(`${script} printed no JSON document: ${stdout.slice(0, 200)}`, { cause: error }));
            }
        });
    });
}

function gitCommit(): string {
    try {
        return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: repoRoot, encoding: 'utf8' }).trim();
    } catch {
        return 'unknown';
    }
}

async function main(): Promise<void> {
    const quick: Record<string, string> = QUICK
        ? { BENCH_QUICK: '1', BENCH_PARALLEL_ITEMS: '1000', BENCH_FAN_OUT_SIZES: '100,1000' }
        : {};
    const cpus = os.cpus();
    const machine = {
        cpu: cpus[0]?.model ?? 'unknown',
        cores: cpus.length,
        memoryGb: Number((os.totalmem() / 1024 ** 3).toFixed(1)),
        os: `${os.type()} ${os.release()}`,
        node: process.version,
        // What else ran: a busy machine makes every number worse, so the report says how busy it was.
        loadAverageAtStart: os.loadavg().map((n) => Number(n.toFixed(2))),
    };
    const started = new Date();
    const orders = await runBenchmark('order-latency.js', quick);
    const parallelProcessing = await runBenchmark('parallel-processing.js', quick);
    const fanOut = await runBenchmark('fan-out.js', quick);
    const testHostOrders = (await runBenchmark('test-host.js', { ...quick, BENCH_TEST_HOST: 'orders' })) as object;
    const testHostTimer = (await runBenchmark('test-host.js', { ...quick, BENCH_TEST_HOST: 'timer' })) as object;

    const report: BenchReport = {
        benchmark: 'devhost (in-memory Azurite) beside the peer',
        date: started.toISOString(),
        commit: gitCommit(),
        quick: QUICK,
        machine,
        loadAverageAtEnd: os.loadavg().map((n) => Number(n.toFixed(2))),
        peer: PEER,
        targets: TARGETS,
        orders: orders as BenchReport['orders'],
        parallelProcessing: parallelProcessing as BenchReport['parallelProcessing'],
        fanOut: fanOut as BenchReport['fanOut'],
        testHost: { ...testHostOrders, ...testHostTimer } as BenchReport['testHost'],
    };
    const document = JSON.stringify(report, null, 2);
    console.log(document);

    const dir = path.join(repoRoot, 'bench/results');
    mkdirSync(dir, { recursive: true });
    const stamp = started.toISOString().slice(0, 19).replace(/:/g, '');
    writeFileSync(path.join(dir, `${stamp}-${report.commit}${QUICK ? '-quick' : ''}.json`), `${document}\n`);
    writeFileSync(path.join(dir, 'latest.json'), `${document}\n`);
    writeFileSync(path.join(dir, 'latest.md'), `${renderTable(report)}\n`);
    console.error(`[bench] written to bench/results/ (latest.json, latest.md)`);
}

main().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
});
