/**
 * The SDK's client calls answered in memory (durable/sdk-rpc-in-memory.ts): with the fixture's real copy of
 * axios, requests under the RPC base reach the handler as the socket path would deliver them and come back as
 * axios parses a socket response; everything else still goes over the network; and a running host's
 * DurableClient works without one server request.
 */
import diagnostics from 'node:diagnostics_channel';
import { mkdtempSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { answerSdkRpcInMemory } from '../../../../src/extensions/durable/sdk-rpc-in-memory';
import { FIXTURES, postJson, useDurableHost } from '../../../support/durable/durable-host';

const appDir = path.join(FIXTURES, 'management');

interface AxiosLike {
    defaults: { adapter?: unknown };
    create(config?: object): {
        get(url: string): Promise<{ status: number; data: unknown; headers: Record<string, unknown> }>;
        post(
            url: string,
            body: string,
            config?: object,
        ): Promise<{ status: number; data: unknown; headers: Record<string, unknown> }>;
    };
}

/** The axios the fixture's durable-functions requires: the one the SDK sends with. */
function fixtureAxios(): AxiosLike {
    const durableFunctions = createRequire(path.join(appDir, 'package.json')).resolve('durable-functions/package.json');
    return createRequire(durableFunctions)('axios') as AxiosLike;
}

describe('the in-memory adapter on the app axios', () => {
    let server: Server;
    let elsewhere: string;
    beforeAll(async () => {
        server = createServer((_req, res) =>
            res.writeHead(200, { 'content-type': 'application/json' }).end('{"from":"socket"}'),
        );
        await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
        const address = server.address();
        elsewhere = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/other`;
    });
    afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

    it('hands requests under the base to the handler, passes others on, and puts the old adapter back', async () => {
        const axios = fixtureAxios();
        const original = axios.defaults.adapter;
        const seen: { method: string; url: string; type: string | null; body: string }[] = [];
        const base = 'http://127.0.0.1:1/durabletask/';
        const undo = answerSdkRpcInMemory(appDir, base, async (request) => {
            seen.push({
                method: request.method,
                url: request.url,
                type: request.headers.get('content-type'),
                body: await request.text(),
            });
            return Response.json({ id: 'abc' }, { status: 202, headers: { location: `${base}instances/abc` } });
        });
        expect(undo).toBeTypeOf('function');
        // Port 1 answers nothing: a request that reached a socket would fail.
        const client = axios.create({ validateStatus: (status: number) => status < 600 });
        const started = await client.post(`${base}orchestrators/greet`, JSON.stringify('ann'), {
            headers: { 'Content-Type': 'application/json' },
        });
        expect(started.status).toBe(202);
        expect(started.data).toEqual({ id: 'abc' });
        expect(started.headers['location']).toBe(`${base}instances/abc`);
        expect(seen).toEqual([
            { method: 'POST', url: `${base}orchestrators/greet`, type: 'application/json', body: '"ann"' },
        ]);

        expect((await client.get(elsewhere)).data).toEqual({ from: 'socket' });

        // axios's own rule for a status its validateStatus refuses: a rejection carrying the response.
        await expect(axios.create().get(`${base}instances/abc`)).resolves.toMatchObject({ status: 202 });
        const strict = axios.create({ validateStatus: (status: number) => status < 300 });
        const undoStrict = answerSdkRpcInMemory(appDir, 'http://127.0.0.1:2/durabletask/', () =>
            Promise.resolve(new Response('{"message":"no"}', { status: 404 })),
        );
        await expect(strict.get('http://127.0.0.1:2/durabletask/instances/x')).rejects.toMatchObject({
            response: { status: 404 },
        });
        undoStrict?.();
        undo?.();
        expect(axios.defaults.adapter).toBe(original);
    });

    it('keeps the socket path for an app without durable-functions', () => {
        const bare = mkdtempSync(path.join(tmpdir(), 'no-durable-'));
        const undo = answerSdkRpcInMemory(bare, 'http://x/durabletask/', () => Promise.reject(new Error('unused')));
        expect(undo).toBeUndefined();
    });
});

describe('a running host', () => {
    const t = useDurableHost('management');

    it("answers the SDK client's start and status calls without a server request", async () => {
        const served: string[] = [];
        const onRequest = (message: unknown): void => {
            served.push((message as { request: { url: string } }).request.url);
        };
        diagnostics.subscribe('http.server.request.start', onRequest);
        try {
            const started = await postJson(`${t.origin}/api/client/startNew`, { name: 'greet', input: 'ann' });
            expect(started.status).toBe(200);
            const { id } = (await started.json()) as { id: string };
            for (let i = 0; i < 200; i++) {
                const status = await postJson(`${t.origin}/api/client/getStatus`, { instanceId: id });
                const body = (await status.json()) as { runtimeStatus?: string; output?: unknown };
                if (body.runtimeStatus === 'Completed') {
                    expect(body.output).toBe('Hello, ann!');
                    break;
                }
                if (i === 199) throw new Error(`still ${body.runtimeStatus}`);
                await new Promise((resolve) => setTimeout(resolve, 25));
            }
        } finally {
            diagnostics.unsubscribe('http.server.request.start', onRequest);
        }
        expect(served).toEqual([]);
    });
});
