import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAzurite, type RunningAzurite } from 'devhost/testing';
import { pollUntilDone, startDevhost, type DevhostProcess } from '../support/e2e/devhost-process';
import { ordersApi } from '../support/e2e/orders-api';
import { uniqueHubName } from '../support/storage';

/**
 * parallel_processing at size over real HTTP on the devhost process: 10,000 items, and the limit. On its own
 * in-memory Azurite: thousands of live queue messages make every queue call of the account slower, and the
 * other test files share the run's Azurite.
 */
let devhost: DevhostProcess;
let azurite: RunningAzurite;
const api = ordersApi(() => devhost.origin);

beforeAll(async () => {
    azurite = await startAzurite({ inMemory: true });
    devhost = await startDevhost({
        env: { AzureWebJobsStorage: azurite.connectionString, TASKHUB_NAME: uniqueHubName('Par') },
    });
});

afterAll(async () => {
    expect(await devhost?.stop()).toBe(0);
    await azurite?.stop();
});

interface Summary {
    total: number;
    successful: number;
    failed: number;
    results: { status: string; ok: boolean; index: number; item: unknown }[];
}

describe('parallel_processing on the devhost', () => {
    it('gives each result the recipe status and reports {processed, total}', async () => {
        const status = await api.run('parallel_processing', { items: ['apple', { sku: 'PEAR' }, null] });
        expect(status.output).toEqual({
            total: 3,
            successful: 2,
            failed: 1,
            results: [
                { status: 'success', ok: true, index: 0, item: 'apple', result: 'Processed apple' },
                { status: 'success', ok: true, index: 1, item: { sku: 'PEAR' }, result: 'Processed PEAR' },
                {
                    status: 'failed',
                    ok: false,
                    index: 2,
                    item: null,
                    error: 'Item of type null cannot be processed',
                },
            ],
        });
        expect(status.customStatus).toEqual({ processed: 3, total: 3 });
    });

    it('runs 10,000 items in batches to Completed, results in input order, progress moving', async () => {
        const items = Array.from({ length: 10_000 }, (_, i) => (i % 1000 === 999 ? '' : `item-${i}`));
        const started = await api.start('parallel_processing', { items });
        const seen = new Set<number>();
        const begun = Date.now();
        for (;;) {
            const compact = await api.compactStatus(started.id);
            const progress = compact.custom_status as { processed: number; total: number } | null;
            if (progress !== null) {
                expect(progress.total).toBe(10_000);
                seen.add(progress.processed);
            }
            if (compact.runtime_status !== 'Running' && compact.runtime_status !== 'Pending') break;
            // About 45 s on an idle 2-core machine; several times that when the machine is shared.
            expect(Date.now() - begun, 'still running').toBeLessThan(840_000);
            await new Promise((resolve) => setTimeout(resolve, 250));
        }
        const status = await pollUntilDone(started.statusQueryGetUri);
        expect(status.runtimeStatus).toBe('Completed');
        const output = status.output as Summary;
        expect(output).toMatchObject({ total: 10_000, successful: 9_990, failed: 10 });
        expect(output.results.map((result) => result.index)).toEqual(items.map((_, i) => i));
        expect(output.results.map((result) => result.item)).toEqual(items);
        expect(output.results.filter((result) => result.status === 'failed').map((r) => r.index)).toEqual(
            Array.from({ length: 10 }, (_, i) => i * 1000 + 999),
        );
        // Progress moved through intermediate values, not just 0 and 10,000.
        expect([...seen].some((processed) => processed > 0 && processed < 10_000)).toBe(true);
        console.log(`10,000 items: ${Date.now() - begun} ms from start to Completed`);
    }, 900_000);

    it('refuses more than 10,000 items with a 400 problem and starts nothing', async () => {
        const instances = async (): Promise<number> =>
            ((await (await fetch(`${devhost.origin}/runtime/webhooks/durabletask/instances/`)).json()) as unknown[])
                .length;
        const before = await instances();
        const response = await api.post(
            'parallel_processing',
            JSON.stringify({ items: Array.from({ length: 10_001 }, (_, i) => i) }),
        );
        expect(response.status).toBe(400);
        expect(response.headers.get('content-type')).toContain('application/problem+json');
        expect(await response.json()).toMatchObject({
            status: 400,
            errors: [{ field: 'items', message: 'items has more than 10000 entries (the maximum)' }],
        });
        expect(await instances()).toBe(before);
    });
});
