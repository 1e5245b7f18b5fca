/**
 * order_processing through the devhost's testing toolkit (devhost/testing, createTestHost): the built app on
 * the real Durable engine with the task hub in memory and virtual time, the app's own activities writing to
 * its ledger (on the run's Azurite). What the README's order flows promise, in milliseconds per order; and
 * today's orchestrator code replayed against histories recorded from real runs (`replay`).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { OrchestrationContext } from 'durable-functions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestHost, NonDeterminismError, replay, type TestHost } from 'devhost/testing';
import { orderProcessing } from '../../src/orchestrators/order-processing';
import { azuriteConnectionString, uniqueHubName } from '../support/storage';

const repoRoot = path.resolve(__dirname, '../..');
let host: TestHost;

beforeAll(async () => {
    // The orders' ledger is the app's own Table storage; the task hub is in memory.
    process.env.AzureWebJobsStorage = azuriteConnectionString();
    process.env.ORDERS_TABLE_PREFIX = uniqueHubName('Kit');
    host = await createTestHost({ appDir: repoRoot });
}, 60_000);

afterAll(async () => {
    await host?.close();
});

interface OrderOutput {
    status: string;
    charge_id?: string;
    refunded?: boolean;
    reason?: string;
}

async function order(orderId: string, body: Record<string, unknown>): Promise<{ id: string; output: OrderOutput }> {
    const started = await host.fetch('/api/orchestrations/order_processing', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ order_id: orderId, ...body }),
    });
    expect(started.status).toBe(202);
    const { id } = (await started.json()) as { id: string };
    const status = await host.waitForCompletion(id);
    expect(status.runtimeStatus).toBe('Completed');
    return { id, output: status.output as OrderOutput };
}

async function ledgerKinds(orderId: string): Promise<string[]> {
    const response = await host.fetch(`/api/orders/${orderId}`);
    expect(response.status).toBe(200);
    const body = (await response.json()) as { ledger: { kind: string }[] };
    return body.ledger.map((entry) => entry.kind);
}

describe('order_processing on the test host', () => {
    it('completes the reference request and charges once', async () => {
        const { output } = await order('kit-1', { items: ['widget-a', 'widget-b'] });
        expect(output.status).toBe('completed');
        expect(await ledgerKinds('kit-1')).toEqual(['charge']);
    });

    it('retries a flaky card after its back-off in test time, and charges once', async () => {
        const before = host.now().getTime();
        const began = Date.now();
        const { output } = await order('kit-2', { items: ['widget-a'], payment_method: 'pm_card_flaky' });
        expect(output.status).toBe('completed');
        expect(await ledgerKinds('kit-2')).toEqual(['charge']);
        // The retry waited its back-off in virtual time, not in real time.
        expect(host.now().getTime() - before).toBeGreaterThanOrEqual(1_000);
        expect(Date.now() - began).toBeLessThan(5_000);
    });

    it('refunds the charge when the warehouse cannot ship', async () => {
        const { output } = await order('kit-3', { items: ['TEST-WAREHOUSE-DOWN'] });
        expect(output).toMatchObject({ status: 'failed', refunded: true });
        expect(await ledgerKinds('kit-3')).toEqual(['charge', 'refund']);
    });

    it('rejects an order it has no stock for without charging it', async () => {
        const { output } = await order('kit-4', { items: ['TEST-OUT-OF-STOCK'] });
        expect(output).toMatchObject({ status: 'rejected' });
        expect(await ledgerKinds('kit-4')).toEqual([]);
    });
});

/** A run of the built app on Azurite, recorded by scripts/record-histories.mjs (the provider's history rows). */
function recording(file: string): unknown {
    return JSON.parse(readFileSync(path.join(repoRoot, 'test/app/replay/recorded', file), 'utf8'));
}

describe('order_processing replayed against recorded histories', () => {
    it.each(['order-completed.json', 'order-flaky-payment.json', 'order-out-of-stock-v2.0.json'])(
        '%s replays on today’s code without a divergence',
        async (file) => {
            const report = await replay(recording(file) as never, orderProcessing);
            expect(report.runtimeStatus).toBe('Completed');
        },
    );

    it('catches a deliberately non-deterministic change and names the diverging event and line', async () => {
        // "Notify first": a step added in front of the steps orders in flight already took.
        function* notifyFirst(context: OrchestrationContext) {
            yield context.df.callActivity('send_notification', { order_id: 'early' }); // THE CHANGE
            return yield* orderProcessing(context);
        }
        const error = await replay(recording('order-completed.json') as never, notifyFirst).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(NonDeterminismError);
        const { historyEvent, produced, orchestratorLine } = error as NonDeterminismError;
        expect(historyEvent).toBe("TaskScheduled #0 'validate_order'");
        expect(produced).toContain("'send_notification'");
        const line =
            readFileSync(__filename, 'utf8')
                .split('\n')
                .findIndex((text) => text.includes('// THE CHANGE')) + 1;
        expect(orchestratorLine).toMatch(new RegExp(`order-processing-on-test-host\\.test\\.ts:${line}:\\d+$`));
    });
});
