/**
 * The app under benchmark (BENCH_APP_DIR, by default the folder `npm run bench` was started from: the
 * repository's app when run from its root), built, on the devhost, in this process, against an in-memory Azurite the benchmark
 * starts itself: what every app benchmark measures. `runToEnd` POSTs a start over real HTTP (post-json.ts) and resolves at the
 * checkpoint that writes the instance's terminal row (no polling in the measurement).
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { createDurableExtension, type DurableExtension } from '../../src/extensions/durable/extension';
import type { InstanceRecord } from '../../src/extensions/durable/task-hub-port/task-hub-storage';
import { startAzurite } from '../../src/host/local-storage/azurite';
import { startHost, type RunningHost } from '../../src/host/start-host';
import type { HostLogger } from '../../src/shared/host-contracts';
import { closeClientSockets, postJson } from './post-json';

/**
 * The app's folder: BENCH_APP_DIR, else the folder `npm run bench` was started from (npm sets INIT_CWD to it,
 * also when it runs this workspace's script).
 */
export function appUnderBench(): string {
    const appDir = path.resolve(process.env.BENCH_APP_DIR ?? process.env.INIT_CWD ?? process.cwd());
    if (!existsSync(path.join(appDir, 'host.json'))) {
        throw new Error(
            `No Functions app at ${appDir} (no host.json): run \`npm run bench\` from the app's folder or set BENCH_APP_DIR.`,
        );
    }
    return appDir;
}

const quietLogger: HostLogger = {
    log: () => undefined,
    info: () => undefined,
    warn: () => undefined,
    error: (m) => console.error(m),
};

/**
 * The order every order benchmark starts: three items (two SKUs, one by name), the default card. Order ids are
 * instance ids (a repeated order_id starts nothing), so each call needs its own.
 */
export function benchOrder(orderId: string): unknown {
    return { order_id: orderId, items: [{ sku: 'MUG' }, { sku: 'TEE' }, { name: 'Pack' }], email: 'b@example.com' };
}

export interface AppUnderBench {
    readonly host: RunningHost;
    readonly extension: DurableExtension;
    /** Azurite's process id, for its CPU time. */
    readonly azuritePid: number | undefined;
    /** Starts `name` with `input`; the instance id and its terminal row, which must be Completed. */
    runToEnd(name: string, input: unknown): Promise<{ id: string; ms: number; record: InstanceRecord }>;
    close(): Promise<void>;
}

export async function startAppUnderBench(hubPrefix: string): Promise<AppUnderBench> {
    const azurite = await startAzurite({ inMemory: true });
    process.env.AzureWebJobsStorage = azurite.connectionString;
    process.env.TASKHUB_NAME = `${hubPrefix}${Date.now().toString(36)}`;

    const waiters = new Map<string, (record: InstanceRecord) => void>();
    const extension = createDurableExtension({
        // The peer (DBOS) runs the 4-step order: orders here start as version 1.0 of order_processing
        // (validate, charge, fulfill, notify), which the app still runs for orders started before version 2
        // added reserve_stock (docs/changing-the-order-workflow.md).
        config: { versioning: { defaultVersion: '1.0', matchStrategy: 'CurrentOrOlder', failureStrategy: 'Reject' } },
        onCheckpoint: (record) => {
            if (record.runtimeStatus === 'Running' || record.runtimeStatus === 'Pending') return;
            waiters.get(record.instanceId)?.(record);
        },
    });
    const host = await startHost({ appDir: appUnderBench(), port: 0, extensions: [extension], logger: quietLogger });

    return {
        host,
        extension,
        azuritePid: azurite.pid,
        async runToEnd(name, input) {
            const t0 = performance.now();
            const response = await postJson(`${host.origin}/api/orchestrations/${name}`, input);
            if (response.status !== 202) throw new Error(`start answered ${response.status}: ${response.text}`);
            const { id } = JSON.parse(response.text) as { id: string };
            const record = await new Promise<InstanceRecord>((resolve) => waiters.set(id, resolve));
            waiters.delete(id);
            if (record.runtimeStatus !== 'Completed') {
                throw new Error(`${name} ended ${record.runtimeStatus}: ${record.output}`);
            }
            return { id, ms: performance.now() - t0, record };
        },
        async close() {
            closeClientSockets();
            await host.close();
            await azurite.stop();
        },
    };
}
