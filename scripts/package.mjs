#!/usr/bin/env node
// `npm run package`: the exact deployment package for Azure Functions Flex Consumption.
//
// This project builds locally (azure.yaml `remoteBuild: false`; Flex Consumption could also build remotely
// with Oryx, which we choose not to use), and Flex runs the zip as it is, so the zip must hold everything the
// app needs at run time and nothing else: the built JavaScript, host.json, package.json and the production
// node_modules. What stays out is decided by .funcignore, the file Core Tools also reads, so there is one
// truth; node_modules is limited to the lockfile's production packages. The result is written twice:
//   dist/package/app/      the staged tree, which azd deploys (azure.yaml `dist`)
//   dist/package/app.zip   the same files zipped, for `az functionapp deployment source config-zip` and tests
import { existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import { zipSync } from 'fflate';
import { z } from 'zod';
import { globToRegExp, isIgnored, parseIgnoreRules } from './packaging/ignore-rules.mjs';
import { listProductionPackages } from './packaging/production-dependencies.mjs';

/** The only top-level entries a correct package has. Anything else means .funcignore lets too much through. */
export const SHIPPED_TOP_LEVEL = Object.freeze(['dist', 'host.json', 'node_modules', 'package.json']);

// A fixed timestamp keeps the zip byte-identical for identical inputs (zip stores DOS local time, >= 1980).
const FIXED_MTIME = new Date(2000, 0, 1);
// Regular file, rw-r--r--: the Linux workers only read these files.
const UNIX_FILE_ATTRIBUTES = 0o644 << 16;
const UNIX_OS = 3;

const manifestSchema = z.object({ main: z.string().min(1) });

/** The azd environment value `DURABLE_BACKEND` (infra/main.bicep), which azd passes to the prepackage hook. */
export const durableBackendSchema = z.enum(['azureStorage', 'durableTaskScheduler']).default('azureStorage');

/** The app setting that holds the scheduler's connection (infra/app/function-app.bicep sets it). */
export const SCHEDULER_CONNECTION_SETTING = 'DURABLE_TASK_SCHEDULER_CONNECTION_STRING';

const hostJsonSchema = z
    .object({
        extensions: z
            .object({
                durableTask: z.object({ storageProvider: z.record(z.string(), z.unknown()).optional() }).loose(),
            })
            .loose(),
    })
    .loose();

/**
 * host.json as it ships for a backend. With the Durable Task Scheduler the storage provider is `azureManaged`
 * in the file itself, not only through the app settings that override it: Flex Consumption's scale controller
 * reads the file (azure-functions-host, FunctionsSyncManager.ReadDurableTaskConfig), so with the Azure Storage
 * provider in it, it would scale on the empty storage queues instead of the scheduler's backlog. The Azure
 * Storage options (partitionCount, polling) do not apply to the scheduler and go.
 * @param {Uint8Array} data host.json as in the repository
 * @param {'azureStorage' | 'durableTaskScheduler'} backend
 * @returns {Uint8Array}
 */
export function hostJsonFor(data, backend) {
    if (backend === 'azureStorage') return data;
    const hostJson = hostJsonSchema.parse(JSON.parse(Buffer.from(data).toString('utf8')));
    hostJson.extensions.durableTask.storageProvider = {
        type: 'azureManaged',
        connectionStringName: SCHEDULER_CONNECTION_SETTING,
    };
    return Buffer.from(`${JSON.stringify(hostJson, null, 2)}\n`);
}

/**
 * @param {{ projectRoot?: string, outDir?: string, durableBackend?: string }} [options] `durableBackend`: by
 *   default the `DURABLE_BACKEND` environment variable, else `azureStorage`.
 */
export function packageApp(options = {}) {
    const durableBackend = durableBackendSchema.parse(
        options.durableBackend ?? (process.env.DURABLE_BACKEND || undefined),
    );
    const projectRoot = resolve(options.projectRoot ?? process.cwd());
    const outDir = resolve(options.outDir ?? join(projectRoot, 'dist', 'package'));
    const manifest = manifestSchema.parse(JSON.parse(readFileSync(join(projectRoot, 'package.json'), 'utf8')));
    const rules = parseIgnoreRules(readFileSync(join(projectRoot, '.funcignore'), 'utf8'));
    if (!existsSync(join(projectRoot, 'dist'))) throw new Error('dist/ does not exist: run `npm run build` first.');

    /** @type {string[]} project-relative, `/`-separated */
    const files = [];
    const skip = new Set([toPosix(relative(projectRoot, outDir)), 'node_modules', '.git']);
    collectFiles(projectRoot, '', rules, skip, files);

    const unexpected = [...new Set(files.map((file) => file.split('/')[0] ?? file))].filter(
        (entry) => !SHIPPED_TOP_LEVEL.includes(entry),
    );
    if (unexpected.length > 0) {
        throw new Error(
            `These would be deployed but are not part of the app: ${unexpected.join(', ')}. Add them to .funcignore.`,
        );
    }

    const productionPackages = listProductionPackages(projectRoot);
    for (const pkg of productionPackages) {
        // Nested node_modules are separate lockfile entries (listed, or dev-only and left out), so skip them here.
        collectFiles(projectRoot, pkg.path, rules, new Set([`${pkg.path}/node_modules`]), files);
    }
    files.sort();

    const mainPattern = globToRegExp(manifest.main.replace(/^\.\//, ''));
    const functionFiles = files.filter((file) => mainPattern.test(file));

    const stagedDirectory = join(outDir, 'app');
    const zipPath = join(outDir, 'app.zip');
    rmSync(stagedDirectory, { recursive: true, force: true });
    /** @type {Record<string, [Uint8Array, { mtime: Date, os: number, attrs: number }]>} */
    const zippable = {};
    let contentBytes = 0;
    for (const file of files) {
        const source = readFileSync(join(projectRoot, file));
        const data = file === 'host.json' ? hostJsonFor(source, durableBackend) : source;
        contentBytes += data.byteLength;
        const target = join(stagedDirectory, file);
        mkdirSync(dirname(target), { recursive: true });
        writeFileSync(target, data);
        zippable[file] = [data, { mtime: FIXED_MTIME, os: UNIX_OS, attrs: UNIX_FILE_ATTRIBUTES }];
    }
    const zip = zipSync(zippable, { level: 9 });
    mkdirSync(outDir, { recursive: true });
    writeFileSync(zipPath, zip);

    return {
        zip: zipPath,
        stagedDirectory,
        files: files.length,
        contentBytes,
        zipBytes: zip.byteLength,
        main: manifest.main,
        functionFiles,
        productionPackages: productionPackages.length,
        durableBackend,
    };
}

/**
 * Walks `relativeDirectory` depth-first in name order, pruning what .funcignore excludes.
 * @param {string} projectRoot
 * @param {string} relativeDirectory
 * @param {import('./packaging/ignore-rules.mjs').IgnoreRule[]} rules
 * @param {Set<string>} skip project-relative paths never entered
 * @param {string[]} into
 */
function collectFiles(projectRoot, relativeDirectory, rules, skip, into) {
    const entries = readdirSync(join(projectRoot, relativeDirectory)).sort();
    for (const name of entries) {
        const relativePath = relativeDirectory === '' ? name : `${relativeDirectory}/${name}`;
        if (skip.has(relativePath)) continue;
        const stats = lstatSync(join(projectRoot, relativePath));
        if (stats.isSymbolicLink()) {
            throw new Error(`${relativePath} is a symbolic link; the deployment zip stores regular files only.`);
        }
        const isDirectory = stats.isDirectory();
        if (isIgnored(rules, relativePath, isDirectory)) continue;
        if (isDirectory) collectFiles(projectRoot, relativePath, rules, skip, into);
        else if (stats.isFile()) into.push(relativePath);
    }
}

/** @param {string} path */
function toPosix(path) {
    return path.split(sep).join('/');
}

const invokedDirectly =
    process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolve(process.argv[1])).href;
if (invokedDirectly) {
    try {
        const summary = packageApp();
        const root = process.cwd();
        console.log(
            JSON.stringify(
                {
                    ...summary,
                    zip: toPosix(relative(root, summary.zip)),
                    stagedDirectory: toPosix(relative(root, summary.stagedDirectory)),
                },
                null,
                2,
            ),
        );
        if (summary.functionFiles.length === 0) {
            console.error(`package.json main (${summary.main}) matches no file in the package: nothing would run.`);
            process.exitCode = 1;
        }
    } catch (error) {
        console.error(error instanceof Error ? error.message : error);
        process.exitCode = 1;
    }
}
