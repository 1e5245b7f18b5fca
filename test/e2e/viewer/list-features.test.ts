import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { browserMissing, launchBrowser } from '../../support/e2e/browser';
import { startDevhost, type DevhostProcess } from '../../support/e2e/devhost-process';
import { startOrchestration, WEBHOOK } from '../../support/e2e/durable-http';
import { azuriteConnectionString, uniqueHubName } from '../../support/storage';

/**
 * The viewer's list page in headless Chromium against the built devhost running this repository's app: the
 * custom status column (order_processing puts each order's outcome there), durations with milliseconds, starting
 * an instance from the page, purge by filter with the exact count, and the started-over-time histogram. The hub
 * is this file's own, and the tests run one after another, so each knows every instance in it.
 */
let app: DevhostProcess;
let browser: Browser;
let page: Page;

beforeAll(async () => {
    if (browserMissing) return;
    [app, browser] = await Promise.all([
        startDevhost({
            env: { AzureWebJobsStorage: azuriteConnectionString(), TASKHUB_NAME: uniqueHubName('ViewerList') },
        }),
        launchBrowser(),
    ]);
});

afterAll(async () => {
    await browser?.close();
    await app?.stop();
});

beforeEach(async () => {
    if (browserMissing) return;
    page = await browser.newPage();
});

afterEach(async () => {
    await page?.close();
});

interface Status {
    runtimeStatus: string;
    customStatus: unknown;
    createdTime: string;
}

function start(input: unknown, name = 'order_processing'): Promise<string> {
    return startOrchestration(app.origin, name, input);
}

async function statusOf(id: string): Promise<{ code: number; body?: Status }> {
    const response = await fetch(`${app.origin}${WEBHOOK}/instances/${encodeURIComponent(id)}`);
    if (response.status === 404) return { code: 404 };
    return { code: response.status, body: (await response.json()) as Status };
}

async function finished(id: string): Promise<Status> {
    const deadline = Date.now() + 20_000;
    for (;;) {
        const { body } = await statusOf(id);
        if (body && !['Pending', 'Running'].includes(body.runtimeStatus)) return body;
        if (Date.now() > deadline) throw new Error(`${id} did not finish`);
        await new Promise((resolve) => setTimeout(resolve, 50));
    }
}

/** An order of each outcome (README), and one whose input fails the orchestrator's schema (runtime Failed). */
async function ordersOfEveryOutcome(tag: string): Promise<Record<string, string>> {
    const ids = {
        completed: await start({ order_id: `${tag}-ok`, items: [{ sku: 'MUG' }], email: 'ada@example.com' }),
        declined: await start({ order_id: `${tag}-dec`, items: [{ sku: 'MUG' }], payment_method: 'pm_card_declined' }),
        outOfStock: await start({ order_id: `${tag}-oos`, items: [{ sku: 'TEST-OUT-OF-STOCK' }] }),
        invalid: await start({}),
    };
    await Promise.all(Object.values(ids).map(finished));
    return ids;
}

async function openList(search = ''): Promise<void> {
    await page.goto(`${app.origin}/_devhost/${search}`);
    await page.waitForSelector('main[data-loaded]');
}

/** The text of the cell under the column titled `title` in the row of `id`. */
async function cell(title: string, id: string) {
    const titles = await page.locator('table.instances thead th').allTextContents();
    const column = titles.indexOf(title);
    expect(column, `a column titled ${title} in ${titles.join(', ')}`).toBeGreaterThanOrEqual(0);
    return page.locator(`tr[data-instance-id="${id}"] td`).nth(column);
}

/** A time as the filter's datetime-local input takes it, in the browser's (this machine's) time zone. */
function localInput(ms: number): string {
    const d = new Date(ms);
    const pad = (n: number) => String(n).padStart(2, '0');
    return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

describe.skipIf(browserMissing)('instance list features in Chromium', () => {
    it("shows each order's outcome from its custom status, cut short with the whole value in the title", async () => {
        const ids = await ordersOfEveryOutcome('CS');
        await openList();
        await page.waitForSelector(`tr[data-instance-id="${ids.invalid}"]`);
        const outcomes: Record<string, string> = {
            completed: 'completed',
            declined: 'payment_declined',
            outOfStock: 'rejected',
        };
        for (const [kind, outcome] of Object.entries(outcomes)) {
            const id = ids[kind]!;
            const { body } = await statusOf(id);
            const full = JSON.stringify(body!.customStatus);
            expect(body!.customStatus).toMatchObject({ step: 'done', outcome });
            const custom = await cell('Custom status', id);
            expect(await custom.getAttribute('title')).toBe(full);
            const shown = (await custom.textContent()) ?? '';
            // Compact JSON; a value longer than the cell's limit ends in an ellipsis and is a prefix of the whole.
            if (shown.endsWith('…')) expect(full.startsWith(shown.slice(0, -1))).toBe(true);
            else expect(shown).toBe(full);
            expect(await custom.getAttribute('data-custom-status')).toContain(`"outcome":"${outcome}"`);
        }
        // Failed before its first step: no custom status.
        expect(await (await cell('Custom status', ids.invalid!)).textContent()).toBe('—');
        expect(await page.textContent(`tr[data-instance-id="${ids.invalid}"]`)).toContain('Failed');
    });

    it("gives short instances their duration in milliseconds from the instance's row, not 0 ms", async () => {
        const id = await start({ order_id: 'DUR-1', items: [{ sku: 'MUG' }] });
        const status = await finished(id);
        await openList();
        await page.waitForSelector(`tr[data-instance-id="${id}"] td[data-duration-ms]`);
        const summary = (await (await fetch(`${app.origin}/_devhost/api/hub`)).json()) as {
            times: Record<string, [number, number]>;
        };
        const [createdMs, endMs] = summary.times[id]!;
        // The status API's own times are whole seconds; the row's are not cut.
        expect(Date.parse(status.createdTime)).toBe(Math.floor(createdMs / 1000) * 1000);
        const duration = await cell('Duration', id);
        expect(Number(await duration.getAttribute('data-duration-ms'))).toBe(endMs - createdMs);
        expect(endMs - createdMs).toBeGreaterThan(0);
        const text = (await duration.textContent()) ?? '';
        expect(text).not.toBe('0 ms');
        expect(text).toMatch(/^\d+ ms$|^\d+\.\d+ s$/);
    });

    it('starts an instance from the page: registered names, JSON checked, chosen id and version', async () => {
        await openList();
        await page.click('button[data-action="start"]');
        await page.waitForSelector('dialog[open]');
        const names = await page.locator('dialog select[name="name"] option').allTextContents();
        expect(names).toEqual(expect.arrayContaining(['order_processing', 'parallel_processing']));
        // Activities are not orchestrators.
        expect(names).not.toContain('validate_order');
        expect(await page.getAttribute('dialog input[name="version"]', 'placeholder')).toBe('2.0');

        await page.selectOption('dialog select[name="name"]', 'order_processing');
        await page.fill('dialog [name="input"]', "{order_id: 'x'}");
        await page.fill('dialog [name="instanceId"]', 'started-from-viewer');
        await page.fill('dialog [name="version"]', '1.0');
        await page.click('dialog button[type="submit"]');
        await page.waitForSelector('dialog .error:not([hidden])');
        expect(await page.textContent('dialog .error')).toMatch(/not JSON/);
        expect((await statusOf('started-from-viewer')).code).toBe(404);

        await page.fill('dialog [name="input"]', '{"order_id": "SV-1", "items": [{"sku": "MUG"}]}');
        await page.click('dialog button[type="submit"]');
        await page.waitForURL(/\/_devhost\/instances\/started-from-viewer$/);
        const status = await finished('started-from-viewer');
        expect(status).toMatchObject({ runtimeStatus: 'Completed', customStatus: { outcome: 'completed' } });
        const detail = (await (await fetch(`${app.origin}/_devhost/api/instances/started-from-viewer`)).json()) as {
            instance: { version: string; input: string };
            history: Array<{ EventType: string; Name?: string }>;
        };
        expect(detail.instance.version).toBe('1.0');
        expect(JSON.parse(detail.instance.input)).toEqual({ order_id: 'SV-1', items: [{ sku: 'MUG' }] });
        // Version 1 of order_processing has no stock step: the version reached the orchestrator.
        const activities = detail.history.filter((e) => e.EventType === 'TaskScheduled').map((e) => e.Name);
        expect(activities).toContain('charge_customer');
        expect(activities).not.toContain('reserve_stock');

        // What the API refuses (here a version longer than it takes) is shown in the dialog, which stays open.
        await openList();
        await page.click('button[data-action="start"]');
        await page.fill('dialog [name="version"]', 'x'.repeat(300));
        await page.click('dialog button[type="submit"]');
        await page.waitForSelector('dialog .error:has-text("HTTP 400")');
    });

    it('purges what the status and created-time filter selects, after saying exactly how many', async () => {
        // A second boundary between earlier instances and these (the filter's times are whole seconds).
        const older = await start({ order_id: 'PG-old', items: [{ sku: 'MUG' }] });
        await finished(older);
        await new Promise((resolve) => setTimeout(resolve, 1100));
        const from = Math.ceil(Date.now() / 1000) * 1000;
        await new Promise((resolve) => setTimeout(resolve, from - Date.now() + 10));
        const ids = await ordersOfEveryOutcome('PG');
        const completed = [ids.completed!, ids.declined!, ids.outOfStock!];

        // A name filter is not something purge-many can apply: the button says so and stays off.
        await openList(`?status=Completed&name=order&from=${encodeURIComponent(localInput(from))}`);
        expect(await page.isDisabled('button[data-action="purge-filter"]')).toBe(true);
        expect(await page.textContent('#purge-note')).toMatch(/orchestrator name/);

        await openList(`?status=Completed&from=${encodeURIComponent(localInput(from))}`);
        for (const id of completed) await page.waitForSelector(`tr[data-instance-id="${id}"]`);
        expect(await page.locator(`tr[data-instance-id="${older}"]`).count()).toBe(0);
        await page.click('button[data-action="purge-filter"]');
        await page.waitForSelector('dialog[open]');
        expect(await page.textContent('dialog h2')).toBe('Purge 3 instances?');
        expect(await page.textContent('dialog p')).toMatch(/^This deletes 3 instances \(3 Completed\)/);
        // Cancel purges nothing.
        await page.click('dialog button.secondary');
        await page.waitForSelector('dialog', { state: 'detached' });
        expect((await statusOf(ids.completed!)).code).toBe(200);

        await page.click('button[data-action="purge-filter"]');
        await page.click('dialog button[type="submit"]');
        await page.waitForSelector('.notice:has-text("Purged 3 instances.")');
        for (const id of completed) expect((await statusOf(id)).code).toBe(404);
        // Outside the filter: the Failed one in the window and the Completed one before it stay.
        expect((await statusOf(ids.invalid!)).body?.runtimeStatus).toBe('Failed');
        expect((await statusOf(older)).code).toBe(200);
        await page.waitForSelector(`tr[data-instance-id="${ids.completed}"]`, { state: 'detached' });
    });

    it('draws the filtered list over time, one bar per bucket coloured by status, with the counts in words', async () => {
        await ordersOfEveryOutcome('HG');
        await openList('?name=order_processing');
        await page.waitForSelector('.histogram svg[role="img"]');
        const listed = await page
            .locator('table.instances tbody tr[data-instance-id]')
            .evaluateAll((rows) => rows.map((row) => row.getAttribute('data-status') ?? ''));
        // All on one page (fewer than 25), so the table's rows are the whole filtered list.
        expect(listed.length).toBeLessThan(25);
        const expected: Record<string, number> = {};
        for (const status of listed) expected[status] = (expected[status] ?? 0) + 1;
        expect(Object.keys(expected)).toEqual(expect.arrayContaining(['Completed', 'Failed']));

        const chart = page.locator('.histogram svg[role="img"]');
        // A string: this file is compiled without the DOM library.
        await page.waitForFunction(
            `document.querySelector('.histogram svg')?.getAttribute('data-total') === '${listed.length}'`,
        );
        const drawn = await chart
            .locator('rect[data-status]')
            .evaluateAll((rects) =>
                rects.map((rect) => [rect.getAttribute('data-status') ?? '', Number(rect.getAttribute('data-count'))]),
            );
        const byStatus: Record<string, number> = {};
        for (const [status, count] of drawn as Array<[string, number]>)
            byStatus[status] = (byStatus[status] ?? 0) + count;
        expect(byStatus).toEqual(expected);
        const label = (await chart.getAttribute('aria-label')) ?? '';
        expect(label).toContain(`${listed.length} in all`);
        expect(label).toContain(`${expected.Completed} Completed`);
        expect(label).toContain(`${expected.Failed} Failed`);
        // Each bar has a title with its own counts.
        const titles = await chart.locator('g[data-total] title').allTextContents();
        expect(titles.length).toBe(Number(await chart.getAttribute('data-buckets')));
        // The completed and failed bars differ in colour.
        const fill = (status: string) =>
            chart
                .locator(`rect[data-status="${status}"]`)
                .first()
                .evaluate(
                    (rect) =>
                        (
                            globalThis as unknown as { getComputedStyle(element: unknown): { fill: string } }
                        ).getComputedStyle(rect).fill,
                );
        expect(await fill('Completed')).toBe('rgb(26, 127, 55)');
        expect(await fill('Failed')).toBe('rgb(196, 23, 13)');
        // The same numbers as a table, for the keyboard and screen readers.
        await page.click('.histogram-table summary');
        const tableTotal = await page
            .locator('.histogram-table tbody td.num')
            .evaluateAll((cells) => cells.reduce((sum, c) => sum + Number(c.textContent), 0));
        expect(tableTotal).toBe(listed.length);
    });
});
