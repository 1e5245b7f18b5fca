import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, afterEach, describe, expect, it } from 'vitest';
import { browserMissing, launchBrowser } from '../../support/e2e/browser';
import { devhostRoot, startDevhost, type DevhostProcess } from '../../support/e2e/devhost-process';
import { openInstancePage, startOrchestration, WEBHOOK } from '../../support/e2e/durable-http';
import { azuriteConnectionString, uniqueHubName } from '../../support/storage';

/**
 * The instance viewer at /_devhost/ in headless Chromium, against the built devhost processes exactly as
 * `npm start` runs them: one hosting this repository's app, one hosting the durable fixture app (its
 * `waitForApproval` orchestrator waits for an event, so raise event and terminate have something to act on).
 */
let app: DevhostProcess;
let fixture: DevhostProcess;
let browser: Browser;
let page: Page;

beforeAll(async () => {
    if (browserMissing) return;
    const storage = azuriteConnectionString();
    [app, fixture, browser] = await Promise.all([
        startDevhost({ env: { AzureWebJobsStorage: storage, TASKHUB_NAME: uniqueHubName('Viewer') } }),
        startDevhost({
            appDir: path.join(devhostRoot, 'test/fixtures/durable-apps/basic'),
            env: { AzureWebJobsStorage: storage, FIXTURE_HUB: uniqueHubName('ViewerFx') },
        }),
        launchBrowser(),
    ]);
});

afterAll(async () => {
    await browser?.close();
    await Promise.all([app?.stop(), fixture?.stop()]);
});

beforeEach(async () => {
    if (browserMissing) return;
    page = await browser.newPage();
});

afterEach(async () => {
    await page?.close();
});

async function statusOf(origin: string, id: string): Promise<{ code: number; runtimeStatus?: string }> {
    const response = await fetch(`${origin}${WEBHOOK}/instances/${id}`);
    if (response.status === 404) return { code: 404 };
    const body = (await response.json()) as { runtimeStatus: string };
    return { code: response.status, runtimeStatus: body.runtimeStatus };
}

async function waitForStatus(origin: string, id: string, wanted: string, timeoutMs = 20_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while ((await statusOf(origin, id)).runtimeStatus !== wanted) {
        if (Date.now() > deadline) throw new Error(`${id} did not reach ${wanted}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
    }
}

async function confirmDialog(action: string, fields: Record<string, string> = {}): Promise<void> {
    await page.click(`button[data-action="${action}"]`);
    for (const [name, value] of Object.entries(fields)) await page.fill(`dialog [name="${name}"]`, value);
    await page.click('dialog button[type="submit"]');
}

describe.skipIf(browserMissing)('instance viewer in Chromium', () => {
    it('lists a new order, and updates a running instance in place when it completes', async () => {
        await page.goto(`${app.origin}/_devhost/`);
        await page.waitForSelector('main[data-loaded]');
        const order = await startOrchestration(app.origin, 'order_processing', {
            order_id: 'V-1',
            items: [{ sku: 'MUG' }],
            email: 'ada@example.com',
        });
        // No reload: the page polls the Durable HTTP API.
        await page.waitForSelector(`tr[data-instance-id="${order}"][data-status="Completed"]`, { timeout: 15_000 });
        expect(await page.textContent(`tr[data-instance-id="${order}"]`)).toContain('order_processing');

        await page.goto(`${fixture.origin}/_devhost/`);
        await page.waitForSelector('main[data-loaded]');
        const waiting = await startOrchestration(fixture.origin, 'waitForApproval', null);
        await page.waitForSelector(`tr[data-instance-id="${waiting}"][data-status="Running"]`, { timeout: 15_000 });
        const raised = await fetch(`${fixture.origin}${WEBHOOK}/instances/${waiting}/raiseEvent/Approval`, {
            method: 'POST',
            headers: { 'Content-Type': 'application/json' },
            body: 'true',
        });
        expect(raised.status).toBe(202);
        await page.waitForSelector(`tr[data-instance-id="${waiting}"][data-status="Completed"]`, { timeout: 15_000 });
        // The summary counts by status and shows every queue of the hub.
        expect(Number(await page.textContent('.counts li[data-status="Completed"] .count-value'))).toBeGreaterThan(0);
        expect(await page.locator('.queues tr[data-queue]').count()).toBe(5);
    });

    it('filters by orchestrator name and status', async () => {
        const order = await startOrchestration(app.origin, 'order_processing', { order_id: 'V-2', items: [] });
        await waitForStatus(app.origin, order, 'Completed');
        await page.goto(`${app.origin}/_devhost/?name=parallel&status=Completed`);
        await page.waitForSelector('main[data-loaded]');
        expect(await page.locator(`tr[data-instance-id="${order}"]`).count()).toBe(0);
        await page.goto(`${app.origin}/_devhost/?name=order_processing&status=Completed`);
        await page.waitForSelector(`tr[data-instance-id="${order}"]`);
        await page.goto(`${app.origin}/_devhost/?status=Failed`);
        await page.waitForSelector('main[data-loaded]');
        expect(await page.locator(`tr[data-instance-id="${order}"]`).count()).toBe(0);
    });

    it('draws each activity of order_processing on the timeline and shows the outcome', async () => {
        const order = await startOrchestration(app.origin, 'order_processing', {
            order_id: 'V-3',
            items: [{ sku: 'MUG' }, { sku: 'TEE' }],
            email: 'ada@example.com',
        });
        await waitForStatus(app.origin, order, 'Completed');
        await openInstancePage(page, app.origin, order);
        const activities = await page
            .locator('.tl-row[data-kind="activity"]')
            .evaluateAll((rows) => rows.map((row) => [row.getAttribute('data-name'), row.getAttribute('data-failed')]));
        // order_processing version 2 (host.json defaultVersion, honoured by the devhost): stock before the charge.
        expect(activities).toEqual([
            ['validate_order', 'false'],
            ['reserve_stock', 'false'],
            ['charge_customer', 'false'],
            ['fulfill_order', 'false'],
            ['send_notification', 'false'],
        ]);
        expect(await page.textContent('#runtime-status')).toBe('Completed');
        const output = JSON.parse((await page.textContent('[data-value="output"] pre')) ?? '') as Record<
            string,
            unknown
        >;
        expect(output).toMatchObject({ status: 'completed', order_id: 'V-3', amount: { cents: 2 * 2999 } });
        expect(await page.textContent('.history h2')).toMatch(/History \(\d+ events\)/);
    });

    it('raises an event from the page, and shows the API error when the instance has finished', async () => {
        const id = await startOrchestration(fixture.origin, 'waitForApproval', null);
        await waitForStatus(fixture.origin, id, 'Running');
        await openInstancePage(page, fixture.origin, id);
        expect(await page.textContent('[data-value="custom-status"] pre')).toContain('waiting');
        await confirmDialog('raise-event', { eventName: 'Approval', data: '{"by": "ada"}' });
        await page.waitForSelector('#runtime-status:text("Completed")', { timeout: 15_000 });
        expect(JSON.parse((await page.textContent('[data-value="output"] pre')) ?? '')).toEqual({
            approved: { by: 'ada' },
        });
        expect(await page.locator('.tl-row[data-kind="event"][data-name="Approval"]').count()).toBe(1);

        await confirmDialog('raise-event', { eventName: 'Approval', data: 'not json' });
        await page.waitForSelector('dialog .error:not([hidden])');
        expect(await page.textContent('dialog .error')).toMatch(/JSON/);
        await page.fill('dialog [name="data"]', 'true');
        await page.click('dialog button[type="submit"]');
        await page.waitForSelector('dialog .error:has-text("HTTP 410")');
    });

    it('terminates from the page after confirmation', async () => {
        const id = await startOrchestration(fixture.origin, 'waitForApproval', null);
        await waitForStatus(fixture.origin, id, 'Running');
        await openInstancePage(page, fixture.origin, id);
        // By keyboard: Enter opens the dialog with focus inside it, Escape cancels it.
        await page.focus('button[data-action="terminate"]');
        await page.keyboard.press('Enter');
        await page.waitForSelector('dialog[open]');
        expect(await page.evaluate('document.activeElement.closest("dialog") !== null')).toBe(true);
        await page.keyboard.press('Escape');
        await page.waitForSelector('dialog', { state: 'detached' });
        expect((await statusOf(fixture.origin, id)).runtimeStatus).toBe('Running');
        await confirmDialog('terminate', { reason: 'not needed' });
        await page.waitForSelector('#runtime-status:text("Terminated")', { timeout: 15_000 });
        expect(await page.textContent('[data-value="output"] pre')).toContain('not needed');
    });

    it('purges from the page and returns to the list', async () => {
        const order = await startOrchestration(app.origin, 'order_processing', {
            order_id: 'V-4',
            items: [{ sku: 'CAP' }],
        });
        await waitForStatus(app.origin, order, 'Completed');
        await openInstancePage(page, app.origin, order);
        await confirmDialog('purge');
        await page.waitForURL(/\/_devhost\/\?purged=/);
        expect(await page.textContent('.notice')).toContain(order);
        expect((await statusOf(app.origin, order)).code).toBe(404);
    });

    it('shows a failed sub-orchestration in red with a link to it', async () => {
        const id = await startOrchestration(fixture.origin, 'parent', 'Ada');
        await waitForStatus(fixture.origin, id, 'Completed');
        await openInstancePage(page, fixture.origin, id);
        const failed = page.locator('.tl-row[data-kind="suborchestration"][data-failed="true"]');
        expect(await failed.count()).toBe(1);
        // The test is compiled without the DOM library, so the page's getComputedStyle is reached through globalThis.
        const color = await failed
            .locator('.tl-bar')
            .evaluate(
                (bar) =>
                    (
                        globalThis as unknown as { getComputedStyle(element: unknown): { backgroundColor: string } }
                    ).getComputedStyle(bar).backgroundColor,
            );
        expect(color).toBe('rgb(196, 23, 13)');
        await failed.locator('a').click();
        await page.waitForSelector('main[data-timeline-ready]');
        expect(await page.textContent('#runtime-status')).toBe('Failed');
        expect(await page.locator(`.facts a[href$="/instances/${id}"]`).count()).toBe(1);
    });

    it('renders a 1,000-item parallel_processing quickly: its batches as rows, each batch as one lane', async () => {
        // The app runs more than 250 items as parallel_processing_batch sub-orchestrations of 250 (docs/api.md).
        const id = await startOrchestration(app.origin, 'parallel_processing', {
            items: Array.from({ length: 1000 }, (_, i) => `item-${i}`),
        });
        await waitForStatus(app.origin, id, 'Completed', 150_000);
        const started = Date.now();
        await openInstancePage(page, app.origin, id);
        const elapsed = Date.now() - started;
        const batches = page.locator('.tl-row[data-kind="suborchestration"][data-name="parallel_processing_batch"]');
        expect(await batches.count()).toBe(4);

        const batchStarted = Date.now();
        await batches.first().locator('a').click();
        const lane = page.locator('.tl-lane[data-name="process_item"]');
        await lane.waitFor();
        const batchElapsed = Date.now() - batchStarted;
        expect(await lane.getAttribute('data-count')).toBe('250');
        expect(await page.locator('.tl-row[data-kind="activity"]:not(.tl-lane)').count()).toBe(10);
        console.log(
            `viewer: 1,000-item parallel_processing page rendered in ${elapsed} ms, a 250-item batch in ` +
                `${batchElapsed} ms (goal: under 2,000 ms each)`,
        );
        // Generous: the goal is 2 s; a loaded 2-core CI machine must not make this flaky.
        expect(elapsed).toBeLessThan(10_000);
        expect(batchElapsed).toBeLessThan(10_000);
    }, 180_000);
});
