/**
 * The viewer's server side over real HTTP, in-process: the page shell for deep links, its static files (and
 * nothing else from disk), the hub summary and an instance's raw history read through the storage module, and
 * problem documents for what it does not serve.
 */
import { TableClient } from '@azure/data-tables';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTaskHubStorage, parseConnectionString } from '../../../src/extensions/durable/azure-storage';
import { matchViewerRoute } from '../../../src/extensions/viewer/viewer-routes';
import type { RunningHost } from '../../../src/host/start-host';
import type { LogEntry } from '../../../src/shared/host-contracts';
import { startOrchestration, waitForStatus } from '../../support/durable/durable-host';
import { testFetch } from '../../support/in-memory-fetch';
import { azuriteConnectionString, uniqueHubName } from '../../support/storage';
import { instanceRecord } from '../../support/task-hub/instance-record';
import { startViewerHost } from '../../support/viewer/viewer-host';

let host: RunningHost;
const logs: LogEntry[] = [];

beforeAll(async () => {
    const hubName = uniqueHubName('ViewerRt');
    await leaveAnUnreadableInstance(hubName);
    ({ host } = await startViewerHost(hubName, logs));
});

afterAll(async () => {
    await host?.close();
});

/** A Running instance a previous process left whose history row no reader can parse (edited by hand, say). */
async function leaveAnUnreadableInstance(hubName: string): Promise<void> {
    const storage = createTaskHubStorage({ connection: parseConnectionString(azuriteConnectionString()), hubName });
    await storage.createIfNotExists();
    await storage.writeInstance(instanceRecord('unreadable', { executionId: 'e1', name: 'sequence' }));
    const history = TableClient.fromConnectionString(azuriteConnectionString(), `${hubName}History`, {
        allowInsecureConnection: true,
    });
    await history.createEntity({ partitionKey: 'unreadable', rowKey: 'sentinel', ExecutionId: 'e1' });
    await history.createEntity({
        partitionKey: 'unreadable',
        rowKey: '0000000000000000',
        ExecutionId: 'e1',
        EventType: 'NotAnEvent',
    });
}

describe('viewer routes', () => {
    it('matches only its own paths, decoding the instance id segment', () => {
        expect(matchViewerRoute('/api/orders')).toBeUndefined();
        expect(matchViewerRoute('/_devhostx/')).toBeUndefined();
        expect(matchViewerRoute('/_devhost')).toEqual({ kind: 'redirectToBase' });
        expect(matchViewerRoute('/_devhost/')).toEqual({ kind: 'page' });
        expect(matchViewerRoute('/_devhost/instances/a%20b')).toEqual({ kind: 'page', instanceId: 'a b' });
        expect(matchViewerRoute('/_devhost/api/instances/a%2Fb')).toEqual({
            kind: 'instanceDetail',
            instanceId: 'a/b',
        });
        expect(matchViewerRoute('/_devhost/static/../secret')).toEqual({ kind: 'notFound' });
        expect(matchViewerRoute('/_devhost/instances/%E0%A4%A')).toEqual({ kind: 'notFound' });
    });

    it('logs where the viewer is', () => {
        expect(logs.map((entry) => entry.message)).toContain(
            `Instance viewer: http://localhost:${host.port}/_devhost/`,
        );
    });

    it('serves the shell for the list and for deep links, preloading the instance detail', async () => {
        const list = await testFetch(`${host.origin}/_devhost/`);
        expect(list.status).toBe(200);
        expect(list.headers.get('content-type')).toMatch(/^text\/html/);
        const html = await list.text();
        expect(html).toContain('/_devhost/static/app.js');
        expect(html).not.toContain('rel="preload"');

        const deep = await (await testFetch(`${host.origin}/_devhost/instances/abc%20d`)).text();
        expect(deep).toContain('<link rel="preload" as="fetch" crossorigin href="/_devhost/api/instances/abc%20d" />');

        const redirect = await testFetch(`${host.origin}/_devhost`, { redirect: 'manual' });
        expect(redirect.status).toBe(308);
        expect(redirect.headers.get('location')).toBe('/_devhost/');
    });

    it('serves its static files with their types, and nothing else', async () => {
        const script = await testFetch(`${host.origin}/_devhost/static/app.js`);
        expect(script.status).toBe(200);
        expect(script.headers.get('content-type')).toMatch(/^text\/javascript/);
        const css = await testFetch(`${host.origin}/_devhost/static/viewer.css`);
        expect(css.headers.get('content-type')).toMatch(/^text\/css/);
        for (const probe of ['/_devhost/static/..%2Fextension.ts', '/_devhost/static/nope.js', '/_devhost/nothing']) {
            const response = await testFetch(`${host.origin}${probe}`);
            expect(response.status, probe).toBe(404);
            expect(response.headers.get('content-type')).toBe('application/problem+json');
        }
    });

    it('only reads: other methods answer 405', async () => {
        const response = await testFetch(`${host.origin}/_devhost/api/hub`, { method: 'POST' });
        expect(response.status).toBe(405);
        expect(((await response.json()) as { detail: string }).detail).toMatch(/Durable HTTP API/);
    });

    it('summarises the hub: counts by status and every queue', async () => {
        const started = await startOrchestration(host.origin, 'sequence', ['Ada']);
        await waitForStatus(started.statusQueryGetUri);
        const summary = (await (await testFetch(`${host.origin}/_devhost/api/hub`)).json()) as {
            hubName: string;
            countsByStatus: Record<string, number>;
            total: number;
            complete: boolean;
            queues: Array<{ name: string; kind: string; approximateMessageCount: number }>;
        };
        expect(summary.hubName).toBe(process.env.FIXTURE_HUB);
        expect(summary.countsByStatus.Completed).toBeGreaterThanOrEqual(1);
        expect(summary.total).toBe(Object.values(summary.countsByStatus).reduce((a, b) => a + b, 0));
        expect(summary.complete).toBe(true);
        const hub = process.env.FIXTURE_HUB!.toLowerCase();
        expect(summary.queues.map((queue) => queue.name)).toEqual([
            `${hub}-control-00`,
            `${hub}-control-01`,
            `${hub}-control-02`,
            `${hub}-control-03`,
            `${hub}-workitems`,
        ]);
        for (const queue of summary.queues) expect(queue.approximateMessageCount).toBeGreaterThanOrEqual(0);
    });

    it('names the instances start-up recovery keeps failing on, with the error', async () => {
        const deadline = Date.now() + 10_000;
        let recovery: { listing: string; unrecovered: Array<{ instanceId: string; error: string }> } | undefined;
        while (Date.now() < deadline) {
            const summary = (await (await testFetch(`${host.origin}/_devhost/api/hub`)).json()) as {
                recovery?: typeof recovery;
            };
            recovery = summary.recovery;
            if (recovery?.unrecovered.length) break;
            await new Promise((resolve) => setTimeout(resolve, 100));
        }
        expect(recovery?.listing).toBe('done');
        expect(recovery?.unrecovered.map((u) => u.instanceId)).toEqual(['unreadable']);
        expect(recovery?.unrecovered[0]?.error).toMatch(/EventType/);
    });

    it('returns an instance with its raw history, scheduling events and parent included', async () => {
        const started = await startOrchestration(host.origin, 'parent', 'Ada');
        await waitForStatus(started.statusQueryGetUri);
        const detail = (await (await testFetch(`${host.origin}/_devhost/api/instances/${started.id}`)).json()) as {
            instance: { runtimeStatus: string; parentInstanceId: string | null };
            history: Array<{ EventType: string; InstanceId?: string }>;
        };
        expect(detail.instance).toMatchObject({ runtimeStatus: 'Completed', parentInstanceId: null });
        const created = detail.history.filter((event) => event.EventType === 'SubOrchestrationInstanceCreated');
        expect(created).toHaveLength(2);
        const childId = created[0]!.InstanceId!;
        const child = (await (await testFetch(`${host.origin}/_devhost/api/instances/${childId}`)).json()) as {
            instance: { parentInstanceId: string | null };
        };
        expect(child.instance.parentInstanceId).toBe(started.id);

        const missing = await testFetch(`${host.origin}/_devhost/api/instances/nope`);
        expect(missing.status).toBe(404);
        expect(missing.headers.get('content-type')).toBe('application/problem+json');
    });
});
