import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHost, type RunningHost } from '../../../src/host/start-host';
import type { BindingInfo, HostExtension, InputRequest } from '../../../src/shared/host-contracts';
import { captureLogger, fixtureAppDir } from '../../support/host/capture-logger';

const logger = captureLogger();
const providedInputs: ({ binding: BindingInfo } & InputRequest)[] = [];

/** A stand-in trigger extension: owns one webhook route and supplies the durableClient input. */
const fakeExtension: HostExtension = {
    name: 'fake',
    triggerTypes: ['activityTrigger'],
    inputBindingTypes: ['durableClient'],
    async start() {},
    async stop() {},
    provideInput(binding, request) {
        providedInputs.push({ binding, ...request });
        return { taskHubName: 'FakeHub', creationUrls: {}, managementUrls: {} };
    },
    async handleHttp(request) {
        const url = new URL(request.url);
        return url.pathname.startsWith('/runtime/webhooks/fake/')
            ? new Response('from extension', { status: 202 })
            : undefined;
    },
};

let host: RunningHost;
let base: string;

beforeAll(async () => {
    host = await startHost({
        appDir: fixtureAppDir('http-cjs'),
        port: 0,
        extensions: [fakeExtension],
        logger,
        allowUnsupported: true, // the fixture's timer trigger has no extension here
    });
    base = host.origin;
});

afterAll(async () => {
    await host?.close();
});

async function params(path: string): Promise<{ fn: string; params: Record<string, string> } | number> {
    const response = await fetch(`${base}${path}`);
    if (response.status !== 200) return response.status;
    return (await response.json()) as { fn: string; params: Record<string, string> };
}

describe('routing', () => {
    it('answers in memory (RunningHost.fetch, no socket) what it answers over the socket', async () => {
        for (const path of ['/api/hello', '/api/items/42', '/api/no-such-route']) {
            const [inMemory, overSocket] = [await host.fetch(path), await fetch(`${base}${path}`)];
            expect([inMemory.status, await inMemory.text()], path).toEqual([
                overSocket.status,
                await overSocket.text(),
            ]);
        }
        const posted = await host.fetch('/api/items/42', { method: 'POST', body: 'x' });
        expect(posted.status).toBe((await fetch(`${base}/api/items/42`, { method: 'POST', body: 'x' })).status);
    });

    it('serves a function on its default route under the api prefix', async () => {
        const response = await fetch(`${base}/api/hello`);
        expect(response.status).toBe(200);
        expect(await response.text()).toBe('hello');
    });

    it('prefers literal segments, then constrained parameters, then plain parameters', async () => {
        expect(await params('/api/items/new')).toEqual({ fn: 'itemNew', params: {} });
        expect(await params('/api/items/42')).toEqual({ fn: 'itemById', params: { id: '42' } });
        expect(await params('/api/items/abc')).toEqual({ fn: 'itemByName', params: { name: 'abc' } });
        expect(await params('/api/items/a-1')).toEqual({ fn: 'itemAny', params: { value: 'a-1' } });
        // Out of Int32 range: not an int, not alpha, so the plain parameter takes it.
        expect(await params('/api/items/99999999999')).toEqual({ fn: 'itemAny', params: { value: '99999999999' } });
    });

    it('matches literals case-insensitively and ignores a trailing slash', async () => {
        expect(await params('/API/mixed/CASE/')).toEqual({ fn: 'caseRoute', params: {} });
    });

    it('handles optional parameters and defaults', async () => {
        expect(await params('/api/opt/x')).toEqual({ fn: 'optional', params: { a: 'x' } });
        expect(await params('/api/opt/x/y')).toEqual({ fn: 'optional', params: { a: 'x', b: 'y' } });
        expect(await params('/api/opt/x/y/z')).toBe(404);
        expect(await params('/api/def')).toEqual({ fn: 'withDefault', params: { lang: 'en' } });
        expect(await params('/api/def/fr')).toEqual({ fn: 'withDefault', params: { lang: 'fr' } });
    });

    it('gives the rest of the path to a catch-all, decoded', async () => {
        expect(await params('/api/files/a/b%20c/d.txt')).toEqual({ fn: 'catchAll', params: { path: 'a/b c/d.txt' } });
        expect(await params('/api/files')).toEqual({ fn: 'catchAll', params: {} });
    });

    it('applies guid, range, regex and length constraints', async () => {
        const guid = '3f2504e0-4f89-11d3-9a0c-0305e82c3301';
        expect(await params(`/api/c/${guid}/3/abbb/xy`)).toEqual({
            fn: 'constrained',
            params: { g: guid, n: '3', r: 'abbb', len: 'xy' },
        });
        expect(await params(`/api/c/not-a-guid/3/abbb/xy`)).toBe(404);
        expect(await params(`/api/c/${guid}/6/abbb/xy`)).toBe(404);
        expect(await params(`/api/c/${guid}/3/ac/xy`)).toBe(404);
        expect(await params(`/api/c/${guid}/3/abbb/wxyz`)).toBe(404);
    });

    it('splits complex segments', async () => {
        expect(await params('/api/doc/report.final.pdf')).toEqual({
            fn: 'complex',
            params: { file: 'report.final', ext: 'pdf' },
        });
    });

    it('answers 404 with an empty body for no route and for a method the function does not accept', async () => {
        for (const [method, path] of [
            ['GET', '/api/nope'],
            ['GET', '/hello'],
            ['POST', '/api/hello'],
            ['GET', '/api/m'],
            ['PUT', '/api/both'],
        ] as const) {
            const response = await fetch(`${base}${path}`, { method });
            expect(response.status, `${method} ${path}`).toBe(404);
            expect(await response.text()).toBe('');
        }
    });

    it('accepts the declared methods (GET and POST by default)', async () => {
        for (const method of ['PUT', 'DELETE']) {
            const response = await fetch(`${base}/api/m`, { method });
            expect(await response.text()).toBe(method);
        }
        for (const method of ['GET', 'POST']) {
            expect(await (await fetch(`${base}/api/both`, { method })).text()).toBe(method);
        }
    });
});

describe('requests and responses', () => {
    it('passes the absolute URL, repeated query values, headers and a text body', async () => {
        const response = await fetch(`${base}/api/echo?q=1&q=2&other=x`, {
            method: 'POST',
            headers: { 'x-custom': 'custom value' },
            body: 'plain text body',
        });
        const body = (await response.json()) as Record<string, unknown>;
        expect(response.headers.get('content-type')).toContain('application/json');
        expect(body).toEqual({
            method: 'POST',
            url: `${base}/api/echo?q=1&q=2&other=x`,
            q: ['1', '2'],
            custom: 'custom value',
            text: 'plain text body',
        });
    });

    it('round-trips binary bodies byte for byte', async () => {
        const bytes = new Uint8Array(70_000);
        for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 31 + 7) % 256;
        const response = await fetch(`${base}/api/binary`, { method: 'POST', body: bytes });
        expect(response.headers.get('content-type')).toBe('application/octet-stream');
        expect(Buffer.from(await response.arrayBuffer()).equals(Buffer.from(bytes))).toBe(true);
    });

    it('sends every cookie as its own Set-Cookie header, plus the raw set-cookie header', async () => {
        const response = await fetch(`${base}/api/cookies`);
        expect(response.status).toBe(201);
        expect(response.headers.get('x-multi')).toBe('one');
        const cookies = response.headers.getSetCookie();
        expect(cookies).toHaveLength(3);
        expect(cookies).toContain('raw=1');
        expect(cookies).toContain('first=1');
        const second = cookies.find((c) => c.startsWith('second='));
        expect(second).toMatch(/^second=two%20words; /);
        expect(second).toMatch(/max-age=60/);
        expect(second).toMatch(/path=\//);
        expect(second).toMatch(/samesite=lax/);
        expect(second).toMatch(/httponly/);
    });

    it('answers 204 when the handler returns nothing', async () => {
        const response = await fetch(`${base}/api/nothing`);
        expect(response.status).toBe(204);
    });

    it('answers 500 with an empty body when a handler throws, logs it with the invocation id, and keeps serving', async () => {
        const response = await fetch(`${base}/api/boom`);
        expect(response.status).toBe(500);
        expect(await response.text()).toBe('');
        const failure = logger.entries.find(
            (e) => e.level === 'error' && e.functionName === 'boom' && e.message.includes('kaboom'),
        );
        expect(failure?.invocationId).toMatch(/^[0-9a-f-]{36}$/);
        expect(failure?.message).toContain(failure?.invocationId ?? 'missing');
        expect((await fetch(`${base}/api/hello`)).status).toBe(200);
    });

    it('answers 500 when the response cannot be converted (a string return)', async () => {
        const response = await fetch(`${base}/api/badReturn`);
        expect(response.status).toBe(500);
        expect(logger.entries.some((e) => e.level === 'error' && e.functionName === 'badReturn')).toBe(true);
    });

    it('captures context.log with the function name and invocation id', async () => {
        const response = await fetch(`${base}/api/logs?tag=t-123`);
        const { invocationId, functionName } = (await response.json()) as {
            invocationId: string;
            functionName: string;
        };
        expect(functionName).toBe('logs');
        const userLines = logger.entries.filter((e) => e.category === 'user' && e.invocationId === invocationId);
        expect(userLines).toEqual([
            {
                level: 'information',
                category: 'user',
                message: 'user log line t-123',
                functionName: 'logs',
                invocationId,
            },
            { level: 'warning', category: 'user', message: 'user warning', functionName: 'logs', invocationId },
        ]);
    });
});

describe('hooks', () => {
    it('runs appStart once, then pre hooks (which may wrap the handler), the handler, post hooks', async () => {
        const response = await fetch(`${base}/api/hooked`);
        expect(response.headers.get('x-wrapped-by')).toBe('preInvocation');
        const events = (await response.json()) as string[];
        expect(events.filter((e) => e === 'appStart')).toHaveLength(1);
        expect(events.slice(-2)).toEqual(['preInvocation:hooked', 'handler:hooked']);
        const after = (globalThis as { __fixtureHookEvents?: string[] }).__fixtureHookEvents ?? [];
        expect(after.at(-1)).toBe('postInvocation:hooked:pre');
    });
});

describe('extensions', () => {
    it('lets an extension answer its own routes before the app', async () => {
        const response = await fetch(`${base}/runtime/webhooks/fake/anything`);
        expect(response.status).toBe(202);
        expect(await response.text()).toBe('from extension');
    });

    it('supplies extra inputs of the types an extension provides, as JSON under the binding name', async () => {
        const response = await fetch(`${base}/api/client/widget?color=red`, { method: 'POST' });
        expect(await response.json()).toEqual({ taskHub: 'FakeHub', name: 'widget' });
        const provided = providedInputs.at(-1);
        expect(provided?.binding.type).toBe('durableClient');
        expect(provided?.origin).toBe(host.origin);
        expect(provided?.functionName).toBe('startSomething');
        expect(provided?.bindingData).toMatchObject({ name: 'widget', color: 'red' });
    });

    it('lists every function and, when allowed, warns only about triggers no extension serves', () => {
        const lines = logger.entries.map((e) => e.message);
        expect(lines).toContain(`    itemById: [GET] http://localhost:${host.port}/api/items/{id:int}`);
        expect(lines).toContain(`    double: activityTrigger`);
        expect(lines).toContain(`    tick: timerTrigger`);
        const warnings = logger.entries
            .filter((e) => e.level === 'warning' && e.category === 'host')
            .map((e) => e.message);
        expect(warnings.some((w) => w.includes("'timerTrigger'") && w.includes("'tick'"))).toBe(true);
        expect(warnings.some((w) => w.includes('activityTrigger'))).toBe(false);
    });
});
