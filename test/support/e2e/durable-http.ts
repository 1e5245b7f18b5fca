/**
 * What the viewer's browser tests do over the Durable HTTP API and in the page, the same in every file: start an
 * orchestration on a devhost process and open an instance's page once its timeline is drawn.
 */
import type { Page } from 'playwright-core';
import { expect } from 'vitest';

export const WEBHOOK = '/runtime/webhooks/durabletask';

/** The start route (`version` as `?version=`; none: the host's defaultVersion); resolves to the instance id. */
export async function startOrchestration(
    origin: string,
    name: string,
    input: unknown,
    version?: string,
): Promise<string> {
    const query = version === undefined ? '' : `?version=${encodeURIComponent(version)}`;
    const response = await fetch(`${origin}${WEBHOOK}/orchestrators/${name}${query}`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify(input),
    });
    expect(response.status).toBe(202);
    return ((await response.json()) as { id: string }).id;
}

/** The viewer's page of one instance, once its timeline is ready. */
export async function openInstancePage(page: Page, origin: string, id: string): Promise<void> {
    await page.goto(`${origin}/_devhost/instances/${encodeURIComponent(id)}`);
    await page.waitForSelector('main[data-timeline-ready]');
}
