/**
 * parallel_processing at its documented maximum: how long 10,000 items take on the devhost, from the POST to
 * the checkpoint that writes `Completed` (sub-orchestrations of 250 items, 4 at a time; see
 * src/orchestrators/parallel-processing.ts). Runs the real app (dist/) in this process on a random port
 * against an in-memory Azurite it starts itself, over real HTTP. Prints one JSON document; asserts nothing.
 *
 *   npm run bench                          # runs this after bench/order-latency.ts
 *   BENCH_PARALLEL_ITEMS=2000 node dist/bench/parallel-processing.js
 */
import { installCoreModule } from '../devhost/seam/core-module';
installCoreModule();

import path from 'node:path';
import { createDurableExtension } from '../devhost/durable/extension';
import type { HostLogger } from '../devhost/contracts/host';
import { startHost } from '../devhost/boot/start-host';
import { startAzurite } from '../devhost/storage/azurite';
import type { InstanceRecord } from '../devhost/ports/task-hub-storage';

const repoRoot = path.resolve(__dirname, '../..');
const ITEMS = Number(process.env.BENCH_PARALLEL_ITEMS ?? 10_000);

const quietLogger: HostLogger = {
    log: () => undefined,
    info: () => undefined,
    warn: () => undefined,
    error: (m) => console.error(m),
};

async function main(): Promise<void> {
    const azurite = await startAzurite({ inMemory: true });
    process.env.AzureWebJobsStorage = azurite.connectionString;
    process.env.TASKHUB_NAME = `BenchPar${Date.now().toString(36)}`;

    const waiters = new Map<string, (record: InstanceRecord) => void>();
    const extension = createDurableExtension({
        onCheckpoint: (record) => {
            if (record.runtimeStatus === 'Running' || record.runtimeStatus === 'Pending') return;
            waiters.get(record.instanceId)?.(record);
        },
    });
    const host = await startHost({ appDir: repoRoot, port: 0, extensions: [extension], logger: quietLogger });

    async function run(items: number): Promise<{ ms: number; output: { total: number; successful: number } }> {
        const t0 = performance.now();
        const response = await fetch(`${host.origin}/api/orchestrations/parallel_processing`, {
            method: 'POST',
            body: JSON.stringify({ items: Array.from({ length: items }, (_, i) => `item-${i}`) }),
        });
        if (response.status !== 202) throw new Error(`start answered ${response.status}: ${await response.text()}`);
        const { id } = (await response.json()) as { id: string };
        const record = await new Promise<InstanceRecord>((resolve) => waiters.set(id, resolve));
        waiters.delete(id);
        if (record.runtimeStatus !== 'Completed') throw new Error(`ended ${record.runtimeStatus}: ${record.output}`);
        const ms = performance.now() - t0;
        // The output is the summary; a large one is stored as a blob and read back through the status API.
        const status = await fetch(`${host.origin}/api/orchestrations/${id}/status`);
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
    await host.close();
    await azurite.stop();
    process.exit(0);
}

main().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
});
