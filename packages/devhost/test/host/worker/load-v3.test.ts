import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadApp } from '../../../src/host/worker/load-app';
import { functionJsonFolders, noEntryFilesMessage, V4_MIGRATION_GUIDE } from '../../../src/host/worker/v3-app';
import { fixtureAppDir, silentLogger } from '../../support/host/capture-logger';

const v3AppDir = fixtureAppDir('v3-functions');

// This process loads no app: the one loadApp call below fails before any file of the app is loaded.
describe('loading a v3 programming-model app', () => {
    it('says it is a v3 app, that the devhost runs v4 apps, and names the migration guide', async () => {
        const failure = await loadApp(v3AppDir, { logger: silentLogger }).then(
            () => undefined,
            (error: unknown) => error,
        );
        expect(failure).toBeInstanceOf(Error);
        const message = (failure as Error).message;
        expect(message).toContain(`${v3AppDir} is an app of the v3 programming model`);
        expect(message).toContain('HttpStart/function.json, SayHello/function.json');
        expect(message).toContain('the devhost runs v4 apps only');
        expect(message).toContain(`"${V4_MIGRATION_GUIDE.title}": ${V4_MIGRATION_GUIDE.url}`);
        expect(message).not.toContain('Did you build the app?');
    });
});

describe('the message when no file matches package.json main', () => {
    let scratch: string;

    beforeAll(async () => {
        scratch = await mkdtemp(path.join(tmpdir(), 'devhost-v3-'));
    });

    afterAll(async () => {
        await rm(scratch, { recursive: true, force: true });
    });

    async function appWith(name: string, files: Record<string, string>): Promise<string> {
        const dir = path.join(scratch, name);
        for (const [file, text] of Object.entries({ 'package.json': '{}', 'host.json': '{}', ...files })) {
            await mkdir(path.dirname(path.join(dir, file)), { recursive: true });
            await writeFile(path.join(dir, file), text);
        }
        return dir;
    }

    it('still asks whether the app was built when there is no function.json (an unbuilt v4 app)', async () => {
        const dir = await appWith('unbuilt-v4', { 'src/functions/hello.ts': '', 'node_modules/x/function.json': '{}' });
        expect(await functionJsonFolders(dir)).toEqual([]);
        expect(await noEntryFilesMessage(dir, 'dist/src/functions/*.js')).toBe(
            `No files match package.json "main" (dist/src/functions/*.js) in ${dir}. Did you build the app?`,
        );
    });

    it('finds function.json only one folder down, where the v3 model puts it', async () => {
        const dir = await appWith('nested', {
            'function.json': '{}',
            'Top/function.json': '{}',
            'Top/Deeper/function.json': '{}',
            'NotAFunction/index.js': '',
        });
        expect(await functionJsonFolders(dir)).toEqual(['Top']);
    });

    it('names the first three function folders and counts the rest', async () => {
        const folders = ['Alpha', 'Bravo', 'Charlie', 'Delta', 'Echo'];
        const dir = await appWith(
            'many',
            Object.fromEntries(folders.map((folder) => [`${folder}/function.json`, '{}'])),
        );
        const message = await noEntryFilesMessage(dir, 'index.js');
        expect(message).toContain('(Alpha/function.json, Bravo/function.json, Charlie/function.json and 2 more)');
        expect(message).toContain('"main" (index.js, which matches no file here)');
    });
});
