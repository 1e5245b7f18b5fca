/* eslint-disable import-x/order -- the fake @azure/functions-core must be installed before any other import runs. */
/**
 * The 4-step order (validate, charge, fulfil, notify) on the devhost, measured as the peer's benchmark measures
 * it: latency of sequential orders after a warm-up, throughput with many in flight, storage calls
 * per order, CPU per order of this process (the host) and of Azurite (the store), and the floor: storage calls
 * on the critical path times the measured cost of one call.
 *
 * Runs the real app (dist/) in this process on a random port, against an in-memory Azurite it starts itself,
 * and starts orders over real HTTP (`POST /api/orchestrations/order_processing`, the path a client takes).
 * Completion is observed at the checkpoint that writes `Completed`, so no polling interval inflates the
 * numbers. Prints one JSON document; asserts nothing (timings depend on the machine). `bench/run-all.ts`
 * runs it as part of `npm run bench`.
 *
 * Sequential latency is the peer's: each order starts when the previous one is terminal (POST to terminal,
 * back to back), and the phase's CPU is taken until the last order's trailing calls are done.
 *
 * Storage calls are the task hub's (the app's own ledger table is the app's business, as the peer's counts
 * are its engine's): until completed (the critical path and what overlaps it), and in all, including the
 * message deletes and deferred row writes that follow completion. They are counted in a phase of their own
 * (BENCH_COUNTED_ORDERS), where each order starts once the previous order's trailing calls are done, so no
 * count includes another order's cleanup. That wait (at least 30 ms of idle between orders) is kept out of the
 * latency phase: on this 2-core VM an order that follows 30 ms of idle takes ~5-8 ms longer (cold caches, a
 * parked vCPU), for the engine and for Azurite alike, which says nothing about either.
 *
 * Then the sequential phase runs once more, after the throughput phase (`sequentialWarm`): the peer's protocol
 * gives 20 warm-up orders, and after 20 orders V8 is still compiling this process's code on its background
 * threads (several ms of CPU per order); the second run shows the order's cost once that is done.
 *
 *   BENCH_ORDERS=200 BENCH_COUNTED_ORDERS=50 BENCH_THROUGHPUT_ORDERS=1000 BENCH_IN_FLIGHT=50   (the defaults)
 *   BENCH_QUICK=1                                                (20 / 10 / 100 / 20: a smoke run)
 */
import { installCoreModule } from '../src/host/worker/core-module';
installCoreModule();

import diagnostics from 'node:diagnostics_channel';
import { benchOrder, startAppUnderBench } from './support/app-under-bench';
import { measureCpu } from './support/cpu';
import { summary } from './support/stats';

const QUICK = process.env.BENCH_QUICK === '1';
const WARMUP = QUICK ? 5 : 20;
const ORDERS = Number(process.env.BENCH_ORDERS ?? (QUICK ? 20 : 200));
const COUNTED_ORDERS = Number(process.env.BENCH_COUNTED_ORDERS ?? (QUICK ? 10 : 50));
const THROUGHPUT_ORDERS = Number(process.env.BENCH_THROUGHPUT_ORDERS ?? (QUICK ? 100 : 1000));
const IN_FLIGHT = Number(process.env.BENCH_IN_FLIGHT ?? (QUICK ? 20 : 50));

interface StatsLike {
    total: number;
    reset(): void;
}

const round = (n: number, digits = 1): number => Number(n.toFixed(digits));

interface CpuOfPhase {
    hostMs: number;
    storeMs: number | undefined;
}

/** A phase's CPU per order, of the host and of Azurite (null where /proc could not tell). */
function cpuPerOrder(cpu: CpuOfPhase, orders: number): { host: number; azurite: number | null } {
    return {
        host: round(cpu.hostMs / orders),
        azurite: cpu.storeMs === undefined ? null : round(cpu.storeMs / orders),
    };
}

async function main(): Promise<void> {
    const bench = await startAppUnderBench('Bench');
    const { extension } = bench;
    const stats = (extension.runtime?.storage as unknown as { stats?: StatsLike }).stats;
    const storage = extension.runtime?.storage;

    const order = (i: number): unknown => benchOrder(`B-${i}`);
    /** Until no storage call was made for 30 ms (the calls that follow a completion are done), at most 2 s. */
    async function settle(): Promise<void> {
        const deadline = performance.now() + 2000;
        let last = -1;
        while (stats && stats.total !== last && performance.now() < deadline) {
            last = stats.total;
            await new Promise((resolve) => setTimeout(resolve, 30));
        }
    }

    // Order ids are instance ids (a repeated order_id starts nothing), so every order gets its own.
    for (let i = 0; i < WARMUP; i++) await bench.runToEnd('order_processing', order(900_000 + i));
    await settle();

    // What one storage call costs here right now: a point read of a missing row, one at a time.
    const callSamples: number[] = [];
    for (let i = 0; i < 100 && storage; i++) {
        const c0 = performance.now();
        await storage.readInstance(`missing-${i}`);
        callSamples.push(performance.now() - c0);
    }
    await settle();

    /**
     * Sequential: ORDERS orders one at a time, back to back (numbered from `first`), the latency a single user
     * sees. CPU is taken over the whole phase, until the last order's trailing calls are done (they are part
     * of an order's cost).
     */
    async function sequentialPhase(first: number): Promise<{ latencies: number[]; cpu: CpuOfPhase }> {
        const latencies: number[] = [];
        const cpu = await measureCpu(bench.azuritePid, async () => {
            for (let i = 0; i < ORDERS; i++) {
                latencies.push((await bench.runToEnd('order_processing', order(first + i))).ms);
            }
            await settle();
        });
        return { latencies, cpu };
    }

    const sequential = await sequentialPhase(0);

    // Counted: each order alone (the previous one's trailing calls done), its calls until Completed and in all.
    const callsUntilCompleted: number[] = [];
    // Every HTTP request this process makes with Node's client is a storage call (the task hub's and the
    // app's ledger's; the SDK's RPC is answered in memory), except the benchmark's own POSTs to the app. The
    // app's calls are on the critical path too, so the floor is given with and without them.
    let httpCalls = 0;
    const appOrigin = new URL(bench.host.origin);
    const countHttpCall = (message: unknown): void => {
        const { request } = message as { request: { getHeader(name: string): unknown } };
        if (request.getHeader('host') !== appOrigin.host) httpCalls++;
    };
    const appCallsUntilCompleted: number[] = [];
    diagnostics.subscribe('http.client.request.start', countHttpCall);
    const callsPerOrder: number[] = [];
    for (let i = 0; i < COUNTED_ORDERS; i++) {
        stats?.reset();
        httpCalls = 0;
        await bench.runToEnd('order_processing', order(50_000 + i));
        if (stats) callsUntilCompleted.push(stats.total);
        if (stats) appCallsUntilCompleted.push(httpCalls - stats.total);
        await settle();
        if (stats) callsPerOrder.push(stats.total);
    }
    diagnostics.unsubscribe('http.client.request.start', countHttpCall);

    // Throughput: THROUGHPUT_ORDERS orders, IN_FLIGHT at a time (each worker starts its next when one ends).
    stats?.reset();
    const throughputLatencies: number[] = [];
    let next = 0;
    const t0 = performance.now();
    const throughput = await measureCpu(bench.azuritePid, async () => {
        await Promise.all(
            Array.from({ length: IN_FLIGHT }, async () => {
                while (next < THROUGHPUT_ORDERS) {
                    const i = next++;
                    throughputLatencies.push((await bench.runToEnd('order_processing', order(100_000 + i))).ms);
                }
            }),
        );
        return performance.now() - t0;
    });
    await settle();
    const throughputCalls = stats?.total ?? 0;
    const wallMs = throughput.result;

    // Sequential again, now that V8 has seen every phase before: the same protocol as the first sequential
    // phase, after WARMUP + ORDERS + COUNTED_ORDERS + THROUGHPUT_ORDERS orders instead of WARMUP. The first
    // phase is the peer's protocol; this one shows how much of its CPU is the JIT still compiling this large
    // code base (the SDKs, durable-functions, @azure/functions, zod) rather than the order's own work.
    const warmAfter = WARMUP + ORDERS + COUNTED_ORDERS + THROUGHPUT_ORDERS;
    const warm = await sequentialPhase(200_000);

    const callMs = summary(callSamples);
    const criticalPathCalls = summary(callsUntilCompleted);
    console.log(
        JSON.stringify({
            benchmark:
                'order_processing version 1.0 (validate, charge, fulfill, notify) on the devhost + in-memory Azurite',
            storageCallMs: callMs,
            sequential: {
                orders: ORDERS,
                warmup: WARMUP,
                countedOrders: COUNTED_ORDERS,
                latencyMs: summary(sequential.latencies),
                storageCallsUntilCompleted: stats ? criticalPathCalls : null,
                storageCallsPerOrder: stats ? summary(callsPerOrder) : null,
                cpuMsPerOrder: cpuPerOrder(sequential.cpu, ORDERS),
                // The app's own storage calls (its ledger) until Completed, beside the task hub's.
                appStorageCallsUntilCompleted: stats ? summary(appCallsUntilCompleted) : null,
                // The critical path's storage calls, one after another, at the measured cost of one call: what
                // the order would take if the host and the app cost nothing; then with the app's calls too.
                floorMs: stats ? round(criticalPathCalls.p50 * callMs.p50) : null,
                floorWithAppMs: stats
                    ? round((criticalPathCalls.p50 + summary(appCallsUntilCompleted).p50) * callMs.p50)
                    : null,
            },
            sequentialWarm: {
                orders: ORDERS,
                afterOrders: warmAfter,
                latencyMs: summary(warm.latencies),
                cpuMsPerOrder: cpuPerOrder(warm.cpu, ORDERS),
            },
            throughput: {
                orders: THROUGHPUT_ORDERS,
                inFlight: IN_FLIGHT,
                wallMs: round(wallMs),
                ordersPerSecond: round((THROUGHPUT_ORDERS / wallMs) * 1000),
                latencyMs: summary(throughputLatencies),
                storageCallsPerOrder: stats ? round(throughputCalls / THROUGHPUT_ORDERS) : null,
                cpuMsPerOrder: cpuPerOrder(throughput, THROUGHPUT_ORDERS),
            },
        }),
    );
    await bench.close();
    process.exit(0);
}

main().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
});
