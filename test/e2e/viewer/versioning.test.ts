import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { browserMissing, launchBrowser } from '../../support/e2e/browser';
import { devhostRoot, startDevhost, type DevhostProcess } from '../../support/e2e/devhost-process';
import { openInstancePage, startOrchestration, WEBHOOK } from '../../support/e2e/durable-http';
import { azuriteConnectionString, uniqueHubName } from '../../support/storage';

/**
 * The viewer's orchestration versioning (packages/devhost/docs/protocol.md §16) in headless Chromium, against the built devhost
 * hosting the `versioning` fixture app: its host.json sets defaultVersion 1.0 and leaves the extension's
 * defaults, versionMatchStrategy CurrentOrOlder and versionFailureStrategy Reject, so an instance started as
 * 2.0 is turned away and waits, Pending, while older ones run.
 */
const REASON_2_0 =
    "Orchestration version '2.0' does not match: this host runs versions up to '1.0' (versionMatchStrategy CurrentOrOlder).";
let host: DevhostProcess;
let browser: Browser;
let page: Page;

beforeAll(async () => {
    if (browserMissing) return;
    [host, browser] = await Promise.all([
        startDevhost({
            appDir: path.join(devhostRoot, 'test/fixtures/durable-apps/versioning'),
            env: { AzureWebJobsStorage: azuriteConnectionString(), FIXTURE_HUB: uniqueHubName('ViewerVer') },
        }),
        launchBrowser(),
    ]);
});

afterAll(async () => {
    await browser?.close();
    await host?.stop();
});

beforeEach(async () => {
    if (browserMissing) return;
    page = await browser.newPage();
});

afterEach(async () => {
    await page?.close();
});

async function waitForStatus(id: string, wanted: string, timeoutMs = 20_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
        const response = await fetch(`${host.origin}${WEBHOOK}/instances/${id}`);
        const status = response.status === 404 ? undefined : ((await response.json()) as { runtimeStatus: string });
        if (status?.runtimeStatus === wanted) return;
        if (Date.now() > deadline) throw new Error(`${id} did not reach ${wanted}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
    }
}

async function openList(query = ''): Promise<void> {
    await page.goto(`${host.origin}/_devhost/${query}`);
    await page.waitForSelector('main[data-loaded]');
}

async function openInstance(id: string): Promise<void> {
    await openInstancePage(page, host.origin, id);
}

/** The instance ids the list shows, top to bottom. */
function listedIds(): Promise<string[]> {
    return page
        .locator('table.instances tbody tr[data-instance-id]')
        .evaluateAll((rows) => rows.map((row) => row.getAttribute('data-instance-id') ?? ''));
}

/** The text of the cell under the column titled `title` in the row of `id`. */
async function cellUnder(title: string, id: string): Promise<string | undefined> {
    const titles = await page.locator('table.instances thead th').allTextContents();
    const column = titles.indexOf(title);
    expect(column, `a column titled ${title} in ${titles.join(', ')}`).toBeGreaterThanOrEqual(0);
    const cells = await page.locator(`tr[data-instance-id="${id}"] td`).allTextContents();
    return cells[column];
}

describe.skipIf(browserMissing)('orchestration versions in the instance viewer', () => {
    it("shows each instance's version in the Version column, and the version filter keeps only that version", async () => {
        const older = await startOrchestration(host.origin, 'reportVersion', {}, '0.5');
        const byDefault = await startOrchestration(host.origin, 'reportVersion', {});
        await Promise.all([waitForStatus(older, 'Completed'), waitForStatus(byDefault, 'Completed')]);

        await openList();
        await page.waitForSelector(`tr[data-instance-id="${older}"] td[data-version="0.5"]`);
        expect(await cellUnder('Version', older)).toBe('0.5');
        expect(await cellUnder('Version', byDefault)).toBe('1.0');

        // The filter form: Apply keeps only 0.5 instances, and the URL keeps the filter.
        await page.fill('form.filters input[name="version"]', '0.5');
        await page.click('form.filters button[type="submit"]');
        await page.waitForSelector(`tr[data-instance-id="${byDefault}"]`, { state: 'detached', timeout: 10_000 });
        expect(await listedIds()).toEqual([older]);
        expect(new URL(page.url()).searchParams.get('version')).toBe('0.5');
        expect(await page.textContent('#instance-count')).toMatch(/^1 instance,/);

        // From the URL, another version: only the instances of 1.0 (none of 0.5).
        await openList('?version=1.0');
        await page.waitForSelector(`tr[data-instance-id="${byDefault}"]`);
        expect(await listedIds()).toEqual([byDefault]);
        expect(await page.inputValue('form.filters input[name="version"]')).toBe('1.0');

        // Clear shows every version again.
        await page.click('form.filters button.secondary:has-text("Clear")');
        await page.waitForSelector(`tr[data-instance-id="${older}"]`);
        expect(await listedIds()).toEqual(expect.arrayContaining([older, byDefault]));
    });

    it('shows an instance newer than the host as Pending and waiting, with the reason and the next try, in the list and on its page', async () => {
        const newer = await startOrchestration(host.origin, 'reportVersion', {}, '2.0');

        await openList();
        // The list polls: the row shows the waiting note once the host has turned the instance away.
        const note = page.locator(`tr[data-instance-id="${newer}"][data-status="Pending"] .waiting-note`);
        await note.waitFor({ timeout: 10_000 });
        expect(await note.textContent()).toContain('waiting: version');
        expect(await note.getAttribute('title')).toBe(REASON_2_0);
        expect(await cellUnder('Version', newer)).toBe('2.0');
        // The summary says what this host runs, and lists the instance it turned away with the reason.
        expect(await page.textContent('.versioning-note p')).toBe(
            'Orchestration version of this host: 1.0 (versionMatchStrategy CurrentOrOlder, versionFailureStrategy Reject).',
        );
        const listed = await page.textContent(`.versioning-note li[data-instance="${newer}"]`);
        expect(listed).toContain(`${newer} waits: ${REASON_2_0} Next try about `);

        await page.click(`tr[data-instance-id="${newer}"] a`);
        await page.waitForSelector('main[data-timeline-ready]');
        const waiting = page.locator('#version-waiting');
        await waiting.waitFor({ timeout: 10_000 });
        const first = (await waiting.textContent()) ?? '';
        expect(first).toMatch(
            new RegExp(
                `^Waiting: ${escapeRegExp(REASON_2_0)} Its messages wait on the queue for a host that runs it; ` +
                    'next try about \\d{1,2}:\\d{2}:\\d{2}\\.\\d{3}( [AP]M)?\\.$',
            ),
        );
        expect(await page.textContent('#runtime-status')).toBe('Pending');
        expect(await page.textContent('#instance-version')).toBe('2.0');
        expect(await page.textContent('.history h2')).toBe('History (0 events)');
        // Still turned away when its start comes back from the queue: the page, polling, shows the next try.
        await page.waitForFunction(
            (previous) => {
                const element = (
                    globalThis as unknown as {
                        document: { getElementById(id: string): { textContent: string | null } | null };
                    }
                ).document.getElementById('version-waiting');
                return element !== null && element.textContent !== previous;
            },
            first,
            { timeout: 15_000 },
        );
        expect(await page.textContent('#version-waiting')).toContain(REASON_2_0);
        expect(await page.textContent('#runtime-status')).toBe('Pending');
    });

    it("shows the instance's version on its page, and each sub-orchestration's own version on theirs", async () => {
        // versionParent (0.8) calls reportVersion without a version (the host's 1.0), then pinned to 0.5.
        const parent = await startOrchestration(host.origin, 'versionParent', null, '0.8');
        await waitForStatus(parent, 'Completed');
        await openInstance(parent);
        expect(await page.textContent('#instance-version')).toBe('0.8');
        expect(await page.locator('#version-waiting').count()).toBe(0);

        const children = await page
            .locator('.facts .children a')
            .evaluateAll((links) => links.map((link) => link.getAttribute('href') ?? ''));
        expect(children).toHaveLength(2);
        const versions: string[] = [];
        for (const href of children) {
            await page.goto(`${host.origin}${href}`);
            await page.waitForSelector('main[data-timeline-ready]');
            expect(await page.textContent('#runtime-status')).toBe('Completed');
            versions.push((await page.textContent('#instance-version')) ?? '');
        }
        expect(versions).toEqual(['1.0', '0.5']);
    });
});

function escapeRegExp(text: string): string {
    return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
