/**
 * parallel_processing at its documented maximum: how long 10,000 items take on the devhost, from the POST to
 * the checkpoint that writes `Completed` (sub-orchestrations of 250 items, 4 at a time; see
 * src/orchestrators/parallel-processing.ts). Runs the real app (dist/) in this process on a random port
 * against an in-memory Azurite it starts itself, over real HTTP. Prints one JSON document; asserts nothing.
 *
 *   npm run bench                          # runs this after bench/order-latency.ts
 *   BENCH_PARALLEL_ITEMS=2000 node dist/bench/parallel-processing.js
 */
import { installCoreModule } from '../src/host/worker/core-module';
installCoreModule();

import { startAppUnderBench } from './support/app-under-bench';

const ITEMS = Number(process.env.BENCH_PARALLEL_ITEMS ?? 10_000);

async function main(): Promise<void> {
    const bench = await startAppUnderBench('BenchPar');

    async function run(items: number): Promise<{ ms: number; output: { total: number; successful: number } }> {
        const { id, ms } = await bench.runToEnd('parallel_processing', {
            items: Array.from({ length: items }, (_, i) => `item-${i}`),
        });
        // The output is the summary; a large one is stored as a blob and read back through the status API.
        const status = await fetch(`${bench.host.origin}/api/orchestrations/${id}/status`);
        const body = (await status.json()) as { output: { total: number; successful: number } };
        return { ms, output: body.output };
    }

    await run(10); // warm-up: loads the app's modules and creates the queues
    const result = await run(ITEMS);
    if (result.output.total !== ITEMS) throw new Error(`expected ${ITEMS} results, got ${result.output.total}`);

    console.log(
        JSON.stringify(
            {
                benchmark: 'parallel_processing at size on the devhost + in-memory Azurite',
                node: process.version,
                items: ITEMS,
                wallMs: Number(result.ms.toFixed(1)),
                itemsPerSecond: Number(((ITEMS / result.ms) * 1000).toFixed(1)),
                successful: result.output.successful,
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
