/**
 * Every implemented route of the Durable HTTP API with the extension's status codes, headers and bodies, under
 * both bases, entity routes included.
 */
import { describe, expect, it } from 'vitest';
import {
    postJson,
    useDurableHost,
    startOrchestration,
    waitForStatus,
    waitUntil,
    WEBHOOK,
} from '../../../support/durable/durable-host';
import { testFetch } from '../../../support/in-memory-fetch';

const t = useDurableHost('basic');

const bases = (): string[] => [`${t.origin}${WEBHOOK}`, `${t.origin}/durabletask`];

describe('POST orchestrators/{name}/{id?}', () => {
    it('answers 202 with the check-status payload, Location and Retry-After', async () => {
        for (const base of bases()) {
            const response = await postJson(`${base}/orchestrators/sequence`, ['X']);
            expect(response.status).toBe(202);
            const body = (await response.json()) as Record<string, string>;
            expect(Object.keys(body).sort()).toEqual(
                [
                    'id',
                    'statusQueryGetUri',
                    'sendEventPostUri',
                    'terminatePostUri',
                    'purgeHistoryDeleteUri',
                    'restartPostUri',
                    'suspendPostUri',
                    'resumePostUri',
                ].sort(),
            );
            expect(body.id).toMatch(/^[0-9a-f]{32}$/);
            expect(response.headers.get('location')).toBe(body.statusQueryGetUri);
            expect(response.headers.get('retry-after')).toBe('10');
            expect(body.statusQueryGetUri).toBe(
                `${t.origin}${WEBHOOK}/instances/${body.id}?taskHub=${t.hubName}&connection=Storage`,
            );
            const status = await waitForStatus(body.statusQueryGetUri ?? '');
            expect(status.output).toEqual(['Hello, X!']);
        }
    });

    it('uses the given instance id; a duplicate of a running instance is 409, of a finished one is allowed', async () => {
        const id = `dup-${Date.now()}`;
        const first = await startOrchestration(t.origin, 'waitForApproval', undefined, id);
        expect(first.id).toBe(id);
        const again = await postJson(`${t.origin}${WEBHOOK}/orchestrators/waitForApproval/${id}`);
        expect(again.status).toBe(409);
        expect(((await again.json()) as { Message: string }).Message).toMatch(/already exists/);
        expect((await testFetch(first.terminatePostUri.replace('{text}', 'done'), { method: 'POST' })).status).toBe(
            202,
        );
        await waitForStatus(first.statusQueryGetUri);
        const restarted = await postJson(`${t.origin}${WEBHOOK}/orchestrators/sequence/${id}`, ['again']);
        expect(restarted.status).toBe(202);
        const status = await waitForStatus(first.statusQueryGetUri);
        expect(status.name).toBe('sequence');
        expect(status.output).toEqual(['Hello, again!']);
    });

    it('rejects bad JSON, unknown orchestrators and invalid ids with 400 and no stack trace', async () => {
        const badJson = await testFetch(`${t.origin}${WEBHOOK}/orchestrators/sequence`, {
            method: 'POST',
            body: '{nope',
            headers: { 'Content-Type': 'application/json' },
        });
        expect(badJson.status).toBe(400);
        expect(((await badJson.json()) as { Message: string }).Message).toBe('Invalid JSON content');

        const unknown = await postJson(`${t.origin}${WEBHOOK}/orchestrators/nope`);
        expect(unknown.status).toBe(400);
        const body = (await unknown.json()) as Record<string, string>;
        expect(body.Message).toBe('One or more of the arguments submitted is incorrect');
        expect(body.ExceptionMessage).toMatch(
            /^The function 'nope' doesn't exist, is disabled, or is not an orchestrator function\./,
        );
        expect(body).not.toHaveProperty('StackTrace');

        const badId = await postJson(
            `${t.origin}${WEBHOOK}/orchestrators/sequence/${encodeURIComponent('@entity@key')}`,
        );
        expect(badId.status).toBe(400);
        expect(((await badId.json()) as Record<string, string>).ExceptionMessage).toMatch(/must not start with @/);
    });

    it('waits for completion with timeout and pollingInterval', async () => {
        const response = await postJson(
            `${t.origin}${WEBHOOK}/orchestrators/sequence?timeout=10&pollingInterval=0.02`,
            ['W'],
        );
        expect(response.status).toBe(200);
        expect(await response.json()).toEqual(['Hello, W!']);
        const failed = await postJson(`${t.origin}${WEBHOOK}/orchestrators/throwing?timeout=10&pollingInterval=0.02`);
        expect(failed.status).toBe(200);
        expect(((await failed.json()) as { runtimeStatus: string }).runtimeStatus).toBe('Failed');
        const pending = await postJson(
            `${t.origin}${WEBHOOK}/orchestrators/waitForApproval?timeout=0.1&pollingInterval=0.05`,
        );
        expect(pending.status).toBe(202);
    });

    it('answers 404 to other methods', async () => {
        expect((await testFetch(`${t.origin}${WEBHOOK}/orchestrators/sequence`)).status).toBe(404);
    });
});

describe('GET instances/{id}', () => {
    it('is 404 with no body for an unknown instance', async () => {
        const response = await testFetch(`${t.origin}${WEBHOOK}/instances/never-started`);
        expect(response.status).toBe(404);
        expect(await response.text()).toBe('');
    });

    it('is 202 with Location and Retry-After while running, 200 when done, with the status payload', async () => {
        const check = await startOrchestration(t.origin, 'waitForApproval', { who: 'me' });
        const running = await waitUntil(check.statusQueryGetUri, (s) => s.customStatus === 'waiting');
        expect(running.runtimeStatus).toBe('Running');
        const response = await testFetch(check.statusQueryGetUri);
        expect(response.status).toBe(202);
        expect(response.headers.get('location')).toBe(check.statusQueryGetUri);
        expect(response.headers.get('retry-after')).toBe('5');
        const body = (await response.json()) as Record<string, unknown>;
        expect(body).toMatchObject({
            name: 'waitForApproval',
            instanceId: check.id,
            runtimeStatus: 'Running',
            input: { who: 'me' },
            customStatus: 'waiting',
            output: null,
        });
        expect(body.createdTime).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
        expect(body).not.toHaveProperty('historyEvents');

        const noInput = (await (await testFetch(`${check.statusQueryGetUri}&showInput=false`)).json()) as Record<
            string,
            unknown
        >;
        expect(noInput.input).toBeNull();

        await postJson(check.sendEventPostUri.replace('{eventName}', 'Approval'), true);
        const done = await waitForStatus(check.statusQueryGetUri);
        expect(done.runtimeStatus).toBe('Completed');
        expect(done.output).toEqual({ approved: true });
    });

    it('shows history (with outputs on request) and answers 500 for Failed only when asked', async () => {
        const check = await startOrchestration(t.origin, 'failingActivity');
        await waitForStatus(check.statusQueryGetUri);
        const plain = await testFetch(check.statusQueryGetUri);
        expect(plain.status).toBe(200);
        const asError = await testFetch(`${check.statusQueryGetUri}&returnInternalServerErrorOnFailure=true`);
        expect(asError.status).toBe(500);
        expect(((await asError.json()) as { runtimeStatus: string }).runtimeStatus).toBe('Failed');

        const withHistory = (await (
            await testFetch(`${check.statusQueryGetUri}&showHistory=true&showHistoryOutput=true`)
        ).json()) as {
            historyEvents: Array<Record<string, unknown>>;
        };
        expect(withHistory.historyEvents.map((e) => e.EventType)).toEqual([
            'ExecutionStarted',
            'TaskFailed',
            'ExecutionCompleted',
        ]);
        expect(withHistory.historyEvents[1]).toMatchObject({ FunctionName: 'explode' });
        expect(withHistory.historyEvents[2]).toMatchObject({ OrchestrationStatus: 'Failed' });
    });
});

describe('POST instances/{id}/raiseEvent/{name} and terminate', () => {
    it('raiseEvent: 404 unknown, 400 without JSON, 202 accepted, 410 once finished', async () => {
        expect((await postJson(`${t.origin}${WEBHOOK}/instances/nobody/raiseEvent/Approval`, 1)).status).toBe(404);
        const check = await startOrchestration(t.origin, 'waitForApproval');
        await waitUntil(check.statusQueryGetUri, (s) => s.runtimeStatus === 'Running');
        const url = check.sendEventPostUri.replace('{eventName}', 'Approval');
        const wrongType = await testFetch(url, {
            method: 'POST',
            body: '1',
            headers: { 'Content-Type': 'text/plain' },
        });
        expect(wrongType.status).toBe(400);
        const badJson = await testFetch(url, {
            method: 'POST',
            body: '{',
            headers: { 'Content-Type': 'application/json' },
        });
        expect(badJson.status).toBe(400);
        expect((await postJson(url, 'yes')).status).toBe(202);
        expect((await waitForStatus(check.statusQueryGetUri)).output).toEqual({ approved: 'yes' });
        expect((await postJson(url, 'again')).status).toBe(410);
    });

    it('terminate: 404 unknown, 202 running (output = reason), 410 once terminated', async () => {
        expect(
            (await testFetch(`${t.origin}/durabletask/instances/nobody/terminate?reason=x`, { method: 'POST' })).status,
        ).toBe(404);
        const check = await startOrchestration(t.origin, 'waitForApproval');
        await waitUntil(check.statusQueryGetUri, (s) => s.runtimeStatus === 'Running');
        const url = check.terminatePostUri.replace('{text}', 'no%20longer%20needed');
        expect((await testFetch(url, { method: 'POST' })).status).toBe(202);
        const status = await waitForStatus(check.statusQueryGetUri);
        expect(status.runtimeStatus).toBe('Terminated');
        expect(status.output).toBe('no longer needed');
        expect((await testFetch(url, { method: 'POST' })).status).toBe(410);
    });
});

describe('entities and unknown paths', () => {
    // The management routes (list, purge, suspend, resume, rewind, restart) are covered by
    // management-routes.test.ts; entities end to end by test/extensions/durable/runtime/entities.test.ts.
    it('answers entity routes on both bases: 404 for an entity that does not exist, 202 for a signal', async () => {
        for (const base of bases()) {
            const key = `codes-${Math.random().toString(36).slice(2)}`;
            expect((await testFetch(`${base}/entities/counterEntity/${key}`)).status).toBe(404);
            expect((await postJson(`${base}/entities/counterEntity/${key}?op=add`, 1)).status).toBe(202);
            expect((await testFetch(`${base}/entities/counterEntity/${key}`, { method: 'PUT' })).status).toBe(404);
            const bad = await testFetch(`${base}/entities/counterEntity/${key}?op=add`, {
                method: 'POST',
                headers: { 'Content-Type': 'application/json' },
                body: '{not json',
            });
            expect(bad.status).toBe(400);
        }
    });

    it('answers 404 for unknown Durable paths and leaves app routes alone', async () => {
        expect((await testFetch(`${t.origin}${WEBHOOK}/nothing`)).status).toBe(404);
        expect((await testFetch(`${t.origin}${WEBHOOK}/instances/x/unknownOp`, { method: 'POST' })).status).toBe(404);
        expect((await testFetch(`${t.origin}/api/client/nothing`, { method: 'POST', body: '{}' })).status).toBe(404);
    });
});
