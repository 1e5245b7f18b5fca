import { afterAll, beforeAll, expect, it } from 'vitest';
import { startHost, type RunningHost } from '../../../src/host/start-host';
import { captureLogger, fixtureAppDir } from '../../support/host/capture-logger';

let host: RunningHost;

beforeAll(async () => {
    host = await startHost({ appDir: fixtureAppDir('esm-prefix'), port: 0, logger: captureLogger() });
});

afterAll(async () => {
    await host?.close();
});

it('loads ES module files matched by a brace glob, and nothing else', () => {
    expect([...host.app.functions.keys()].sort()).toEqual(['extra', 'ping']);
});

it('serves routes without a prefix when host.json sets routePrefix to ""', async () => {
    const ping = await fetch(`${host.origin}/ping`);
    expect(await ping.json()).toEqual({ pong: true, module: 'esm' });
    expect(await (await fetch(`${host.origin}/nested/7`)).json()).toEqual({ id: 7 });
    expect((await fetch(`${host.origin}/api/ping`)).status).toBe(404);
    expect((await fetch(`${host.origin}/nested/x`)).status).toBe(404);
});
