#!/usr/bin/env node
// Records the raw histories (the <Hub>History rows, as the engine reads them) of real order_processing and
// parallel_processing runs: the built app on the devhost against a fresh in-memory Azurite. The replay test
// (test/app/replay/recorded-histories.test.ts) replays them on every run, so a change to an orchestrator that
// would break instances already in flight fails CI. Run after an intended, compatible change to refresh them:
//   npm run build && node scripts/record-histories.mjs
// Instances get host.json `defaultVersion` (orchestration versioning), and each file is named for it
// (`order-completed-v2.0.json`), so recording a new version adds files and never overwrites the histories of
// an older version, which must keep replaying until the last order of it has ended (the version 1 files,
// recorded before versioning, are the ones without a suffix). The script refuses to write when the host did
// not stamp the version host.json names (a devhost without versioning support).
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const outDir = path.join(root, 'test/app/replay/recorded');
const require = createRequire(import.meta.url);

// The devhost package as built (`npm run record-histories` builds it first).
const { installCoreModule, startHost, createDurableExtension, createStorageExtension } = require('devhost');
installCoreModule();
const { startAzurite } = require('devhost/testing');

const hostJson = JSON.parse(await readFile(path.join(root, 'host.json'), 'utf8'));
const defaultVersion = hostJson.extensions?.durableTask?.defaultVersion ?? '';
const suffix = defaultVersion === '' ? '' : `-v${defaultVersion}`;

const azurite = await startAzurite({ inMemory: true, ports: { blob: 0, queue: 0, table: 0 } });
process.env.AzureWebJobsStorage = azurite.connectionString;
process.env.TASKHUB_NAME = 'RecordedHub';
const durable = createDurableExtension();
const quiet = { log() {}, info() {}, warn: (m) => console.warn(m), error: (m) => console.error(m) };
const host = await startHost({ appDir: root, port: 0, extensions: [durable, createStorageExtension()], logger: quiet });

async function run(name, body) {
    const response = await fetch(`${host.origin}/api/orchestrations/${name}`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify(body),
    });
    if (response.status !== 202) throw new Error(`${name}: HTTP ${response.status} ${await response.text()}`);
    const { id, statusQueryGetUri } = await response.json();
    for (;;) {
        const status = await fetch(statusQueryGetUri);
        if (status.status === 200) break;
        await status.arrayBuffer();
        await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const { events } = await durable.runtime.storage.readHistory(id);
    return { orchestrator: name, input: body, instanceId: id, events };
}

const recordings = {
    'order-completed': await run('order_processing', {
        order_id: 'REC-1',
        items: ['widget-a', { sku: 'widget-b', quantity: 2 }],
        email: 'ada@example.com',
    }),
    'order-flaky-payment': await run('order_processing', {
        order_id: 'REC-2',
        items: ['widget-a'],
        payment_method: 'pm_card_flaky',
    }),
    // Version 2's own paths: rejected at the reservation, and refunded and released after a failed fulfilment.
    'order-out-of-stock': await run('order_processing', {
        order_id: 'REC-3',
        items: ['widget-a', 'TEST-OUT-OF-STOCK'],
    }),
    'order-warehouse-down': await run('order_processing', { order_id: 'REC-4', items: ['TEST-WAREHOUSE-DOWN'] }),
    'parallel-small': await run('parallel_processing', { items: ['a', 'b', 'c'] }),
};
const unversioned = Object.values(recordings).filter(
    ({ events }) => (events.find((event) => event.EventType === 0)?.Version ?? '') !== defaultVersion,
);
if (unversioned.length > 0) {
    console.error(
        `${unversioned.map((r) => r.instanceId).join(', ')} did not get host.json defaultVersion ` +
            `'${defaultVersion}': this host does not honour defaultVersion, so nothing was written.`,
    );
    await host.close();
    await azurite.stop();
    process.exit(1);
}
await mkdir(outDir, { recursive: true });
for (const [name, recording] of Object.entries(recordings)) {
    await writeFile(path.join(outDir, `${name}${suffix}.json`), `${JSON.stringify(recording, null, 2)}\n`);
    console.log(`${name}${suffix}: ${recording.events.length} events`);
}
await host.close();
await azurite.stop();
process.exit(0);
