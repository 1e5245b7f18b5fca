import { afterAll, beforeAll, expect, it } from 'vitest';
import { startHost, type RunningHost } from '../../../src/host/start-host';
import { captureLogger, fixtureAppDir } from '../../support/host/capture-logger';

// Without --enable-auth (the default), the devhost treats every request as allowed, as Core Tools does without
// --enableAuth (its CliAuthenticationHandler grants admin level to every local request). One app per process,
// hence a file of its own.
let host: RunningHost;

beforeAll(async () => {
    host = await startHost({ appDir: fixtureAppDir('keyed'), port: 0, logger: captureLogger() });
});

afterAll(async () => {
    await host?.close();
});

it('serves function- and admin-level routes without a key', async () => {
    for (const route of ['keyed', 'admin', 'open']) {
        const response = await fetch(`${host.origin}/api/${route}`);
        expect(response.status).toBe(200);
        expect(await response.json()).toEqual({ fn: route });
    }
});
