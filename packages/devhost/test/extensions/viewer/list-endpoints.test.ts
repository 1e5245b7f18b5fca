/**
 * What the viewer's list page reads from the viewer's own routes beyond the HTTP API: the orchestrators the app
 * registered (for "Start an instance") and each instance's times in milliseconds (the status payload's are whole
 * seconds), checked against the Instances row itself.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DurableExtension } from '../../../src/extensions/durable/extension';
import { matchViewerRoute } from '../../../src/extensions/viewer/viewer-routes';
import type { RunningHost } from '../../../src/host/start-host';
import { startOrchestration, waitForStatus } from '../../support/durable/durable-host';
import { testFetch } from '../../support/in-memory-fetch';
import { uniqueHubName } from '../../support/storage';
import { startViewerHost } from '../../support/viewer/viewer-host';

let host: RunningHost;
let durable: DurableExtension;

beforeAll(async () => {
    ({ host, durable } = await startViewerHost(uniqueHubName('ViewerList')));
});

afterAll(async () => {
    await host?.close();
});

describe('viewer list endpoints', () => {
    it('routes /_devhost/api/orchestrators and nothing below it', () => {
        expect(matchViewerRoute('/_devhost/api/orchestrators')).toEqual({ kind: 'orchestrators' });
        expect(matchViewerRoute('/_devhost/api/orchestrators/sequence')).toEqual({ kind: 'notFound' });
    });

    it("lists the app's registered orchestrators by name, sorted, without activities or entities", async () => {
        const response = await testFetch(`${host.origin}/_devhost/api/orchestrators`);
        expect(response.status).toBe(200);
        const body = (await response.json()) as { orchestrators: Array<{ name: string }>; defaultVersion: string };
        const names = body.orchestrators.map((o) => o.name);
        const registered = [...durable.runtime!.functions.orchestrators.keys()];
        expect(names).toEqual([...registered].sort((a, b) => a.localeCompare(b)));
        expect(names).toContain('sequence');
        expect(names).toContain('waitForApproval');
        for (const activity of durable.runtime!.functions.activities.keys()) expect(names).not.toContain(activity);
        expect(body.defaultVersion).toBe(durable.runtime!.versionGate.config.defaultVersion);
    });

    it("reports each instance's created and end time with the Instances row's milliseconds", async () => {
        const started = await startOrchestration(host.origin, 'sequence', ['Ada']);
        const status = await waitForStatus(started.statusQueryGetUri);
        expect(status.runtimeStatus).toBe('Completed');
        const summary = (await (await testFetch(`${host.origin}/_devhost/api/hub`)).json()) as {
            times: Record<string, [number, number]>;
        };
        const row = await durable.runtime!.storage.readInstance(started.id);
        const times = summary.times[started.id];
        expect(times).toEqual([row!.createdTime.getTime(), (row!.completedTime ?? row!.lastUpdatedTime).getTime()]);
        // The status payload has the same instants cut to whole seconds.
        expect(Date.parse(status.createdTime)).toBe(Math.floor(times![0] / 1000) * 1000);
        expect(times![1]).toBeGreaterThanOrEqual(times![0]);
    });
});
