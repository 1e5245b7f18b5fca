import { cp, mkdtemp, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_AZURITE_PORTS, isPortOpen } from 'devhost/testing';
import { pollUntilDone, repoRoot, startDevhost } from '../support/e2e/devhost-process';

/**
 * `npm start` with nothing but the app's embedded defaults: local.settings.json says
 * UseDevelopmentStorage=true, so the devhost starts Azurite itself, keeps its state under the app's
 * `.azurite/`, and stops it on Ctrl-C. The app is a copy of this project (built files linked) in a temp
 * folder, so the test never touches the developer's own `.azurite/`.
 */
let appDir: string;

beforeAll(async () => {
    appDir = await mkdtemp(path.join(tmpdir(), 'npm-start-'));
    for (const file of ['host.json', 'package.json', 'local.settings.json']) {
        await cp(path.join(repoRoot, file), path.join(appDir, file));
    }
    await symlink(path.join(repoRoot, 'dist'), path.join(appDir, 'dist'), 'dir');
    await symlink(path.join(repoRoot, 'node_modules'), path.join(appDir, 'node_modules'), 'dir');
});

afterAll(async () => {
    await rm(appDir, { recursive: true, force: true });
});

const embeddedDefaults = { AzureWebJobsStorage: undefined, TASKHUB_NAME: undefined };

async function emulatorPortsOpen(): Promise<boolean[]> {
    return Promise.all(Object.values(DEFAULT_AZURITE_PORTS).map((port) => isPortOpen(port)));
}

describe('npm start with embedded defaults', () => {
    it('starts Azurite, serves the app, stops both on Ctrl-C, and keeps instances across a restart', async () => {
        const emulatorWasRunning = (await emulatorPortsOpen()).every(Boolean);

        const first = await startDevhost({ appDir, env: embeddedDefaults, readyTimeoutMs: 60_000 });
        expect(first.output()).toContain(
            emulatorWasRunning
                ? 'already running'
                : `Azurite started for you (state in ${path.join(appDir, '.azurite')})`,
        );
        const started = await fetch(`${first.origin}/api/orchestrations/order_processing`, {
            method: 'POST',
            body: JSON.stringify({ order_id: 'R-1', items: [{ sku: 'MUG' }] }),
        });
        expect(started.status).toBe(202);
        const { id, statusQueryGetUri } = (await started.json()) as { id: string; statusQueryGetUri: string };
        expect((await pollUntilDone(statusQueryGetUri)).runtimeStatus).toBe('Completed');

        expect(await first.stop('SIGINT')).toBe(0);
        if (!emulatorWasRunning) expect((await emulatorPortsOpen()).some(Boolean)).toBe(false);

        const second = await startDevhost({ appDir, env: embeddedDefaults, readyTimeoutMs: 60_000 });
        try {
            const status = await fetch(`${second.origin}/api/orchestrations/${id}/status`);
            expect(status.status).toBe(200);
            expect(await status.json()).toMatchObject({
                instance_id: id,
                runtime_status: 'Completed',
                output: { status: 'completed', order_id: 'R-1' },
            });
        } finally {
            expect(await second.stop('SIGINT')).toBe(0);
        }
    }, 120_000);
});
