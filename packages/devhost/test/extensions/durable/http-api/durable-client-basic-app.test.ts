/**
 * The durable-functions SDK's DurableClient (through an app function using the durableClient input) driving
 * the devhost over its rpcBaseUrl: startNew, getStatus, raiseEvent, terminate, createCheckStatusResponse and
 * waitForCompletionOrCreateCheckStatusResponse.
 */
import { describe, expect, it } from 'vitest';
import { postJson, useDurableHost, waitForStatus } from '../../../support/durable/durable-host';

const t = useDurableHost('basic');

async function op(name: string, body: unknown): Promise<Response> {
    return postJson(`${t.origin}/api/client/${name}`, body);
}

describe('DurableClient from durable-functions against the devhost', () => {
    it('startNew + createCheckStatusResponse, then getStatus', async () => {
        const response = await op('start', { name: 'sequence', input: ['SDK'] });
        expect(response.status).toBe(202);
        const payload = (await response.json()) as Record<string, string>;
        expect(payload.id).toMatch(/^[0-9a-f]{32}$/);
        expect(response.headers.get('location')).toBe(payload.statusQueryGetUri);
        // The SDK swaps in the request's origin; the URLs reach this devhost.
        expect(
            payload.statusQueryGetUri?.startsWith(`${t.origin}/runtime/webhooks/durabletask/instances/${payload.id}`),
        ).toBe(true);
        const done = await waitForStatus(payload.statusQueryGetUri ?? '');
        expect(done.output).toEqual(['Hello, SDK!']);

        const status = (await (
            await op('status', { instanceId: payload.id, showHistory: true, showHistoryOutput: true })
        ).json()) as Record<string, unknown>;
        expect(status).toMatchObject({
            name: 'sequence',
            instanceId: payload.id,
            runtimeStatus: 'Completed',
            output: ['Hello, SDK!'],
        });
    });

    it('startNew with an instance id, raiseEvent and waitForCompletion', async () => {
        const instanceId = `sdk-${Date.now()}`;
        const started = await op('start', { name: 'waitForApproval', instanceId });
        expect(((await started.json()) as { id: string }).id).toBe(instanceId);
        const timeout = await op('wait', { instanceId, timeoutInMilliseconds: 200 });
        expect(timeout.status).toBe(202);
        expect((await op('raise', { instanceId, eventName: 'Approval', data: { ok: 1 } })).status).toBe(202);
        const completed = await op('wait', { instanceId });
        expect(completed.status).toBe(200);
        expect(await completed.json()).toEqual({ approved: { ok: 1 } });
    });

    it('terminate, and getStatus of an unknown instance fails in the SDK with the 404', async () => {
        const instanceId = `sdk-term-${Date.now()}`;
        await op('start', { name: 'waitForApproval', instanceId });
        expect((await op('terminate', { instanceId, reason: 'stop' })).status).toBe(202);
        const final = await op('wait', { instanceId });
        expect((await final.json()) as { runtimeStatus: string; output: unknown }).toMatchObject({
            runtimeStatus: 'Terminated',
            output: 'stop',
        });
        const missing = await op('status', { instanceId: 'no-such-instance' });
        expect(missing.status).toBe(500);
    });
});
