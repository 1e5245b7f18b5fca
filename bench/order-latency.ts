/**
 * How long a 4-activity order takes on the devhost, and how many storage calls it costs.
 *
 * Runs the real app (dist/) in this process on a random port, against an in-memory Azurite it starts
 * itself, and starts orders over real HTTP (`POST /api/orchestrations/order_processing`, the same path a
 * client takes). Completion is observed at the checkpoint that writes `Completed`, so no polling interval
 * inflates the numbers. Prints one JSON document; asserts nothing (timings depend on the machine).
 *
 * Storage calls are counted per order: until completed (the critical path and what overlaps it) and in
 * total, including the message deletes that run after completion. Sequential orders start once the previous
 * order's deletes are done, so neither its latency nor its count includes another order's cleanup.
 * `storageCallMs` is the mean of sequential single-entity reads on this machine at the start: the engine's
 * cost is roughly calls on the critical path times that.
 *
 *   npm run bench                 # defaults
 *   BENCH_ORDERS=100 npm run bench
 */
import { installCoreModule } from '../devhost/seam/core-module';
installCoreModule();

import { startAppUnderBench } from './support/app-under-bench';
const ORDERS = Number(process.env.BENCH_ORDERS ?? 40);
const WARMUP = 5;
const CONCURRENT = Number(process.env.BENCH_CONCURRENT ?? 20);
const FAN_OUT = Number(process.env.BENCH_FAN_OUT ?? 100);

interface StatsLike {
    total: number;
    toJSON(): unknown;
    reset(): void;
}

function percentile(sorted: number[], p: number): number {
    const index = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
    return Number((sorted[Math.max(0, index)] ?? NaN).toFixed(1));
}

function summary(samples: number[]): Record<string, number> {
    const sorted = [...samples].sort((a, b) => a - b);
    const mean = samples.reduce((a, b) => a + b, 0) / samples.length;
    return {
        n: samples.length,
        mean: Number(mean.toFixed(1)),
        p50: percentile(sorted, 50),
        p95: percentile(sorted, 95),
        max: percentile(sorted, 100),
    };
}

async function main(): Promise<void> {
    const bench = await startAppUnderBench('Bench');
    const { extension } = bench;
    const stats = (extension.runtime?.storage as unknown as { stats?: StatsLike }).stats;

    const order = (i: number): unknown => ({
        order_id: `B-${i}`,
        items: [{ sku: 'MUG' }, { sku: 'TEE' }, { name: 'Pack' }],
        email: 'b@example.com',
    });
    const idle = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 300));
    /** Until no storage call was made for 30 ms (the deletes that follow a completion are done), at most 2 s. */
    async function settle(): Promise<void> {
        const deadline = performance.now() + 2000;
        let last = -1;
        while (stats && stats.total !== last && performance.now() < deadline) {
            last = stats.total;
            await new Promise((resolve) => setTimeout(resolve, 30));
        }
    }
    const storage = extension.runtime?.storage;

    // Order ids are instance ids now (a repeated order_id starts nothing), so warm-up orders get their own.
    for (let i = 0; i < WARMUP; i++) await bench.runToEnd('order_processing', order(5000 + i));
    await idle();

    // Context: what one storage call costs here right now (a point read of a missing row, one at a time).
    const callSamples: number[] = [];
    for (let i = 0; i < 50 && storage; i++) {
        const c0 = performance.now();
        await storage.readInstance(`missing-${i}`);
        callSamples.push(performance.now() - c0);
    }

    // Sequential: one order at a time, the latency a single user sees.
    const latencies: number[] = [];
    const callsUntilCompleted: number[] = [];
    const callsPerOrder: number[] = [];
    for (let i = 0; i < ORDERS; i++) {
        await settle();
        stats?.reset();
        latencies.push((await bench.runToEnd('order_processing', order(i))).ms);
        if (stats) callsUntilCompleted.push(stats.total);
        await settle();
        if (stats) callsPerOrder.push(stats.total);
    }
    await idle();
    stats?.reset();

    // Concurrent: throughput with many orders in flight.
    const t0 = performance.now();
    const concurrent = await Promise.all(
        Array.from({ length: CONCURRENT }, (_, i) => bench.runToEnd('order_processing', order(1000 + i))),
    );
    const concurrentWall = performance.now() - t0;
    await settle();
    const concurrentCalls = stats?.total ?? 0;

    // Fan-out / fan-in.
    const fan = await bench.runToEnd('parallel_processing', {
        items: Array.from({ length: FAN_OUT }, (_, i) => `item-${i}`),
    });

    console.log(
        JSON.stringify(
            {
                benchmark: 'order_processing (validate, charge, fulfill, notify) on the devhost + in-memory Azurite',
                node: process.version,
                storageCallMs: callSamples.length ? summary(callSamples) : null,
                sequential: {
                    latencyMs: summary(latencies),
                    storageCallsUntilCompleted: callsUntilCompleted.length ? summary(callsUntilCompleted) : null,
                    storageCallsPerOrder: callsPerOrder.length ? summary(callsPerOrder) : null,
                },
                concurrent: {
                    orders: CONCURRENT,
                    wallMs: Number(concurrentWall.toFixed(1)),
                    ordersPerSecond: Number(((CONCURRENT / concurrentWall) * 1000).toFixed(1)),
                    latencyMs: summary(concurrent.map((c) => c.ms)),
                    storageCallsPerOrder: stats ? Number((concurrentCalls / CONCURRENT).toFixed(1)) : null,
                },
                fanOut: { items: FAN_OUT, wallMs: Number(fan.ms.toFixed(1)) },
            },
            null,
            2,
        ),
    );
    await bench.close();
    process.exit(0);
}

main().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
});
