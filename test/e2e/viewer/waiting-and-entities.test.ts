import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { browserMissing, launchBrowser } from '../../support/e2e/browser';
import { devhostRoot, startDevhost, type DevhostProcess } from '../../support/e2e/devhost-process';
import { openInstancePage, startOrchestration, WEBHOOK } from '../../support/e2e/durable-http';
import { azuriteConnectionString, uniqueHubName } from '../../support/storage';

/**
 * The instance page's "Waiting for" and the entities pages in headless Chromium, against the built devhost:
 * this repository's app (an order started as a version this host turns away: it waits, Pending, and the page
 * says why) and the durable fixture app (waitForApproval waits for the event "Approval"; `timer` waits for a
 * timer; counterEntity is an entity to list, read and delete).
 */
let app: DevhostProcess;
let fixture: DevhostProcess;
let browser: Browser;
let page: Page;

beforeAll(async () => {
    if (browserMissing) return;
    const storage = azuriteConnectionString();
    [app, fixture, browser] = await Promise.all([
        startDevhost({ env: { AzureWebJobsStorage: storage, TASKHUB_NAME: uniqueHubName('ViewerWait') } }),
        startDevhost({
            appDir: path.join(devhostRoot, 'test/fixtures/durable-apps/basic'),
            env: { AzureWebJobsStorage: storage, FIXTURE_HUB: uniqueHubName('ViewerEnt') },
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

async function signal(key: string, op: string, input?: unknown): Promise<void> {
    const response = await fetch(`${fixture.origin}${WEBHOOK}/entities/counterEntity/${key}?op=${op}`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: input === undefined ? '' : JSON.stringify(input),
    });
    expect(response.status).toBe(202);
}

describe.skipIf(browserMissing)('"Waiting for" and entities in the instance viewer', () => {
    it('says why an order of a version this host turns away is still Pending', async () => {
        const order = await startOrchestration(
            app.origin,
            'order_processing',
            { order_id: 'W-1', items: [{ sku: 'MUG' }], email: 'ada@example.com' },
            '3.0',
        );
        await openInstancePage(page, app.origin, order);
        const reason = page.locator('#waiting-for [data-waiting="not-running"] li');
        await reason.first().waitFor({ timeout: 15_000 });
        expect(await reason.first().textContent()).toContain("'3.0'");
        expect(await page.textContent('#waiting-for h2')).toBe('Waiting for');
        // It never ran, so no wait of its own is known yet; the page says so instead of guessing.
        expect(await page.textContent('#waiting-for [data-events="unknown"]')).toBe(
            'Events: none yet: the orchestrator has not run.',
        );
    });

    it('names the event a running orchestration waits for, and hides the section once the event completes it', async () => {
        const id = await startOrchestration(fixture.origin, 'waitForApproval', null);
        await openInstancePage(page, fixture.origin, id);
        const event = page.locator('#waiting-for [data-waiting="events"] li');
        await event.first().waitFor({ timeout: 15_000 });
        expect(await event.allTextContents()).toEqual(['External event Approval']);

        // Raise it from the page: the instance completes and has nothing left to wait for.
        await page.click('button[data-action="raise-event"]');
        await page.fill('dialog [name="eventName"]', 'Approval');
        await page.fill('dialog [name="data"]', 'true');
        await page.click('dialog button[type="submit"]');
        await page.waitForSelector('#runtime-status:text("Completed")', { timeout: 15_000 });
        await page.waitForSelector('#waiting-for', { state: 'hidden' });
    });

    it('shows a timer with the time it fires', async () => {
        const id = await startOrchestration(fixture.origin, 'timer', 600_000);
        await openInstancePage(page, fixture.origin, id);
        const timer = page.locator('#waiting-for [data-waiting="timers"] li');
        await timer.first().waitFor({ timeout: 15_000 });
        const fireAt = await timer.first().locator('time').getAttribute('datetime');
        expect(await timer.first().textContent()).toMatch(/^Timer 0 fires at .+ \(in (9|10) min \d+ s\)$/);
        // 10 minutes after the orchestrator's first run, within the second it started.
        expect(Math.abs(Date.parse(fireAt!) - 600_000 - Date.now())).toBeLessThan(30_000);
        await fetch(`${fixture.origin}${WEBHOOK}/instances/${id}/terminate?reason=done`, { method: 'POST' });
    });

    it('lists entities with state and last operation, filters them by name, and opens one entity', async () => {
        await signal('kept', 'add', 5);
        await signal('gone', 'add', 1);
        await signal('gone', 'delete');

        // From the instances list through the top navigation, as a keyboard user would.
        await page.goto(`${fixture.origin}/_devhost/`);
        await page.focus('nav.top-nav a:text("Entities")');
        await page.keyboard.press('Enter');
        await page.waitForURL(`${fixture.origin}/_devhost/entities`);
        const kept = page.locator('tr[data-entity="@counterentity@kept"]');
        await kept.locator('td.entity-state:text("5")').waitFor({ timeout: 15_000 });
        expect(await kept.locator('td').allTextContents()).toEqual([
            'counterentity',
            'kept',
            '5',
            expect.stringMatching(/\d/) as string,
            '',
        ]);
        const gone = page.locator('tr[data-entity="@counterentity@gone"]');
        await gone.locator('.entity-deleted').waitFor({ timeout: 15_000 });
        expect(await page.textContent('#entity-count')).toContain('1 deleted');

        // The name filter keeps the URL and leaves out every other name.
        await page.fill('form.filters input[name="name"]', 'nobody');
        await page.click('form.filters button[type="submit"]');
        await page.waitForSelector('td.empty:text("No entities.")');
        expect(new URL(page.url()).searchParams.get('name')).toBe('nobody');
        await page.fill('form.filters input[name="name"]', 'COUNTER');
        await page.click('form.filters button[type="submit"]');
        await kept.waitFor();

        // One entity's own view: its state from the Durable HTTP API, and a link to its history.
        await kept.locator('a').click();
        await page.waitForURL(`${fixture.origin}/_devhost/entities/${encodeURIComponent('@counterentity@kept')}`);
        await page.waitForSelector('#entity-state:text("5")');
        expect(await page.textContent('#entity-title')).toBe('Entity counterentity kept');
        expect(await page.getAttribute('a:text("its operations on the instance page")', 'href')).toBe(
            `/_devhost/instances/${encodeURIComponent('@counterentity@kept')}`,
        );

        await page.goto(`${fixture.origin}/_devhost/entities/${encodeURIComponent('@counterentity@gone')}`);
        await page.waitForSelector('#entity-state:text("No state")');
    });
});
