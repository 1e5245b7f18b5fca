/**
 * Every DurableClient method of durable-functions 3.5, called by an app function (df.app.client.http) that
 * reaches the devhost through the binding's rpcBaseUrl: startNew, getStatus, getStatusAll, getStatusBy,
 * raiseEvent, terminate, suspend, resume, rewind, purgeInstanceHistory, purgeInstanceHistoryBy,
 * createCheckStatusResponse, createHttpManagementPayload, waitForCompletionOrCreateCheckStatusResponse.
 */
import { describe, expect, it } from 'vitest';
import { postJson, useDurableHost, waitUntil, WEBHOOK, type StatusBody } from '../../../support/durable/durable-host';
import { testFetch } from '../../../support/in-memory-fetch';

const t = useDurableHost('management');

function unique(prefix: string): string {
    return `${prefix}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
}

async function call(
    op: string,
    body: Record<string, unknown> = {},
): Promise<{ status: number; body: unknown; headers: Headers }> {
    const response = await postJson(`${t.origin}/api/client/${op}`, body);
    const text = await response.text();
    return {
        status: response.status,
        body: text === '' ? undefined : (JSON.parse(text) as unknown),
        headers: response.headers,
    };
}

async function ok<T>(op: string, body: Record<string, unknown> = {}): Promise<T> {
    const result = await call(op, body);
    if (result.status !== 200) throw new Error(`${op}: HTTP ${result.status} ${JSON.stringify(result.body)}`);
    return result.body as T;
}

async function startAndWait(name: string, input: unknown, instanceId: string): Promise<StatusBody> {
    await ok('startNew', { name, input, instanceId });
    const result = await call('waitForCompletionOrCreateCheckStatusResponse', { instanceId });
    expect(result.status).toBeLessThan(300);
    return ok<StatusBody>('getStatus', { instanceId });
}

describe('DurableClient (durable-functions 3.5) against the devhost', () => {
    it('startNew, getStatus with history, waitForCompletionOrCreateCheckStatusResponse (200 output / 500 failed / 202 timeout)', async () => {
        const id = unique('sdk');
        expect(await ok<{ id: string }>('startNew', { name: 'greet', input: 'SDK', instanceId: id })).toEqual({ id });
        const done = await call('waitForCompletionOrCreateCheckStatusResponse', { instanceId: id });
        expect(done).toMatchObject({ status: 200, body: 'Hello, SDK!' });
        const status = await ok<StatusBody & { history?: unknown }>('getStatus', {
            instanceId: id,
            showHistory: true,
            showHistoryOutput: true,
        });
        expect(status).toMatchObject({
            name: 'greet',
            instanceId: id,
            runtimeStatus: 'Completed',
            input: 'SDK',
            output: 'Hello, SDK!',
        });

        const generated = await ok<{ id: string }>('startNew', { name: 'flaky', input: 1 });
        expect(generated.id).toMatch(/^[0-9a-f]{32}$/);
        const failed = await call('waitForCompletionOrCreateCheckStatusResponse', { instanceId: generated.id });
        expect(failed.status).toBe(500);
        expect(failed.body).toMatchObject({ runtimeStatus: 'Failed' });

        const waiting = unique('sdk-wait');
        await ok('startNew', { name: 'twoEvents', instanceId: waiting });
        const timedOut = await call('waitForCompletionOrCreateCheckStatusResponse', {
            instanceId: waiting,
            timeoutInMilliseconds: 200,
        });
        expect(timedOut.status).toBe(202);
        expect(timedOut.body).toMatchObject({ id: waiting });
        await ok('terminate', { instanceId: waiting, reason: 'done waiting' });
        const terminated = await call('waitForCompletionOrCreateCheckStatusResponse', { instanceId: waiting });
        expect(terminated).toMatchObject({
            status: 200,
            body: { runtimeStatus: 'Terminated', output: 'done waiting' },
        });
        // Terminating a finished instance is fine for the SDK (410); an unknown one is an error (404).
        await ok('terminate', { instanceId: waiting, reason: 'again' });
        expect((await call('terminate', { instanceId: unique('none'), reason: 'x' })).status).toBe(500);
    });

    it('getStatusAll and getStatusBy (time window and statuses) follow the continuation header', async () => {
        const from = new Date();
        const ids = [unique('by-a'), unique('by-b')];
        for (const id of ids) await startAndWait('greet', id, id);
        const running = unique('by-run');
        await ok('startNew', { name: 'twoEvents', instanceId: running });
        await waitUntil(`${t.origin}${WEBHOOK}/instances/${running}`, (s) => s.runtimeStatus === 'Running');
        const all = await ok<StatusBody[]>('getStatusAll');
        expect(all.map((s) => s.instanceId)).toEqual(expect.arrayContaining([...ids, running]));
        const to = new Date(Date.now() + 1000);
        const completed = await ok<StatusBody[]>('getStatusBy', {
            createdTimeFrom: from,
            createdTimeTo: to,
            runtimeStatus: ['Completed'],
        });
        expect(completed.map((s) => s.instanceId).sort()).toEqual([...ids].sort());
        const active = await ok<StatusBody[]>('getStatusBy', {
            createdTimeFrom: from,
            createdTimeTo: to,
            runtimeStatus: ['Running', 'Pending'],
        });
        expect(active.map((s) => s.instanceId)).toEqual([running]);
        await ok('terminate', { instanceId: running, reason: 'cleanup' });
    });

    it('getStatusAll pages through more than one page (top defaults to 100)', async () => {
        const prefix = unique('many');
        // Write the rows straight through the runtime client: 105 starts of a quick orchestration.
        const client = t.durable.runtime?.client;
        if (!client) throw new Error('runtime not started');
        await Promise.all(
            Array.from({ length: 105 }, (_, i) =>
                client.startNew('greet', { instanceId: `${prefix}-${String(i).padStart(3, '0')}`, input: '"n"' }),
            ),
        );
        const all = await ok<StatusBody[]>('getStatusAll');
        expect(all.filter((s) => s.instanceId.startsWith(prefix))).toHaveLength(105);
    });

    it('raiseEvent, suspend and resume: events wait while suspended', async () => {
        const id = unique('sdk-susp');
        await ok('startNew', { name: 'twoEvents', instanceId: id });
        await waitUntil(`${t.origin}${WEBHOOK}/instances/${id}`, (s) => s.runtimeStatus === 'Running');
        await ok('suspend', { instanceId: id, reason: 'pause' });
        await waitUntil(`${t.origin}${WEBHOOK}/instances/${id}`, (s) => s.runtimeStatus === 'Suspended');
        await ok('raiseEvent', { instanceId: id, eventName: 'First', data: { a: 1 } });
        await ok('raiseEvent', { instanceId: id, eventName: 'Second', data: 'two' });
        await new Promise((resolve) => setTimeout(resolve, 300));
        expect((await ok<StatusBody>('getStatus', { instanceId: id })).runtimeStatus).toBe('Suspended');
        await ok('resume', { instanceId: id, reason: 'go' });
        const done = await call('waitForCompletionOrCreateCheckStatusResponse', { instanceId: id });
        expect(done).toMatchObject({ status: 200, body: [{ a: 1 }, 'two'] });
        expect((await call('raiseEvent', { instanceId: unique('none'), eventName: 'First', data: 1 })).status).toBe(
            500,
        );
    });

    it('rewind brings a failed instance to completion', async () => {
        const id = unique('sdk-rewind');
        await ok('startNew', { name: 'flaky', input: 1, instanceId: id });
        const failed = await call('waitForCompletionOrCreateCheckStatusResponse', { instanceId: id });
        expect(failed.status).toBe(500);
        await ok('rewind', { instanceId: id, reason: 'fixed' });
        const done = await call('waitForCompletionOrCreateCheckStatusResponse', { instanceId: id });
        expect(done).toMatchObject({ status: 200, body: ['Hello, before!', 'recovered'] });
    });

    it('purgeInstanceHistory and purgeInstanceHistoryBy', async () => {
        const id = unique('sdk-purge');
        await startAndWait('greet', 'p', id);
        expect(await ok('purgeInstanceHistory', { instanceId: id })).toEqual({ instancesDeleted: 1 });
        expect(await ok('purgeInstanceHistory', { instanceId: id })).toEqual({ instancesDeleted: 0 });
        expect((await call('getStatus', { instanceId: id })).status).toBe(500);

        const from = new Date();
        const ids = [unique('sdk-pb1'), unique('sdk-pb2')];
        for (const each of ids) await startAndWait('greet', each, each);
        const to = new Date(Date.now() + 1000);
        expect(
            await ok('purgeInstanceHistoryBy', {
                createdTimeFrom: from,
                createdTimeTo: to,
                runtimeStatus: ['Completed'],
            }),
        ).toEqual({ instancesDeleted: 2 });
        expect(
            await ok('purgeInstanceHistoryBy', {
                createdTimeFrom: from,
                createdTimeTo: to,
                runtimeStatus: ['Completed'],
            }),
        ).toEqual({ instancesDeleted: 0 });
    });

    it('createCheckStatusResponse and createHttpManagementPayload point at this devhost', async () => {
        const id = unique('sdk-urls');
        const check = await call('createCheckStatusResponse', { instanceId: id });
        expect(check.status).toBe(202);
        const payload = check.body as Record<string, string>;
        expect(check.headers.get('location')).toBe(payload.statusQueryGetUri);
        expect(Object.keys(payload).sort()).toEqual(
            [
                'id',
                'purgeHistoryDeleteUri',
                'restartPostUri',
                'resumePostUri',
                'rewindPostUri',
                'sendEventPostUri',
                'statusQueryGetUri',
                'suspendPostUri',
                'terminatePostUri',
            ].sort(),
        );
        expect(payload.statusQueryGetUri?.startsWith(`${t.origin}${WEBHOOK}/instances/${id}?`)).toBe(true);
        const management = await ok<Record<string, string>>('createHttpManagementPayload', { instanceId: id });
        expect(management.id).toBe(id);
        expect(management.rewindPostUri).toContain(`/instances/${id}/rewind?reason={text}`);

        // The URLs work: start under that id, then follow statusQueryGetUri and restartPostUri.
        await startAndWait('greet', 'urls', id);
        const status = (await (await testFetch(payload.statusQueryGetUri ?? '')).json()) as StatusBody;
        expect(status.output).toBe('Hello, urls!');
        const restarted = await testFetch(payload.restartPostUri ?? '', { method: 'POST' });
        expect(restarted.status).toBe(202);
    });
});
