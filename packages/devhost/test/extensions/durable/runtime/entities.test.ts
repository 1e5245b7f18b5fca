/**
 * Durable entities end to end on the devhost: the real durable-functions SDK (app.entity, callEntity,
 * signalEntity, DurableClient.signalEntity / readEntityState), the Durable HTTP API's entity routes, and the
 * task hub in Azurite, with the stored layout the extension writes (docs/protocol.md §14).
 */
import { randomUUID } from 'node:crypto';
import { TableClient } from '@azure/data-tables';
import { describe, expect, it } from 'vitest';
import {
    postJson,
    useDurableHost,
    startOrchestration,
    waitForStatus,
    WEBHOOK,
    skipOnMemoryHub,
} from '../../../support/durable/durable-host';
import { testFetch } from '../../../support/in-memory-fetch';
import { azuriteConnectionString } from '../../../support/storage';

const t = useDurableHost('basic');

/** Polls the entity's state over the Durable HTTP API until `predicate` holds. */
async function entityStateUntil(
    base: string,
    key: string,
    predicate: (status: number, body: unknown) => boolean,
    timeoutMs = 10_000,
): Promise<{ status: number; body: unknown }> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
        const response = await testFetch(`${base}/entities/counterEntity/${encodeURIComponent(key)}`);
        const text = await response.text();
        const body: unknown = text === '' ? undefined : JSON.parse(text);
        if (predicate(response.status, body)) return { status: response.status, body };
        if (Date.now() > deadline) throw new Error(`entity ${key}: last answer ${response.status} ${text}`);
        await new Promise((resolve) => setTimeout(resolve, 20));
    }
}

describe('entities', () => {
    it('starts an app that registers an entity without --allow-unsupported', () => {
        expect(t.logs.some((entry) => entry.message.includes('does not run entities'))).toBe(false);
        expect(t.durable.runtime?.functions.entities.has('counterEntity')).toBe(true);
    });

    it('answers callEntity from an orchestration, and a signal sent before a call is seen by it', async () => {
        const key = `orch-${randomUUID()}`;
        const check = await startOrchestration(t.origin, 'entityCounter', key);
        const status = await waitForStatus(check.statusQueryGetUri);
        expect(status.runtimeStatus).toBe('Completed');
        expect(status.output).toEqual({ first: 5, second: 7, failure: 'caught' });
        const state = await entityStateUntil(`${t.origin}${WEBHOOK}`, key, (code) => code === 200);
        expect(state.body).toBe(7);
    });

    it('applies signals sent over the HTTP API in order, and GET reads the state', async () => {
        const key = `http-${randomUUID()}`;
        const base = `${t.origin}${WEBHOOK}`;
        expect((await testFetch(`${base}/entities/counterEntity/${key}`)).status).toBe(404);
        for (const n of [1, 2, 3]) {
            const response = await postJson(`${base}/entities/counterEntity/${key}?op=add`, n);
            expect(response.status).toBe(202);
        }
        const state = await entityStateUntil(base, key, (code, body) => code === 200 && body === 6);
        expect(state.body).toBe(6);
        expect((await postJson(`${base}/entities/counterEntity/${key}?op=reset`)).status).toBe(202);
        await entityStateUntil(base, key, (code, body) => code === 200 && body === 0);
        // DELETE signals the "delete" operation; the entity then no longer exists.
        expect((await testFetch(`${base}/entities/counterEntity/${key}`, { method: 'DELETE' })).status).toBe(202);
        await entityStateUntil(base, key, (code) => code === 404);
    });

    it('serves the same routes on the RPC base, which the SDK client uses', async () => {
        const key = `sdk-${randomUUID()}`;
        const signal = await postJson(`${t.origin}/api/client/signalEntity`, {
            name: 'counterEntity',
            key,
            op: 'add',
            input: 40,
        });
        expect(signal.status).toBe(202);
        await postJson(`${t.origin}/api/client/signalEntity`, { name: 'counterEntity', key, op: 'add', input: 2 });
        const deadline = Date.now() + 10_000;
        let read: unknown;
        for (;;) {
            read = await (await postJson(`${t.origin}/api/client/readEntity`, { name: 'counterEntity', key })).json();
            if ((read as { entityState?: unknown }).entityState === 42 || Date.now() > deadline) break;
            await new Promise((resolve) => setTimeout(resolve, 20));
        }
        expect(read).toEqual({ entityExists: true, entityState: 42 });
        const missing = await postJson(`${t.origin}/api/client/readEntity`, { name: 'counterEntity', key: 'never' });
        expect(await missing.json()).toEqual({ entityExists: false });
    });

    it('lists the existing entities of a name, with their state when asked', async () => {
        const key = `list-${randomUUID()}`;
        const base = `${t.origin}${WEBHOOK}`;
        await postJson(`${base}/entities/counterEntity/${key}?op=add`, 3);
        await entityStateUntil(base, key, (code) => code === 200);
        const response = await testFetch(`${base}/entities/counterEntity?fetchState=true&top=1000`);
        expect(response.status).toBe(200);
        const list = (await response.json()) as Array<{ entityId: { name: string; key: string }; state?: unknown }>;
        const mine = list.find((entry) => entry.entityId.key === key);
        expect(mine).toMatchObject({ entityId: { name: 'counterentity', key }, state: 3 });
        const withoutState = (await (await testFetch(`${base}/entities/counterEntity?top=1000`)).json()) as Array<
            Record<string, unknown>
        >;
        expect(withoutState.find((entry) => (entry.entityId as { key: string }).key === key)).not.toHaveProperty(
            'state',
        );
    });

    it('refuses a signal to an entity the app does not define (400), and a key with a slash cannot be routed', async () => {
        const response = await postJson(`${t.origin}${WEBHOOK}/entities/nobody/k?op=add`, 1);
        expect(response.status).toBe(400);
        expect(await response.text()).toContain("'nobody' doesn't exist");
    });

    // Reads the Instances and History tables on Azurite with the Tables SDK: the column names and row keys are
    // the Azure Storage provider's layout, which the memory hub (rows as values) does not have.
    skipOnMemoryHub('reads the Azure Storage tables themselves')(
        'stores the entity as the extension does: @name@key, its SchedulerState as the input, a short history',
        async () => {
            const key = `layout-${randomUUID()}`;
            const base = `${t.origin}${WEBHOOK}`;
            await postJson(`${base}/entities/counterEntity/${key}?op=add`, 9);
            await entityStateUntil(base, key, (code) => code === 200);
            const instanceId = `@counterentity@${key}`;
            const instances = TableClient.fromConnectionString(azuriteConnectionString(), `${t.hubName}Instances`, {
                allowInsecureConnection: true,
            });
            const row = await instances.getEntity<Record<string, unknown>>(instanceId, '');
            expect(row.Name).toBe('counterentity');
            expect(row.RuntimeStatus).toBe('Running');
            expect(JSON.parse(String(row.Input))).toEqual({ exists: true, state: '9' });
            const history = TableClient.fromConnectionString(azuriteConnectionString(), `${t.hubName}History`, {
                allowInsecureConnection: true,
            });
            const types: unknown[] = [];
            for await (const event of history.listEntities<Record<string, unknown>>({
                queryOptions: { filter: `PartitionKey eq '${instanceId}'` },
            })) {
                if (typeof event.EventType === 'string') types.push(event.EventType);
            }
            expect(types).toEqual(['OrchestratorStarted', 'ExecutionStarted', 'OrchestratorCompleted']);
        },
    );
});
