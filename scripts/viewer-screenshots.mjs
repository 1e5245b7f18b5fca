#!/usr/bin/env node
// `npm run screenshots`: the README's pictures of the instance viewer, taken with headless Chromium (Debian's
// `chromium` package, driven by playwright-core). Starts an in-memory Azurite and the built devhost on free
// ports, runs a few orders of each outcome (the list's custom status column and histogram), a 1,000-item
// parallel_processing and, from the durable fixture app, a parent whose sub-orchestration fails, an instance
// waiting for an event and a few counter entities, then writes docs/images/viewer-*.png. Run `npm run build` first.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import net from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const devhostRoot = dirname(require.resolve('devhost/package.json'));
const cli = join(devhostRoot, 'dist/cli.js');
if (!existsSync(cli)) throw new Error(`${cli} is missing: run \`npm run build -w devhost\` first.`);
const { startAzurite } = require('devhost/testing');
const executablePath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const outDir = join(root, 'docs/images');

async function freePort() {
    const server = net.createServer();
    await new Promise((done) => server.listen(0, '127.0.0.1', done));
    const { port } = server.address();
    await new Promise((done) => server.close(done));
    return port;
}

async function startDevhost(appDir, env) {
    const port = await freePort();
    const child = spawn(process.execPath, [cli, 'start', appDir, '--port', String(port)], {
        env: { ...process.env, ...env },
    });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    const deadline = Date.now() + 30_000;
    while (!output.includes('Host started:')) {
        if (child.exitCode !== null || Date.now() > deadline) throw new Error(`devhost did not start:\n${output}`);
        await new Promise((done) => setTimeout(done, 50));
    }
    return { origin: `http://127.0.0.1:${port}`, stop: () => child.kill('SIGINT') };
}

async function start(origin, route, body) {
    const response = await fetch(`${origin}${route}`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify(body),
    });
    if (response.status !== 202) throw new Error(`${route}: HTTP ${response.status} ${await response.text()}`);
    return (await response.json()).id;
}

async function signal(origin, entityAndOp, input) {
    const response = await fetch(`${origin}/runtime/webhooks/durabletask/entities/${entityAndOp}`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: input === undefined ? '' : JSON.stringify(input),
    });
    if (response.status !== 202) throw new Error(`${entityAndOp}: HTTP ${response.status} ${await response.text()}`);
}

async function waitDone(origin, id) {
    for (let i = 0; i < 600; i++) {
        const response = await fetch(`${origin}/runtime/webhooks/durabletask/instances/${id}`);
        await response.body?.cancel();
        if (response.status === 200) return;
        await new Promise((done) => setTimeout(done, 100));
    }
    throw new Error(`${id} did not finish`);
}

const azurite = await startAzurite({ inMemory: true });
const env = { AzureWebJobsStorage: azurite.connectionString };
const app = await startDevhost(root, { ...env, TASKHUB_NAME: 'ViewerDemoHub' });
const fixture = await startDevhost(join(devhostRoot, 'test/fixtures/durable-apps/basic'), {
    ...env,
    FIXTURE_HUB: 'ViewerFixtureHub',
});
const browser = await chromium.launch({ executablePath, headless: true });
try {
    const orders = [];
    for (const [n, items, paymentMethod] of [
        [1001, [{ sku: 'MUG' }, { sku: 'TEE' }, { name: 'Sticker pack' }]],
        [1002, []],
        [1003, [{ sku: 'HOODIE', quantity: 2 }]],
        [1005, [{ sku: 'MUG' }], 'pm_card_declined'],
        [1006, [{ sku: 'TEST-OUT-OF-STOCK' }]],
    ]) {
        orders.push(
            await start(app.origin, '/api/orchestrations/order_processing', {
                order_id: `A-${n}`,
                items,
                email: 'ada@example.com',
                ...(paymentMethod ? { payment_method: paymentMethod } : {}),
            }),
        );
    }
    const fanOut = await start(app.origin, '/api/orchestrations/parallel_processing', {
        items: Array.from({ length: 1000 }, (_, i) => (i % 97 === 0 ? null : `item-${i}`)),
    });
    const parent = await start(fixture.origin, '/runtime/webhooks/durabletask/orchestrators/parent', 'Ada');
    // Waits for the external event "Approval" until the screenshot is taken.
    const approval = await start(fixture.origin, '/runtime/webhooks/durabletask/orchestrators/waitForApproval', null);
    for (const [key, op, input] of [
        ['cart-ada', 'add', 3],
        ['cart-bob', 'add', 12],
        ['cart-eve', 'add', 1],
        ['cart-eve', 'delete'],
    ])
        await signal(fixture.origin, `counterEntity/${key}?op=${op}`, input);
    for (const id of [...orders, fanOut]) await waitDone(app.origin, id);
    await waitDone(fixture.origin, parent);
    await start(app.origin, '/api/orchestrations/order_processing', { order_id: 'A-1004', items: [{ sku: 'CAP' }] });
    // For the list's colours: an input the orchestrator rejects (Failed), and a version this host turns away
    // (Pending, with the reason).
    await start(app.origin, '/runtime/webhooks/durabletask/orchestrators/order_processing', {});
    await start(app.origin, '/runtime/webhooks/durabletask/orchestrators/order_processing?version=3.0', {
        order_id: 'A-1008',
        items: [{ sku: 'MUG' }],
    });

    mkdirSync(outDir, { recursive: true });
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const shoot = async (url, file, ready, fullPage = true) => {
        await page.goto(url);
        await page.waitForSelector(ready);
        await page.screenshot({ path: join(outDir, file), fullPage });
        console.log(`wrote docs/images/${file}`);
    };
    await shoot(`${app.origin}/_devhost/`, 'viewer-instances.png', 'main[data-loaded] .histogram svg[role="img"]');
    await shoot(`${app.origin}/_devhost/instances/${orders[0]}`, 'viewer-order.png', 'main[data-timeline-ready]');
    await shoot(`${app.origin}/_devhost/instances/${fanOut}`, 'viewer-fan-out.png', 'main[data-timeline-ready]', false);
    await shoot(`${fixture.origin}/_devhost/instances/${parent}`, 'viewer-failure.png', 'main[data-timeline-ready]');
    await shoot(
        `${fixture.origin}/_devhost/instances/${approval}`,
        'viewer-waiting.png',
        '#waiting-for [data-waiting="events"] li',
        false,
    );
    await page.goto(`${fixture.origin}/_devhost/entities`);
    await page.waitForSelector('tr[data-entity] .entity-deleted');
    // The page down to its table, not the empty viewport below it.
    const table = await page.locator('main').boundingBox();
    await page.screenshot({
        path: join(outDir, 'viewer-entities.png'),
        clip: { x: 0, y: 0, width: 1280, height: Math.ceil(table.y + table.height + 16) },
    });
    console.log('wrote docs/images/viewer-entities.png');
    await page.goto(`${app.origin}/_devhost/`);
    await page.waitForSelector('main[data-loaded]');
    await page.click('button[data-action="start"]');
    await page.waitForSelector('dialog[open]');
    await page.fill('dialog [name="input"]', '{"order_id": "A-1007", "items": [{"sku": "MUG"}]}');
    await page.screenshot({ path: join(outDir, 'viewer-start.png') });
    console.log('wrote docs/images/viewer-start.png');
    await page.goto(`${app.origin}/_devhost/instances/${orders[0]}`);
    await page.waitForSelector('main[data-timeline-ready]');
    await page.click('button[data-action="raise-event"]');
    await page.fill('dialog input[name="eventName"]', 'Approval');
    await page.fill('dialog textarea[name="data"]', '{"approved": true}');
    await page.click('dialog button[type="submit"]');
    await page.waitForSelector('dialog .error:not([hidden])');
    await page.screenshot({ path: join(outDir, 'viewer-action-error.png') });
    console.log('wrote docs/images/viewer-action-error.png');
} finally {
    await browser.close();
    app.stop();
    fixture.stop();
    await new Promise((done) => setTimeout(done, 1500));
    await azurite.stop();
}
