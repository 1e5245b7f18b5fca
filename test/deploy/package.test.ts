import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, parse, relative, sep } from 'node:path';
import { unzipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { PackageSummary } from '../../scripts/package.mjs' with { 'resolution-mode': 'import' };
import { objectBodyAfter, stringValueOf, stripComments } from '../support/deploy/bicep-text';
// The packaging scripts are ES modules and this test compiles as CommonJS, so they are imported dynamically.

type PackagingScript = typeof import('../../scripts/package.mjs', { with: { 'resolution-mode': 'import' } });
type IgnoreRulesModule = typeof import('../../scripts/packaging/ignore-rules.mjs', {
    with: { 'resolution-mode': 'import' },
});
let packaging: PackagingScript;
let ignoreRules: IgnoreRulesModule;

const projectRoot = join(__dirname, '..', '..');
const packageJsonSchema = z.object({
    main: z.string(),
    dependencies: z.record(z.string(), z.string()).default({}),
    devDependencies: z.record(z.string(), z.string()).default({}),
});
const packageJson = packageJsonSchema.parse(JSON.parse(readFileSync(join(projectRoot, 'package.json'), 'utf8')));

let workDirectory = '';
let summary: PackageSummary;
let entries: string[] = [];
let zipped: Record<string, Uint8Array> = {};
let extracted = '';

function filesUnder(directory: string): string[] {
    return readdirSync(directory, { withFileTypes: true }).flatMap((entry) => {
        const path = join(directory, entry.name);
        return entry.isDirectory() ? filesUnder(path) : [path];
    });
}

/**
 * Installed package directories `npm ls` reports for the app's production tree, as project-relative paths.
 * `--workspaces=false`: the devhost workspace and its dependencies are development tools of the app, but
 * npm lists a workspace's tree as production.
 */
function npmProductionPackages(): string[] {
    const result = spawnSync('npm', ['ls', '--omit=dev', '--all', '--parseable', '--workspaces=false'], {
        cwd: projectRoot,
        encoding: 'utf8',
    });
    return result.stdout
        .split('\n')
        .filter((line) => line.trim() !== '')
        .map((line) => relative(projectRoot, line).split(sep).join('/'))
        .filter((path) => path.startsWith('node_modules/'))
        .sort();
}

beforeAll(async () => {
    packaging = await import('../../scripts/package.mjs');
    ignoreRules = await import('../../scripts/packaging/ignore-rules.mjs');
    if (!existsSync(join(projectRoot, 'dist', 'src'))) {
        throw new Error('dist/src is missing: run `npm run build` first (npm test does).');
    }
    // Outside the project, so nothing above the extracted package can lend it a node_modules.
    workDirectory = mkdtempSync(join(tmpdir(), 'deploy-package-'));
    summary = packaging.packageApp({ projectRoot, outDir: join(workDirectory, 'out') });
    zipped = unzipSync(readFileSync(summary.zip));
    entries = Object.keys(zipped)
        .filter((name) => !name.endsWith('/'))
        .sort();
    extracted = join(workDirectory, 'extracted');
    for (const [name, data] of Object.entries(zipped)) {
        if (name.endsWith('/')) continue;
        const target = join(extracted, name);
        mkdirSync(dirname(target), { recursive: true });
        writeFileSync(target, data);
    }
}, 120_000);

afterAll(() => {
    if (workDirectory !== '') rmSync(workDirectory, { recursive: true, force: true });
});

describe('npm run build: what the package is built from', () => {
    it('compiles the app alone, none of the devhost workspace', () => {
        const tsc = join(projectRoot, 'node_modules', 'typescript', 'bin', 'tsc');
        const listed = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.build.json', '--listFilesOnly'], {
            cwd: projectRoot,
            encoding: 'utf8',
        });
        expect(listed.status).toBe(0);
        const compiled = listed.stdout
            .split('\n')
            .map((line) => relative(projectRoot, line.trim()).split(sep).join('/'))
            .filter((path) => path !== '' && !path.startsWith('node_modules/'));
        expect(compiled.length).toBeGreaterThan(0);
        expect(compiled.filter((path) => !path.startsWith('src/'))).toEqual([]);
    });
});

describe('npm run package: the deployment zip', () => {
    it('holds only the built app, host.json, package.json and node_modules', () => {
        const topLevel = [...new Set(entries.map((entry) => entry.split('/')[0]))].sort();
        expect(topLevel.every((name) => name !== undefined && packaging.SHIPPED_TOP_LEVEL.includes(name))).toBe(true);
        expect(entries).toContain('host.json');
        expect(entries).toContain('package.json');
        const builtOutsideSrc = entries.filter((entry) => entry.startsWith('dist/') && !entry.startsWith('dist/src/'));
        expect(builtOutsideSrc).toEqual([]);
    });

    it('ships no TypeScript sources, source maps, tests, devhost, infra or local settings', () => {
        const forbidden = entries.filter(
            (entry) =>
                /\.(ts|mts|cts)$/.test(entry) ||
                entry.endsWith('.js.map') ||
                /^(src|test|packages|infra|scripts|docs)\//.test(entry) ||
                /^dist\/(test|scripts)\//.test(entry) ||
                /(^|\/)devhost(\/|$)/.test(entry) ||
                /(^|\/)local\.settings\.json$/.test(entry) ||
                ['azure.yaml', 'tsconfig.json', 'package-lock.json', '.funcignore'].includes(entry),
        );
        expect(forbidden).toEqual([]);
    });

    it('resolves package.json main to the built function files inside the zip', () => {
        const mainPattern = ignoreRules.globToRegExp(packageJson.main.replace(/^\.\//, ''));
        const matched = entries.filter((entry) => mainPattern.test(entry));
        expect(matched).toEqual(summary.functionFiles);
        const functionsSource = join(projectRoot, 'src', 'functions');
        const sources = existsSync(functionsSource)
            ? readdirSync(functionsSource).filter((name) => name.endsWith('.ts') && !name.endsWith('.d.ts'))
            : [];
        // Every function source must be deployed as JavaScript the worker will load.
        for (const source of sources) {
            expect(matched).toContain(`dist/src/functions/${parse(source).name}.js`);
        }
        if (sources.length > 0) expect(matched.length).toBeGreaterThan(0);
    });

    it('contains exactly the production packages npm reports, and no dev-only package', () => {
        const expected = npmProductionPackages();
        expect(expected.length).toBeGreaterThan(0);
        // A package root is node_modules/<name> or node_modules/@scope/<name>, possibly nested.
        const packaged = entries
            .filter((entry) => entry.endsWith('/package.json'))
            .map((entry) => entry.slice(0, -'/package.json'.length))
            .filter((directory) => /(^|\/)node_modules\/(@[^/]+\/)?[^/@][^/]*$/.test(directory))
            .sort();
        expect(packaged).toEqual(expected);
        const productionNames = new Set(
            expected.map((path) => path.slice(path.lastIndexOf('node_modules/') + 'node_modules/'.length)),
        );
        const devOnly = Object.keys(packageJson.devDependencies).filter((name) => !productionNames.has(name));
        expect(devOnly.length).toBeGreaterThan(0);
        for (const name of devOnly) expect(existsSync(join(extracted, 'node_modules', name))).toBe(false);
    });

    it('loads every function file and dependency with nothing but the zipped node_modules', () => {
        for (let directory = extracted; directory !== dirname(directory); directory = dirname(directory)) {
            expect(
                existsSync(join(dirname(directory), 'node_modules')),
                `${dirname(directory)}/node_modules would leak in`,
            ).toBe(false);
        }
        const modules = [...summary.functionFiles.map((file) => `./${file}`), ...Object.keys(packageJson.dependencies)];
        const script = `
            const loaded = [];
            for (const id of JSON.parse(process.argv[1])) { require(id); loaded.push(id); }
            process.stdout.write(JSON.stringify(loaded));
        `;
        const env: NodeJS.ProcessEnv = { ...process.env };
        delete env.NODE_PATH;
        delete env.NODE_OPTIONS;
        const result = spawnSync(process.execPath, ['-e', script, JSON.stringify(modules)], {
            cwd: extracted,
            env,
            encoding: 'utf8',
        });
        expect(result.stderr).not.toMatch(/Cannot find module|Error:/);
        expect(result.status).toBe(0);
        expect(JSON.parse(result.stdout.slice(result.stdout.lastIndexOf('[')))).toEqual(modules);
    });

    it('is the package docs/deploy.md shows: its sample figures are within a quarter of the real ones', () => {
        const sample = /It prints what it wrote:\s*```json\n([\s\S]*?)```/.exec(
            readFileSync(join(projectRoot, 'docs', 'deploy.md'), 'utf8'),
        )?.[1];
        const documented = z
            .object({ files: z.number(), zipBytes: z.number(), productionPackages: z.number(), main: z.string() })
            .parse(JSON.parse(sample?.replace(/^ {3}/gm, '') ?? 'null'));
        expect(documented.main).toBe(summary.main);
        for (const figure of ['files', 'zipBytes', 'productionPackages'] as const) {
            const ratio = documented[figure] / summary[figure];
            expect(
                ratio,
                `docs/deploy.md ${figure} ${documented[figure]}, the package ${summary[figure]}`,
            ).toBeGreaterThan(0.75);
            expect(
                ratio,
                `docs/deploy.md ${figure} ${documented[figure]}, the package ${summary[figure]}`,
            ).toBeLessThan(1.25);
        }
    });

    it('stages exactly the zipped files for azd, and zips identical inputs to identical bytes', () => {
        const staged = filesUnder(summary.stagedDirectory)
            .map((path) => relative(summary.stagedDirectory, path).split(sep).join('/'))
            .sort();
        expect(staged).toEqual(entries);
        const firstZip = readFileSync(summary.zip);
        const again = packaging.packageApp({ projectRoot, outDir: join(workDirectory, 'again') });
        expect(readFileSync(again.zip).equals(firstZip)).toBe(true);
    }, 120_000);
});

describe('npm run package: host.json for the chosen Durable backend', () => {
    const hostJsonSchema = z
        .object({
            extensions: z.object({ durableTask: z.record(z.string(), z.unknown()) }).loose(),
        })
        .loose();
    const functionAppBicep = stripComments(readFileSync(join(projectRoot, 'infra/app/function-app.bicep'), 'utf8'));
    const schedulerSettings = objectBodyAfter(functionAppBicep, /var\s+durableTaskSchedulerSettings\s*=\s*\{/);
    const repositoryHostJson = readFileSync(join(projectRoot, 'host.json'));

    function packagedHostJson(durableBackend: string): Buffer {
        const built = packaging.packageApp({
            projectRoot,
            outDir: join(workDirectory, `out-${durableBackend}`),
            durableBackend,
        });
        expect(built.durableBackend).toBe(durableBackend);
        return readFileSync(join(built.stagedDirectory, 'host.json'));
    }

    it('ships the repository host.json unchanged with Azure Storage, the default', () => {
        expect(summary.durableBackend).toBe('azureStorage');
        expect(Buffer.from(zipped['host.json'] ?? new Uint8Array()).equals(repositoryHostJson)).toBe(true);
        expect(packagedHostJson('azureStorage').equals(repositoryHostJson)).toBe(true);
    });

    it('names the scheduler in the file with the Durable Task Scheduler, as the app settings do, for the scale controller', () => {
        const packaged = hostJsonSchema.parse(JSON.parse(packagedHostJson('durableTaskScheduler').toString('utf8')));
        const original = hostJsonSchema.parse(JSON.parse(repositoryHostJson.toString('utf8')));
        const setting = (name: string): string | undefined =>
            stringValueOf(
                schedulerSettings,
                `AzureFunctionsJobHost__extensions__durableTask__storageProvider__${name}`,
            );
        expect(packaged.extensions.durableTask['storageProvider']).toEqual({
            type: setting('type'),
            connectionStringName: setting('connectionStringName'),
        });
        // Everything but the provider is the repository's.
        const { storageProvider: _packagedProvider, ...packagedRest } = packaged.extensions.durableTask;
        const { storageProvider: _originalProvider, ...originalRest } = original.extensions.durableTask;
        expect(packagedRest).toEqual(originalRest);
        expect({ ...packaged, extensions: { ...packaged.extensions, durableTask: {} } }).toEqual({
            ...original,
            extensions: { ...original.extensions, durableTask: {} },
        });
    });

    it('refuses a backend it does not know', () => {
        expect(() =>
            packaging.packageApp({ projectRoot, outDir: join(workDirectory, 'out-x'), durableBackend: 'cosmos' }),
        ).toThrow();
    });
});
