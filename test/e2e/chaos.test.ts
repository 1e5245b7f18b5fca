import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { QueueServiceClient } from '@azure/storage-queue';
import { afterAll, describe, expect, it } from 'vitest';
import { EventType } from 'devhost/history';
import { createTaskHubStorage, parseConnectionString } from 'devhost/task-hub';
import { hubProblems, startAzurite, type RunningAzurite } from 'devhost/testing';
import {
    freePort,
    pollUntilDone,
    startDevhost,
    type DevhostProcess,
    type StatusPayload,
} from '../support/e2e/devhost-process';
import { charges, ordersApi, type CheckStatus } from '../support/e2e/orders-api';
import { uniqueHubName } from '../support/storage';

/**
 * Chaos on the real CLI process: 100 orders and a 1,000-item parallel_processing in flight, the
 * devhost killed with SIGKILL at seeded random moments 10 times and restarted on the same task hub. In the end:
 * every instance terminal with the right output, each order charged once and shipped once (the ledger), every
 * row agreeing with its history (status, execution, output, and each order's custom status 'done'), every
 * history clean (one completion per scheduled task or sub-orchestration, no result applied twice), and no
 * message left on the hub's queues. `CHAOS_SEED` replays a run's kill moments; the seed is printed.
 *
 * On its own in-memory Azurite (a 1,000-item fan-out loads the account every other file shares). The last
 * process takes over the killed ones' leased messages when their leases run out (15 s, growing to at most
 * 60 s while held: packages/devhost/README.md, "When the devhost is killed"), so the test takes one to two minutes.
 */
const ORDERS = 100;
const FAN_OUT_ITEMS = 1_000;
const KILLS = 10;
const SEED = Number(process.env.CHAOS_SEED ?? Date.now() % 1_000_000);

/** mulberry32: a small seeded generator, so a failing run's kill moments can be replayed. */
function seededRandom(seed: number): () => number {
    let state = seed >>> 0;
    return () => {
        state = (state + 0x6d2b79f5) >>> 0;
        let t = state;
        t = Math.imul(t ^ (t >>> 15), t | 1);
        t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
        return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

let azurite: RunningAzurite | undefined;
let devhost: DevhostProcess | undefined;
afterAll(async () => {
    await devhost?.stop('SIGKILL');
    await azurite?.stop();
});

const api = ordersApi(() => {
    if (devhost === undefined) throw new Error('no devhost');
    return devhost.origin;
});

function order(i: number): Record<string, unknown> {
    return {
        order_id: `CH-${i}`,
        items: ['widget-a', { sku: 'widget-b', quantity: (i % 3) + 1 }],
        email: 'chaos@example.com',
        // Flaky cards fail once and charge on the retry (a durable timer in between): retries across kills.
        payment_method: i % 2 === 0 ? 'pm_card_flaky' : 'pm_card_visa',
    };
}

describe('chaos: the devhost process killed 10 times under load', () => {
    it('ends every order and the fan-out once, with one charge per order and no message left', async () => {
        const random = seededRandom(SEED);
        console.log(`chaos seed ${SEED} (CHAOS_SEED=${SEED} replays these kill moments)`);
        azurite = await startAzurite({ inMemory: true });
        const hubName = uniqueHubName('Chaos');
        const env = {
            AzureWebJobsStorage: azurite.connectionString,
            TASKHUB_NAME: hubName,
            ORDERS_TABLE_PREFIX: uniqueHubName('Chaos'),
        };
        // One port for every process, so the management URLs stay valid across restarts, as on a real host.
        const port = await freePort();
        devhost = await startDevhost({ env, port });

        // Orders arrive throughout: ten at once before each kill (a POST that meets a dead process is retried against the
        // next one, as a client would; the order id makes it idempotent). The fan-out starts before the second.
        const storage = createTaskHubStorage({ connection: parseConnectionString(azurite.connectionString), hubName });
        const started = new Map<number, CheckStatus>();
        // Every process's output, written next to a failure's message so a stuck instance can be traced.
        const logs: string[] = [];
        const untilDone = async (instance: CheckStatus | undefined): Promise<StatusPayload> => {
            try {
                return await pollUntilDone(instance?.statusQueryGetUri ?? '', 180_000);
            } catch (error) {
                logs.push(devhost?.output() ?? '');
                const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'chaos-')), 'devhost.log');
                writeFileSync(file, logs.join('\n---- SIGKILL, restart ----\n'));
                const { events } = await storage.readHistory(instance?.id ?? '');
                const history = events.map((e) => EventType[e.EventType]).join(' ');
                throw new Error(`${instance?.id}: ${String(error)}; history: ${history}; logs: ${file}`, {
                    cause: error,
                });
            }
        };
        const startOrder = async (i: number): Promise<void> => {
            for (;;) {
                try {
                    started.set(i, await api.start('order_processing', order(i)));
                    return;
                } catch {
                    await sleep(200);
                }
            }
        };
        const startOrders = (from: number, to: number): Promise<unknown> =>
            Promise.all(Array.from({ length: to - from }, (_, k) => startOrder(from + k)));
        const items = Array.from({ length: FAN_OUT_ITEMS }, (_, i) => `item-${i}`);
        let fanOut: CheckStatus | undefined;
        const perKill = ORDERS / KILLS;
        const inFlightAtKill: number[] = [];
        const killedAfterMs: number[] = [];
        for (let kill = 0; kill < KILLS; kill++) {
            const arrivals = startOrders(kill * perKill, (kill + 1) * perKill);
            if (kill === 1) fanOut = await api.start('parallel_processing', { items });
            const afterMs = Math.round(50 + random() * 750);
            killedAfterMs.push(afterMs);
            await sleep(afterMs);
            const live = await storage.queryInstances({ runtimeStatus: ['Pending', 'Running'], excludeInput: true });
            inFlightAtKill.push(live.instances.length);
            await devhost.stop('SIGKILL');
            logs.push(devhost.output());
            const restarted = startDevhost({ env, port });
            await arrivals;
            devhost = await restarted;
        }
        console.log(`killed ${KILLS} times, after ${killedAfterMs.join(', ')} ms`);
        console.log(`instances Pending or Running at each kill (up to a page): ${inFlightAtKill.join(', ')}`);

        const recovered = Date.now();
        const fanOutStatus = await untilDone(fanOut);
        expect(fanOutStatus.runtimeStatus).toBe('Completed');
        const summary = fanOutStatus.output as { total: number; successful: number; results: { result: string }[] };
        expect(summary).toMatchObject({ total: FAN_OUT_ITEMS, successful: FAN_OUT_ITEMS, failed: 0 });
        expect(summary.results.map((r) => r.result)).toEqual(items.map((item) => `Processed ${item}`));

        for (let i = 0; i < ORDERS; i++) {
            const status = await untilDone(started.get(i));
            const output = status.output as { charge_id: string; tracking_number: string };
            expect(status.runtimeStatus, `CH-${i}`).toBe('Completed');
            expect(status.output, `CH-${i}`).toMatchObject({
                status: 'completed',
                amount: { cents: 2999 * (1 + (i % 3) + 1) },
                notification: 'sent',
            });
            const view = await api.order(`CH-${i}`);
            expect(charges(view), `CH-${i}: one charge`).toEqual([expect.objectContaining({ id: output.charge_id })]);
            expect(
                view.ledger.filter((entry) => entry.kind === 'refund'),
                `CH-${i}: no refund`,
            ).toEqual([]);
            expect(view.shipment?.tracking_number, `CH-${i}: one shipment`).toBe(output.tracking_number);
            // The row says what history says, the custom status too (it lives only in the row).
            expect(status.customStatus, `CH-${i}: custom status`).toMatchObject({ step: 'done', outcome: 'completed' });
        }
        console.log(`all instances terminal ${Date.now() - recovered} ms after the last restart`);

        // Every instance of the hub (orders, the fan-out and its sub-orchestrations) ended Completed.
        let instances = 0;
        let token: string | undefined;
        do {
            const page = await storage.queryInstances({ excludeInput: true }, token);
            for (const instance of page.instances) {
                instances++;
                expect(instance.runtimeStatus, instance.instanceId).toBe('Completed');
            }
            token = page.continuationToken;
        } while (token);
        expect(instances).toBeGreaterThan(ORDERS);
        // No row disagrees with its history (status, execution, output), and every history is clean: started
        // and ended once, each task and sub-orchestration answered exactly once, each timer fired once.
        expect(await hubProblems(storage)).toEqual([]);

        // No message left behind: the queues drain once the killed processes' leases lapse and the last
        // process discards what history already holds (a count includes hidden messages).
        const queues = QueueServiceClient.fromConnectionString(azurite.connectionString);
        const names = [
            ...Array.from({ length: 4 }, (_, p) => `${hubName.toLowerCase()}-control-0${p}`),
            `${hubName.toLowerCase()}-workitems`,
        ];
        const deadline = Date.now() + 150_000;
        let left: Record<string, number>;
        for (;;) {
            left = {};
            for (const name of names) {
                const { approximateMessagesCount = 0 } = await queues.getQueueClient(name).getProperties();
                if (approximateMessagesCount > 0) left[name] = approximateMessagesCount;
            }
            if (Object.keys(left).length === 0 || Date.now() > deadline) break;
            await sleep(1_000);
        }
        expect(left, 'messages left on the queues').toEqual({});
        expect(await devhost.stop('SIGTERM')).toBe(0);
        devhost = undefined;
    }, 600_000);
});
