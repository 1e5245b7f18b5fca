import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadFunctionKeys, parseKeysSetting } from '../../../src/host/http/function-keys';
import { createKeyCheck } from '../../../src/host/http/key-check';
import type { HttpRoute } from '../../../src/host/http/route-table';
import { parseRouteTemplate } from '../../../src/host/http/route-template';
import { startHost, type RunningHost } from '../../../src/host/start-host';
import { captureLogger, fixtureAppDir } from '../../support/host/capture-logger';

const appDir = fixtureAppDir('keyed');
const MASTER = 'master-key-value';
const HOST_KEY = 'host-key-value';
const OTHER_ONLY = 'key-of-other-only';

let workDir: string;
let keysFile: string;

beforeAll(async () => {
    workDir = await mkdtemp(path.join(tmpdir(), 'devhost-keys-'));
    keysFile = path.join(workDir, 'keys.json');
    await writeFile(
        keysFile,
        JSON.stringify({ masterKey: MASTER, functions: { other: { default: OTHER_ONLY } } }),
        'utf8',
    );
});

afterAll(async () => {
    await rm(workDir, { recursive: true, force: true });
});

async function status(host: RunningHost, route: string, init: RequestInit = {}): Promise<number> {
    const response = await fetch(`${host.origin}/api/${route}`, init);
    await response.arrayBuffer();
    return response.status;
}

describe('devhost with function keys checked', () => {
    const logger = captureLogger();
    let host: RunningHost;
    beforeAll(async () => {
        const keys = await loadFunctionKeys(appDir, {
            DEVHOST_KEYS_FILE: keysFile,
            DEVHOST_FUNCTION_KEYS: `ci:${HOST_KEY}`,
        });
        host = await startHost({ appDir, port: 0, logger, functionKeys: keys });
    });
    afterAll(async () => {
        await host?.close();
    });

    // First in the file: it checks that no refused request ran the function.
    it('answers 401 with an empty body, without running the function, when the key is missing or wrong', async () => {
        const missing = await fetch(`${host.origin}/api/keyed`);
        expect(missing.status).toBe(401);
        expect(await missing.text()).toBe('');
        expect(await status(host, 'keyed', { headers: { 'x-functions-key': 'nope' } })).toBe(401);
        expect(await status(host, 'keyed?code=nope')).toBe(401);
        expect(await status(host, 'keyed?code=')).toBe(401);
        const calls = (await (await fetch(`${host.origin}/api/calls`)).json()) as Record<string, number>;
        expect(calls.keyed).toBeUndefined();
    });

    it('serves a function-level route with a host key in the x-functions-key header or the code parameter', async () => {
        const byHeader = await fetch(`${host.origin}/api/keyed`, { headers: { 'x-functions-key': HOST_KEY } });
        expect(byHeader.status).toBe(200);
        expect(await byHeader.json()).toEqual({ fn: 'keyed' });
        expect(await status(host, `keyed?code=${HOST_KEY}`)).toBe(200);
        expect(await status(host, 'keyed', { method: 'POST', headers: { 'x-functions-key': HOST_KEY } })).toBe(200);
    });

    it('reads the header before the code parameter, as the host does', async () => {
        expect(await status(host, `keyed?code=${HOST_KEY}`, { headers: { 'x-functions-key': 'wrong' } })).toBe(401);
        expect(await status(host, 'keyed?code=wrong', { headers: { 'x-functions-key': HOST_KEY } })).toBe(200);
    });

    it("accepts a function's own key for that function only", async () => {
        expect(await status(host, `other?code=${OTHER_ONLY}`)).toBe(200);
        expect(await status(host, `keyed?code=${OTHER_ONLY}`)).toBe(401);
    });

    it('serves admin-level routes with the master key only; the master key opens every route', async () => {
        expect(await status(host, `admin?code=${HOST_KEY}`)).toBe(401);
        expect(await status(host, `admin?code=${MASTER}`)).toBe(200);
        expect(await status(host, `keyed?code=${MASTER}`)).toBe(200);
    });

    it('leaves anonymous routes open and unknown routes 404', async () => {
        expect(await status(host, 'open')).toBe(200);
        expect(await status(host, 'missing')).toBe(404);
    });

    it('says at start-up which functions need a key and where the keys came from', () => {
        const line = logger.entries.find((entry) => entry.message.startsWith('Function keys:'))?.message;
        expect(line).toContain('keyed, other, admin');
        expect(line).not.toContain('open');
        expect(line).toContain('keys.json');
        expect(line).toContain('DEVHOST_FUNCTION_KEYS');
    });
});

describe('key checks with no key configured', () => {
    it('refuses every keyed route whatever key is sent, and leaves anonymous ones open', () => {
        const check = createKeyCheck({ hostKeys: new Map(), functionKeys: new Map(), sources: [] });
        const request = (key: string): Request =>
            new Request('http://localhost/api/x', { headers: { 'x-functions-key': key } });
        expect(check(route('function'), request('anything'))).toBe(false);
        expect(check(route('admin'), request(''))).toBe(false);
        expect(check(route('anonymous'), new Request('http://localhost/api/x'))).toBe(true);
    });
});

function route(authLevel: HttpRoute['authLevel']): HttpRoute {
    const fn = {
        name: 'x',
        bindings: {},
        trigger: { name: 'req', binding: { type: 'httpTrigger', direction: 'in' as const } },
    };
    return { fn, route: 'x', template: parseRouteTemplate('api/x'), methods: undefined, authLevel };
}

describe('where keys come from', () => {
    it('names unnamed setting keys default, default2, ... and keeps named ones', () => {
        expect([...parseKeysSetting('a1, ci:b2 ,c3')]).toEqual([
            ['default', 'a1'],
            ['ci', 'b2'],
            ['default2', 'c3'],
        ]);
        expect(() => parseKeysSetting('ci:')).toThrow(/without a name or value/);
    });

    it('reads local.keys.json from the app directory by default and treats a missing one as no keys', async () => {
        const dir = await mkdtemp(path.join(workDir, 'app-'));
        expect((await loadFunctionKeys(dir, {})).sources).toEqual([]);
        await writeFile(path.join(dir, 'local.keys.json'), JSON.stringify({ functionKeys: { default: 'k' } }));
        const keys = await loadFunctionKeys(dir, {});
        expect(keys.sources).toEqual(['local.keys.json']);
        expect([...keys.hostKeys]).toEqual([['default', 'k']]);
    });

    it('refuses an invalid keys file, and a configured file that does not exist, with the reason', async () => {
        const bad = path.join(workDir, 'bad.json');
        await writeFile(bad, JSON.stringify({ masterKey: '', extra: true }));
        await expect(loadFunctionKeys(workDir, { DEVHOST_KEYS_FILE: bad })).rejects.toThrow(/not valid.*masterKey/);
        await expect(loadFunctionKeys(workDir, { DEVHOST_KEYS_FILE: 'absent.json' })).rejects.toThrow(/Cannot read/);
    });
});
