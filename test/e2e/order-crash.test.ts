import { afterEach, describe, expect, it } from 'vitest';
import { freePort, pollUntilDone, startDevhost, type DevhostProcess } from '../support/e2e/devhost-process';
import { charges, ordersApi } from '../support/e2e/orders-api';
import { azuriteConnectionString, uniqueHubName } from '../support/storage';

/**
 * SIGKILL of the devhost process in the middle of orders, then a restart on the same task hub and tables:
 * every order completes, each charged exactly once and shipped once. Activities run at least once (a kill
 * between a charge and its checkpoint runs charge_customer again); the idempotency keys and the ledger make
 * the second run a no-op. The restarted process takes over the killed one's messages when their leases end
 * (at most 15 s, packages/devhost/src/extensions/durable/runtime/durable-config.ts), so this test takes about half a minute.
 */
let devhost: DevhostProcess | undefined;
const api = ordersApi(() => {
    if (devhost === undefined) throw new Error('no devhost');
    return devhost.origin;
});

afterEach(async () => {
    await devhost?.stop('SIGKILL');
});

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describe('an order across a SIGKILL of the devhost', () => {
    it('completes after a restart with exactly one charge and one shipment per order', async () => {
        const env = {
            AzureWebJobsStorage: azuriteConnectionString(),
            TASKHUB_NAME: uniqueHubName('Crash'),
            ORDERS_TABLE_PREFIX: uniqueHubName('Crash'),
        };
        // Flaky cards charge on the retry, about a second in; the others charge at once. The first kill lands
        // after some charge and before its order ends; the second 1.2 s into the restarted host, while it
        // takes over the killed one's work.
        const orders = Array.from({ length: 12 }, (_, i) => ({
            order_id: `K-${i}`,
            items: ['widget-a', { sku: 'widget-b', quantity: i + 1 }],
            email: 'ada@example.com',
            payment_method: i % 2 === 0 ? 'pm_card_flaky' : 'pm_card_visa',
        }));
        // One port for every run, so the management URLs stay valid across restarts, as on a real host.
        const port = await freePort();
        devhost = await startDevhost({ env, port });
        const started = await Promise.all(orders.map((order) => api.start('order_processing', order)));
        // Kill the moment some order has been charged but has not finished: its charge is in the ledger, the
        // rest of its work (and maybe the charge's own checkpoint) is not.
        const deadline = Date.now() + 20_000;
        let caught: string[] = [];
        while (caught.length === 0) {
            expect(Date.now(), 'no order was caught between its charge and its end').toBeLessThan(deadline);
            const views = await Promise.all(orders.map((order) => api.order(order.order_id)));
            caught = views
                .filter((view) => view.runtime_status !== 'Completed' && charges(view).length === 1)
                .map((view) => view.order_id);
        }
        await devhost.stop('SIGKILL');
        console.log(`SIGKILL with ${caught.join(', ')} charged and unfinished`);

        devhost = await startDevhost({ env, port });
        await sleep(1_200);
        await devhost.stop('SIGKILL');

        devhost = await startDevhost({ env, port });
        // The client retries its POSTs against the restarted host: same instances, nothing new.
        for (const [i, order] of orders.entries()) {
            expect(await api.start('order_processing', order)).toEqual(started[i]);
        }
        // A killed host's held messages reappear when their leases run out: up to a minute after each kill, since
        // leases grow while held (packages/devhost/README.md, "When the devhost is killed"). Two kills: allow two minutes and more.
        const restarted = Date.now();
        for (const [i, order] of orders.entries()) {
            const status = await pollUntilDone(started[i]?.statusQueryGetUri ?? '', 130_000);
            expect(status.runtimeStatus, order.order_id).toBe('Completed');
            expect(status.output, order.order_id).toMatchObject({
                status: 'completed',
                amount: { cents: (i + 2) * 2999 },
                notification: 'sent',
            });
            const view = await api.order(order.order_id);
            expect(charges(view), order.order_id).toEqual([
                expect.objectContaining({ id: (status.output as { charge_id: string }).charge_id }),
            ]);
            expect(view.ledger.filter((entry) => entry.kind === 'refund')).toEqual([]);
            expect(view.shipment?.tracking_number).toBe((status.output as { tracking_number: string }).tracking_number);
            expect(view.notifications.filter((n) => n.outcome === 'sent').length, order.order_id).toBeGreaterThan(0);
        }
        console.log(`all ${orders.length} orders completed ${Date.now() - restarted} ms after the last restart`);
    }, 300_000);
});
