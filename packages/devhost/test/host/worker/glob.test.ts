import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expandBraces, findFiles, matchesGlob } from '../../../src/host/worker/glob';

describe('glob matching', () => {
    it('expands braces, nested ones included', () => {
        expect(expandBraces('a/{b,c}/*.js')).toEqual(['a/b/*.js', 'a/c/*.js']);
        expect(expandBraces('{x,y{1,2}}.js')).toEqual(['x.js', 'y1.js', 'y2.js']);
        expect(expandBraces('plain.js')).toEqual(['plain.js']);
    });

    it('keeps * within one folder and lets ** cross folders', () => {
        expect(matchesGlob('dist/src/functions/a.js', 'dist/src/functions/*.js')).toBe(true);
        expect(matchesGlob('dist/src/functions/sub/a.js', 'dist/src/functions/*.js')).toBe(false);
        expect(matchesGlob('dist/src/functions/sub/a.js', 'dist/**/*.js')).toBe(true);
        expect(matchesGlob('dist/a.js', 'dist/**/*.js')).toBe(true);
        expect(matchesGlob('dist/a.js.map', 'dist/**/*.js')).toBe(false);
        expect(matchesGlob('index.mjs', '{index.mjs,lib/*.js}')).toBe(true);
    });
});

describe('findFiles', () => {
    let root: string;
    beforeAll(async () => {
        root = await mkdtemp(path.join(tmpdir(), 'devhost-glob-'));
        for (const file of ['a.js', 'b.mjs', 'sub/c.js', 'sub/deep/d.js', '.hidden/e.js', 'node_modules/x/f.js']) {
            await mkdir(path.dirname(path.join(root, file)), { recursive: true });
            await writeFile(path.join(root, file), '');
        }
    });
    afterAll(async () => {
        await rm(root, { recursive: true, force: true });
    });

    const relative = async (pattern: string): Promise<string[]> =>
        (await findFiles(root, pattern)).map((f) => path.relative(root, f).split(path.sep).join('/'));

    it('finds sorted files for single files, stars, globstars and braces', async () => {
        expect(await relative('a.js')).toEqual(['a.js']);
        expect(await relative('./missing.js')).toEqual([]);
        expect(await relative('*.js')).toEqual(['a.js']);
        expect(await relative('**/*.js')).toEqual(['a.js', 'sub/c.js', 'sub/deep/d.js']);
        expect(await relative('{*.mjs,sub/*.js}')).toEqual(['b.mjs', 'sub/c.js']);
    });
});
