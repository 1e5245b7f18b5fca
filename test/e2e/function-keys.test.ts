import { afterAll, beforeAll, expect, it } from 'vitest';
import { pollUntilDone, startDevhost, type DevhostProcess } from '../support/e2e/devhost-process';
import { azuriteConnectionString, uniqueHubName } from '../support/storage';

/**
 * The built app on the devhost CLI with `--enable-auth`, as it behaves in Azure with HTTP_AUTH_LEVEL unset
 * (function keys required): the starter and the status route refuse requests without a key and serve them with one.
 */
const KEY = 'e2e-function-key';
let devhost: DevhostProcess;

beforeAll(async () => {
    devhost = await startDevhost({
        args: ['--enable-auth'],
        env: {
            AzureWebJobsStorage: azuriteConnectionString(),
            TASKHUB_NAME: uniqueHubName('Keys'),
            DEVHOST_FUNCTION_KEYS: KEY,
            HTTP_AUTH_LEVEL: undefined,
            DEVHOST_KEYS_FILE: undefined,
        },
    });
});

afterAll(async () => {
    expect(await devhost.stop()).toBe(0);
});

const order = JSON.stringify({ order_id: 'K-1', items: [{ sku: 'MUG' }], email: 'ada@example.com' });

function startOrder(headers: Record<string, string> = {}, query = ''): Promise<Response> {
    return fetch(`${devhost.origin}/api/orchestrations/order_processing${query}`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', ...headers },
        body: order,
    });
}

it('says which functions need a key', () => {
    const line = /Function keys: required on ([^(]+) \(/.exec(devhost.output());
    expect(line?.[1]?.split(', ').sort()).toEqual(['get_order', 'get_status', 'http_start']);
});

it('refuses the starter without a key or with a wrong one: 401, empty body, nothing started', async () => {
    const missing = await startOrder();
    expect(missing.status).toBe(401);
    expect(await missing.text()).toBe('');
    const wrong = await startOrder({ 'x-functions-key': 'not-the-key' });
    expect(wrong.status).toBe(401);
    await wrong.arrayBuffer();
    const listed = await fetch(`${devhost.origin}/runtime/webhooks/durabletask/instances/`);
    expect(await listed.json()).toEqual([]);
});

it('starts an order with the key in the header (202) and serves its status with the key as ?code= (200)', async () => {
    const started = await startOrder({ 'x-functions-key': KEY });
    expect(started.status).toBe(202);
    const { id, statusQueryGetUri } = (await started.json()) as { id: string; statusQueryGetUri: string };
    // The Durable HTTP API stays open on the devhost (system keys are not modelled), so a client can poll it.
    expect((await pollUntilDone(statusQueryGetUri)).runtimeStatus).toBe('Completed');

    const noKey = await fetch(`${devhost.origin}/api/orchestrations/${id}/status`);
    expect(noKey.status).toBe(401);
    await noKey.arrayBuffer();
    const withKey = await fetch(`${devhost.origin}/api/orchestrations/${id}/status?code=${KEY}`);
    expect(withKey.status).toBe(200);
    expect(await withKey.json()).toMatchObject({ instance_id: id, runtime_status: 'Completed' });
});

it('also takes the key as ?code= on the starter', async () => {
    const started = await startOrder({}, `?code=${KEY}`);
    expect(started.status).toBe(202);
    await started.arrayBuffer();
});
