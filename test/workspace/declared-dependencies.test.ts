/**
 * Each package of the workspace declares what it imports, and nothing it does not use: the app at the root
 * (what ships: its src/ may use only `dependencies`) and the devhost in packages/devhost (its src/ may use its
 * `dependencies` and `peerDependencies`, the app's copies it loads). Test, bench and script files may also use
 * `devDependencies`. A package found only through hoisting works in this checkout and breaks for anyone who
 * installs the devhost on its own.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';

const repoRoot = path.resolve(__dirname, '../..');

const manifestSchema = z.object({
    name: z.string(),
    scripts: z.record(z.string(), z.string()).default({}),
    dependencies: z.record(z.string(), z.string()).default({}),
    devDependencies: z.record(z.string(), z.string()).default({}),
    peerDependencies: z.record(z.string(), z.string()).default({}),
});

interface WorkspacePackage {
    dir: string;
    /** Folders whose files ship or run as the package: only `dependencies` (and peers) count for them. */
    runtime: readonly string[];
    /** Folders and files of tests, benchmarks, scripts and configuration: devDependencies count too. */
    development: readonly string[];
    /** Imports no manifest can declare, with the reason. */
    provided: Readonly<Record<string, string>>;
    /** Declared packages no file imports, with what uses them. */
    toolsOnly: Readonly<Record<string, string>>;
}

const app: WorkspacePackage = {
    dir: repoRoot,
    runtime: ['src'],
    development: ['test', 'scripts', 'eslint.config.mjs', 'vitest.config.mts'],
    provided: {},
    toolsOnly: {
        '@types/node': 'the type checker (tsconfig types)',
        typescript: 'tsc in the build scripts',
        prettier: 'npm run lint and format',
        vite: "vitest's peer, pinned to the version the tests were verified with",
    },
};

const devhost: WorkspacePackage = {
    dir: path.join(repoRoot, 'packages/devhost'),
    runtime: ['src', 'bin'],
    development: ['test', 'bench', 'scripts', 'vitest.config.mts'],
    provided: { '@azure/functions-core': "the worker's module, which the devhost itself provides to the app" },
    toolsOnly: {
        '@types/node': 'the type checker (tsconfig types)',
        typescript: 'tsc in the build scripts',
        '@azure/identity': 'loaded from the app on demand for identity-based connections (an optional peer)',
    },
};

const IMPORT =
    /(?:\bfrom\s+|\bimport\s*\(\s*|\brequire(?:\.resolve)?\s*\(\s*|^\s*import\s+|\bload\(\s*)['"]([^'"./][^'"]*)['"]/gm;
const builtins = new Set(builtinModules);

function* sourceFiles(entry: string): Generator<string> {
    const stat = statSync(entry, { throwIfNoEntry: false });
    if (!stat) return;
    if (stat.isFile()) {
        if (/\.(ts|mts|js|mjs|cjs)$/.test(entry)) yield entry;
        return;
    }
    for (const name of readdirSync(entry)) {
        // Fixture apps are apps of their own (their imports are the app's business), results and builds are output.
        if (['node_modules', 'dist', 'dist-bench', 'fixtures', 'results'].includes(name)) continue;
        yield* sourceFiles(path.join(entry, name));
    }
}

/** Package name of a bare specifier: `@scope/name/sub` -> `@scope/name`, `name/sub` -> `name`; undefined for builtins. */
function packageOf(specifier: string): string | undefined {
    if (specifier.startsWith('node:') || builtins.has(specifier.split('/')[0] ?? '')) return undefined;
    const parts = specifier.split('/');
    return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

/** Package -> the files that import it, for the given folders of a package. */
function importsOf(pkg: WorkspacePackage, folders: readonly string[]): Map<string, string[]> {
    const found = new Map<string, string[]>();
    for (const folder of folders) {
        for (const file of sourceFiles(path.join(pkg.dir, folder))) {
            for (const match of readFileSync(file, 'utf8').matchAll(IMPORT)) {
                const name = packageOf(match[1] ?? '');
                if (name === undefined || name in pkg.provided) continue;
                found.set(name, [...(found.get(name) ?? []), path.relative(repoRoot, file)]);
            }
        }
    }
    return found;
}

function manifestOf(pkg: WorkspacePackage): z.infer<typeof manifestSchema> {
    return manifestSchema.parse(JSON.parse(readFileSync(path.join(pkg.dir, 'package.json'), 'utf8')));
}

/** Packages imported but not declared where they may be, with one importing file each. */
function undeclared(imports: Map<string, string[]>, allowed: Record<string, string>, self: string): string[] {
    return [...imports]
        .filter(([name]) => name !== self && !(name in allowed))
        .map(([name, files]) => `${name} (${files[0] ?? '?'})`);
}

/** Declared packages that no file of the package imports and no tool of it runs. */
function unused(pkg: WorkspacePackage): string[] {
    const manifest = manifestOf(pkg);
    const imported = importsOf(pkg, [...pkg.runtime, ...pkg.development]);
    const scripts = Object.values(manifest.scripts).join(' ');
    const binOf: Record<string, string> = { eslint: 'eslint', vitest: 'vitest' };
    return Object.keys({ ...manifest.dependencies, ...manifest.devDependencies }).filter(
        (name) =>
            !imported.has(name) &&
            !(name in pkg.toolsOnly) &&
            !(binOf[name] !== undefined && scripts.includes(binOf[name])),
    );
}

describe('declared dependencies', () => {
    for (const pkg of [app, devhost]) {
        const manifest = manifestOf(pkg);
        describe(manifest.name, () => {
            it('declares every package its shipped code imports as a dependency (or a peer)', () => {
                const allowed = { ...manifest.dependencies, ...manifest.peerDependencies };
                expect(undeclared(importsOf(pkg, pkg.runtime), allowed, manifest.name)).toEqual([]);
            });

            it('declares every package its tests, benchmarks and scripts import', () => {
                const allowed = { ...manifest.dependencies, ...manifest.devDependencies, ...manifest.peerDependencies };
                expect(undeclared(importsOf(pkg, pkg.development), allowed, manifest.name)).toEqual([]);
            });

            it('declares nothing it does not use', () => {
                expect(unused(pkg)).toEqual([]);
            });
        });
    }

    it('leaves to the devhost the packages only the devhost uses', () => {
        const appImports = importsOf(app, [...app.runtime, ...app.development]);
        const devhostManifest = manifestOf(devhost);
        const devhostOnly = Object.keys(manifestOf(app).dependencies)
            .concat(Object.keys(manifestOf(app).devDependencies))
            .filter((name) => !appImports.has(name) && name in devhostManifest.dependencies);
        expect(devhostOnly).toEqual([]);
    });
});
