import { afterAll, beforeAll, expect, it } from 'vitest';
import { startHost, type RunningHost } from '../../../src/host/start-host';
import { captureLogger, fixtureAppDir } from '../../support/host/capture-logger';

const logger = captureLogger();
let host: RunningHost;

beforeAll(async () => {
    host = await startHost({ appDir: fixtureAppDir('streaming'), port: 0, logger });
});

afterAll(async () => {
    await host?.close();
});

it('starts the library proxy for enableHttpStream apps', () => {
    expect(host.app.httpStreamUri).toMatch(/^http:\/\/localhost:\d+\/$/);
});

it('streams request and response bodies through the proxy with params, headers and cookies', async () => {
    const bytes = new Uint8Array(200_000).map((_, i) => (i * 7) % 251);
    const response = await fetch(`${host.origin}/api/stream/some-name`, {
        method: 'POST',
        headers: { 'x-custom': 'seen' },
        body: bytes,
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('x-name')).toBe('some-name');
    expect(response.headers.get('x-custom-seen')).toBe('seen');
    expect(response.headers.getSetCookie()).toEqual(['s1=a', 's2=b']);
    expect(Buffer.from(await response.arrayBuffer()).equals(Buffer.from(bytes))).toBe(true);
});

it('keeps the request URL and repeated query values', async () => {
    const response = await fetch(`${host.origin}/api/query?q=1&q=2`);
    expect(await response.json()).toEqual({ q: ['1', '2'], url: `${host.origin}/api/query?q=1&q=2` });
});

it('answers 500 when a streamed handler throws, and keeps serving', async () => {
    const response = await fetch(`${host.origin}/api/boom`);
    expect(response.status).toBe(500);
    expect(logger.entries.some((e) => e.level === 'error' && e.message.includes('stream kaboom'))).toBe(true);
    expect((await fetch(`${host.origin}/api/query?q=3`)).status).toBe(200);
});
