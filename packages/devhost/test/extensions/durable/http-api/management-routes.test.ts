/**
 * The management routes of the Durable HTTP API (docs/protocol.md §12) under both bases: list with filters
 * and paging, purge one and by filter, suspend/resume with events buffered meanwhile, rewind, restart, and
 * their status codes. Filter values and ids are data: quotes and OData keywords change nothing.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import {
    postJson,
    useDurableHost,
    startOrchestration,
    waitForStatus,
    waitUntil,
    WEBHOOK,
    type StatusBody,
} from '../../../support/durable/durable-host';
import { testFetch } from '../../../support/in-memory-fetch';

const t = useDurableHost('management');
const RPC = '/durabletask';

function bases(): string[] {
    return [`${t.origin}${WEBHOOK}`, `${t.origin}${RPC}`];
}

function unique(prefix: string): string {
    return `${prefix}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
}

async function runToEnd(name: string, input: unknown, instanceId: string): Promise<StatusBody> {
    const started = await startOrchestration(t.origin, name, input, instanceId);
    return waitForStatus(started.statusQueryGetUri);
}

describe('GET instances/ (list)', () => {
    const prefix = unique('list');
    const ids = [0, 1, 2, 3, 4].map((i) => `${prefix}-${i}`);

    beforeAll(async () => {
        for (const id of ids.slice(0, 4)) await runToEnd('greet', id, id);
        await startOrchestration(t.origin, 'twoEvents', undefined, ids[4]);
        await waitUntil(`${t.origin}${WEBHOOK}/instances/${ids[4]}`, (s) => s.runtimeStatus === 'Running');
    });

    it('filters by prefix and status (names or numbers), pages with the continuation header both ways', async () => {
        for (const base of bases()) {
            const seen: StatusBody[] = [];
            let token: string | null = null;
            let pages = 0;
            do {
                const response: Response = await testFetch(
                    `${base}/instances/?instanceIdPrefix=${prefix}&top=2`,
                    token ? { headers: { 'x-ms-continuation-token': token } } : {},
                );
                expect(response.status).toBe(200);
                token = response.headers.get('x-ms-continuation-token');
                seen.push(...((await response.json()) as StatusBody[]));
                pages++;
            } while (token);
            expect(pages).toBe(3);
            expect(seen.map((s) => s.instanceId).sort()).toEqual([...ids].sort());
            // Inputs are left out unless asked for.
            expect(seen.every((s) => s.input === null)).toBe(true);

            const completed = (await (
                await testFetch(`${base}/instances/?instanceIdPrefix=${prefix}&runtimeStatus=Completed`)
            ).json()) as StatusBody[];
            expect(completed.map((s) => s.instanceId).sort()).toEqual(ids.slice(0, 4).sort());
            const running = (await (
                await testFetch(`${base}/instances/?instanceIdPrefix=${prefix}&runtimeStatus=0,Pending`)
            ).json()) as StatusBody[];
            expect(running.map((s) => s.instanceId)).toEqual([ids[4]]);
            const withInput = (await (
                await testFetch(`${base}/instances/?instanceIdPrefix=${ids[0]}&showInput=true`)
            ).json()) as StatusBody[];
            expect(withInput).toMatchObject([
                {
                    instanceId: ids[0],
                    input: ids[0],
                    output: `Hello, ${ids[0]}!`,
                    runtimeStatus: 'Completed',
                    name: 'greet',
                },
            ]);
        }
    });

    it('filters by created time', async () => {
        const future = new Date(Date.now() + 3600_000).toISOString();
        const none = await testFetch(
            `${t.origin}${WEBHOOK}/instances/?instanceIdPrefix=${prefix}&createdTimeFrom=${future}`,
        );
        expect(none.status).toBe(200);
        expect(await none.json()).toEqual([]);
        const past = new Date(Date.now() - 3600_000).toISOString();
        const all = (await (
            await testFetch(
                `${t.origin}${WEBHOOK}/instances/?instanceIdPrefix=${prefix}&createdTimeFrom=${past}&createdTimeTo=${future}`,
            )
        ).json()) as StatusBody[];
        expect(all).toHaveLength(5);
    });

    it('treats quotes and OData keywords in filter values as data', async () => {
        for (const evil of [
            `${prefix}' or PartitionKey ne '`,
            `' or 1 eq 1 or '`,
            `${prefix}") or true`,
            `x and RuntimeStatus eq 'Completed`,
        ]) {
            const response = await testFetch(
                `${t.origin}${WEBHOOK}/instances/?instanceIdPrefix=${encodeURIComponent(evil)}`,
            );
            expect(response.status).toBe(200);
            expect(await response.json()).toEqual([]);
        }
        // A status that is not a status, a bad date, a bad page size or a forged token: 400, not a query.
        for (const query of [
            "runtimeStatus=Completed' or 'a' eq 'a",
            'runtimeStatus=Finished',
            'createdTimeFrom=yesterday',
            'top=0',
            'top=abc',
        ]) {
            const response = await testFetch(`${t.origin}${WEBHOOK}/instances/?${query}`);
            expect(response.status, query).toBe(400);
            expect(await response.json()).toMatchObject({
                Message: 'One or more of the arguments submitted is incorrect',
            });
        }
        const forged = await testFetch(`${t.origin}${WEBHOOK}/instances/?top=1`, {
            headers: { 'x-ms-continuation-token': "' or 1 eq 1" },
        });
        expect(forged.status).toBe(400);
    });
});

describe('instance ids are data', () => {
    it("accepts quotes, OData words, ^ and unicode in an id; rejects the extension's forbidden ones", async () => {
        const id = `${unique('odd')} ' or 'a' eq 'a ^ ü`;
        const done = await runToEnd('greet', 'quote', id);
        expect(done).toMatchObject({ instanceId: id, runtimeStatus: 'Completed' });
        const listed = (await (
            await testFetch(`${t.origin}${WEBHOOK}/instances/?instanceIdPrefix=${encodeURIComponent(id)}`)
        ).json()) as StatusBody[];
        expect(listed.map((s) => s.instanceId)).toEqual([id]);
        for (const bad of ['@entity', 'a\u0001b', 'x'.repeat(257)]) {
            const response = await postJson(
                `${t.origin}${WEBHOOK}/orchestrators/greet/${encodeURIComponent(bad)}`,
                'x',
            );
            expect(response.status, bad).toBe(400);
        }
        // An encoded slash never makes a route segment; it is an invalid id.
        expect((await postJson(`${t.origin}${WEBHOOK}/orchestrators/greet/a%2Fb`, 'x')).status).toBe(400);
    });
});

describe('DELETE instances/{id} and instances/ (purge)', () => {
    it('purges one instance (200 with the count), then 404', async () => {
        for (const base of bases()) {
            const id = unique('purge1');
            await runToEnd('greet', 'p', id);
            const first = await testFetch(`${base}/instances/${id}`, { method: 'DELETE' });
            expect(first.status).toBe(200);
            expect(await first.json()).toEqual({ instancesDeleted: 1 });
            expect((await testFetch(`${base}/instances/${id}`)).status).toBe(404);
            expect((await testFetch(`${base}/instances/${id}`, { method: 'DELETE' })).status).toBe(404);
        }
    });

    it('purges by filter: createdTimeFrom is required; 404 when nothing matched', async () => {
        const missing = await testFetch(`${t.origin}${WEBHOOK}/instances/?runtimeStatus=Completed`, {
            method: 'DELETE',
        });
        expect(missing.status).toBe(400);
        expect(await missing.json()).toEqual({ Message: "Please provide value for 'createdTimeFrom' parameter." });

        const from = new Date().toISOString();
        const prefix = unique('purgeby');
        await runToEnd('greet', 'a', `${prefix}-a`);
        await runToEnd('greet', 'b', `${prefix}-b`);
        await startOrchestration(t.origin, 'twoEvents', undefined, `${prefix}-running`);
        await waitUntil(`${t.origin}${WEBHOOK}/instances/${prefix}-running`, (s) => s.runtimeStatus === 'Running');
        const to = new Date(Date.now() + 1000).toISOString();
        // Tests of this file run one after another, so the window holds exactly the two completed instances above.
        const purged = await testFetch(
            `${t.origin}${RPC}/instances/?createdTimeFrom=${from}&createdTimeTo=${to}&runtimeStatus=Completed`,
            { method: 'DELETE' },
        );
        expect(purged.status).toBe(200);
        expect(await purged.json()).toEqual({ instancesDeleted: 2 });
        expect((await testFetch(`${t.origin}${WEBHOOK}/instances/${prefix}-a`)).status).toBe(404);
        expect((await testFetch(`${t.origin}${WEBHOOK}/instances/${prefix}-running`)).status).toBe(202);
        const again = await testFetch(
            `${t.origin}${RPC}/instances/?createdTimeFrom=${from}&createdTimeTo=${to}&runtimeStatus=Completed`,
            { method: 'DELETE' },
        );
        expect(again.status).toBe(404);
        await testFetch(`${t.origin}${WEBHOOK}/instances/${prefix}-running/terminate?reason=cleanup`, {
            method: 'POST',
        });
    });
});

describe('suspend and resume', () => {
    it('buffers events while suspended and applies them after resume', async () => {
        for (const base of bases()) {
            const id = unique('susp');
            const started = await startOrchestration(t.origin, 'twoEvents', undefined, id);
            await waitUntil(started.statusQueryGetUri, (s) => s.runtimeStatus === 'Running');
            expect((await testFetch(`${base}/instances/${id}/suspend?reason=hold`, { method: 'POST' })).status).toBe(
                202,
            );
            const suspended = await waitUntil(started.statusQueryGetUri, (s) => s.runtimeStatus === 'Suspended');
            expect(suspended.output).toBe(null);
            expect((await postJson(`${base}/instances/${id}/raiseEvent/First`, 1)).status).toBe(202);
            expect((await postJson(`${base}/instances/${id}/raiseEvent/Second`, 2)).status).toBe(202);
            // Still suspended: the events wait.
            await new Promise((resolve) => setTimeout(resolve, 300));
            const still = await testFetch(started.statusQueryGetUri);
            expect(still.status).toBe(202);
            expect(((await still.json()) as StatusBody).runtimeStatus).toBe('Suspended');
            // Suspending twice is an invalid operation (500); resuming a suspended instance is accepted.
            expect((await testFetch(`${base}/instances/${id}/suspend`, { method: 'POST' })).status).toBe(500);
            expect((await testFetch(`${base}/instances/${id}/resume?reason=go`, { method: 'POST' })).status).toBe(202);
            const done = await waitForStatus(started.statusQueryGetUri);
            expect(done).toMatchObject({ runtimeStatus: 'Completed', output: [1, 2] });
            // Finished: 410; resume of a running instance: 500; unknown: 404.
            expect((await testFetch(`${base}/instances/${id}/suspend`, { method: 'POST' })).status).toBe(410);
            expect((await testFetch(`${base}/instances/${id}/resume`, { method: 'POST' })).status).toBe(410);
            expect((await testFetch(`${base}/instances/${unique('none')}/suspend`, { method: 'POST' })).status).toBe(
                404,
            );
        }
        const running = unique('resume-running');
        await startOrchestration(t.origin, 'twoEvents', undefined, running);
        await waitUntil(`${t.origin}${WEBHOOK}/instances/${running}`, (s) => s.runtimeStatus === 'Running');
        expect((await testFetch(`${t.origin}${WEBHOOK}/instances/${running}/resume`, { method: 'POST' })).status).toBe(
            500,
        );
        await testFetch(`${t.origin}${WEBHOOK}/instances/${running}/terminate`, { method: 'POST' });
    });
});

describe('rewind', () => {
    it('re-runs only the failed activity of a failed instance and completes it', async () => {
        const id = unique('rewind');
        const failed = await runToEnd('flaky', 1, id);
        expect(failed.runtimeStatus).toBe('Failed');
        expect(String(failed.output)).toContain('flaky failure 1');
        expect(
            (await testFetch(`${t.origin}${RPC}/instances/${id}/rewind?reason=retry`, { method: 'POST' })).status,
        ).toBe(202);
        const done = await waitForStatus(
            `${t.origin}${WEBHOOK}/instances/${id}?showHistory=true&showHistoryOutput=true`,
        );
        expect(done).toMatchObject({ runtimeStatus: 'Completed', output: ['Hello, before!', 'recovered'] });
        const history = done.historyEvents ?? [];
        // 'hello' ran once; the failure was rewound; flakyStep completed once.
        expect(history.filter((e) => e.EventType === 'TaskCompleted' && e.FunctionName === 'hello')).toHaveLength(1);
        expect(history.filter((e) => e.EventType === 'TaskCompleted' && e.FunctionName === 'flakyStep')).toHaveLength(
            1,
        );
        expect(history.filter((e) => e.EventType === 'TaskFailed')).toHaveLength(0);
        expect(history.filter((e) => e.EventType === 'ExecutionCompleted')).toHaveLength(1);
    });

    it('rewinds the retries of callActivityWithRetry too: the retry timers go with the failures', async () => {
        const id = unique('rewind-retry');
        const failed = await runToEnd('flakyWithRetry', 2, id);
        expect(failed.runtimeStatus).toBe('Failed');
        expect(String(failed.output)).toContain('flaky failure 2');
        expect(
            (await testFetch(`${t.origin}${RPC}/instances/${id}/rewind?reason=retry`, { method: 'POST' })).status,
        ).toBe(202);
        const done = await waitForStatus(`${t.origin}${WEBHOOK}/instances/${id}?showHistory=true`);
        expect(done).toMatchObject({ runtimeStatus: 'Completed', output: 'recovered' });
        const history = done.historyEvents ?? [];
        expect(history.filter((e) => e.EventType === 'TaskFailed')).toHaveLength(0);
        expect(history.filter((e) => e.EventType === 'TimerCreated')).toHaveLength(0);
        expect(history.filter((e) => e.EventType === 'TaskCompleted')).toHaveLength(1);
    });

    it('answers 404 unknown, 410 completed, 500 running', async () => {
        expect(
            (await testFetch(`${t.origin}${WEBHOOK}/instances/${unique('none')}/rewind`, { method: 'POST' })).status,
        ).toBe(404);
        const completed = unique('rw-done');
        await runToEnd('greet', 'x', completed);
        expect(
            (await testFetch(`${t.origin}${WEBHOOK}/instances/${completed}/rewind`, { method: 'POST' })).status,
        ).toBe(410);
        const running = unique('rw-run');
        await startOrchestration(t.origin, 'twoEvents', undefined, running);
        await waitUntil(`${t.origin}${WEBHOOK}/instances/${running}`, (s) => s.runtimeStatus === 'Running');
        expect((await testFetch(`${t.origin}${WEBHOOK}/instances/${running}/rewind`, { method: 'POST' })).status).toBe(
            500,
        );
        await testFetch(`${t.origin}${WEBHOOK}/instances/${running}/terminate`, { method: 'POST' });
    });
});

describe('restart and duplicate ids', () => {
    it('restarts under a new id by default, or the same id; waits with timeout + pollingInterval', async () => {
        const id = unique('restart');
        await runToEnd('greet', 'again', id);
        const fresh = await testFetch(`${t.origin}${WEBHOOK}/instances/${id}/restart`, { method: 'POST' });
        expect(fresh.status).toBe(202);
        const body = (await fresh.json()) as { id: string; statusQueryGetUri: string };
        expect(body.id).not.toBe(id);
        expect(fresh.headers.get('location')).toBe(body.statusQueryGetUri);
        expect(await waitForStatus(body.statusQueryGetUri)).toMatchObject({
            name: 'greet',
            input: 'again',
            output: 'Hello, again!',
        });

        const same = await testFetch(
            `${t.origin}${RPC}/instances/${id}/restart?restartWithNewInstanceId=false&timeout=10&pollingInterval=0.05`,
            { method: 'POST' },
        );
        expect(same.status).toBe(200);
        expect(await same.json()).toBe('Hello, again!');
        expect(
            (await testFetch(`${t.origin}${WEBHOOK}/instances/${unique('none')}/restart`, { method: 'POST' })).status,
        ).toBe(400);
    });

    it('start-and-wait: 200 with output when done in time, 202 check-status otherwise; bad interval 400', async () => {
        const quick = await postJson(
            `${t.origin}${WEBHOOK}/orchestrators/greet?timeout=10&pollingInterval=0.05`,
            'wait',
        );
        expect(quick.status).toBe(200);
        expect(await quick.json()).toBe('Hello, wait!');
        const slow = await postJson(
            `${t.origin}${WEBHOOK}/orchestrators/twoEvents/${unique('sw')}?timeout=0.3&pollingInterval=0.1`,
        );
        expect(slow.status).toBe(202);
        const check = (await slow.json()) as { id: string; statusQueryGetUri: string };
        expect(slow.headers.get('retry-after')).toBe('10');
        await testFetch(`${t.origin}${WEBHOOK}/instances/${check.id}/terminate`, { method: 'POST' });
        expect(
            (await postJson(`${t.origin}${WEBHOOK}/orchestrators/greet?timeout=1&pollingInterval=2`, 'x')).status,
        ).toBe(400);
    });

    it('a duplicate id is refused while the instance runs (409) and accepted once it is terminal', async () => {
        const id = unique('dup');
        await startOrchestration(t.origin, 'twoEvents', undefined, id);
        const duplicate = await postJson(`${t.origin}${WEBHOOK}/orchestrators/greet/${id}`, 'x');
        expect(duplicate.status).toBe(409);
        expect(((await duplicate.json()) as { Message: string }).Message).toMatch(/already exists/);
        await testFetch(`${t.origin}${WEBHOOK}/instances/${id}/terminate`, { method: 'POST' });
        await waitForStatus(`${t.origin}${WEBHOOK}/instances/${id}`);
        const restarted = await startOrchestration(t.origin, 'greet', 'second', id);
        expect(await waitForStatus(restarted.statusQueryGetUri)).toMatchObject({
            instanceId: id,
            name: 'greet',
            output: 'Hello, second!',
        });
    });
});
