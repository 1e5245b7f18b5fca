// Which installed packages the deployed app needs: the closure of the root package.json's `dependencies` over
// the lockfile, resolved as Node resolves a require (the nearest node_modules up the tree). Reading the
// lockfile (rather than asking npm) keeps packaging offline and deterministic. The lockfile's `dev` flags are
// not enough since the repository became an npm workspace: npm never marks a workspace's own dependencies as
// dev, even when the workspace (the devhost) is only a devDependency of the app, so they would all ship.
// Each package is checked against node_modules so a stale install fails here instead of on Azure.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';

const dependencyMap = z.record(z.string(), z.string()).optional();

const lockEntrySchema = z.object({
    version: z.string().optional(),
    optional: z.boolean().optional(),
    devOptional: z.boolean().optional(),
    link: z.boolean().optional(),
    dependencies: dependencyMap,
    optionalDependencies: dependencyMap,
    peerDependencies: dependencyMap,
    peerDependenciesMeta: z.record(z.string(), z.object({ optional: z.boolean().optional() })).optional(),
});

const lockfileSchema = z.object({
    lockfileVersion: z.number().int().min(2),
    packages: z.record(z.string(), lockEntrySchema),
});

const installedManifestSchema = z.object({ name: z.string().optional(), version: z.string() });

/**
 * The lockfile path `name` resolves to from the package at `fromPath` ('' for the root): its own
 * node_modules, then each enclosing package's, as Node looks.
 * @param {Record<string, unknown>} packages
 * @param {string} fromPath
 * @param {string} name
 * @returns {string | undefined}
 */
function resolveFrom(packages, fromPath, name) {
    let base = fromPath;
    for (;;) {
        const candidate = base === '' ? `node_modules/${name}` : `${base}/node_modules/${name}`;
        if (candidate in packages) return candidate;
        if (base === '') return undefined;
        const cut = base.lastIndexOf('/node_modules/');
        base = cut === -1 ? '' : base.slice(0, cut);
    }
}

/**
 * @typedef {{ path: string, name: string, version: string }} ProductionPackage
 */

/**
 * @param {string} projectRoot
 * @returns {ProductionPackage[]} sorted by path, e.g. `node_modules/durable-functions/node_modules/uuid`
 */
export function listProductionPackages(projectRoot) {
    const lockfile = lockfileSchema.parse(JSON.parse(readFileSync(join(projectRoot, 'package-lock.json'), 'utf8')));
    const packages = lockfile.packages;
    const root = packages[''];
    if (root === undefined) throw new Error('package-lock.json has no root entry. Run npm install.');

    /** @type {Map<string, boolean>} lockfile path -> optional (may be absent on this platform) */
    const needed = new Map();
    /** @type {Array<{ from: string, name: string, optional: boolean }>} */
    const pending = [];
    const enqueue = (/** @type {string} */ from, /** @type {z.infer<typeof lockEntrySchema>} */ entry) => {
        for (const name of Object.keys(entry.dependencies ?? {})) pending.push({ from, name, optional: false });
        for (const name of Object.keys(entry.optionalDependencies ?? {})) pending.push({ from, name, optional: true });
        // npm installs required peers; an optional peer counts only when something else installed it.
        for (const name of Object.keys(entry.peerDependencies ?? {}))
            pending.push({ from, name, optional: entry.peerDependenciesMeta?.[name]?.optional === true });
    };
    enqueue('', root);
    while (pending.length > 0) {
        const { from, name, optional } = /** @type {{ from: string, name: string, optional: boolean }} */ (
            pending.pop()
        );
        const path = resolveFrom(packages, from, name);
        if (path === undefined) {
            if (optional) continue;
            throw new Error(`${name} (needed by ${from || 'the app'}) is not in package-lock.json. Run npm install.`);
        }
        if (needed.has(path)) continue;
        const entry = /** @type {z.infer<typeof lockEntrySchema>} */ (packages[path]);
        if (entry.link === true) {
            throw new Error(
                `${path} is a linked package; the deployment zip cannot follow links. Install it as a regular dependency.`,
            );
        }
        needed.set(path, optional || entry.optional === true || entry.devOptional === true);
        enqueue(path, entry);
    }

    /** @type {ProductionPackage[]} */
    const result = [];
    for (const [path, optional] of needed) {
        const entry = /** @type {z.infer<typeof lockEntrySchema>} */ (packages[path]);
        const directory = join(projectRoot, path);
        // Optional dependencies are platform-specific; only the ones npm actually installed belong in the zip.
        if (!existsSync(directory)) {
            if (optional) continue;
            throw new Error(`Production dependency ${path} is in package-lock.json but not installed. Run npm ci.`);
        }
        const manifest = installedManifestSchema.parse(
            JSON.parse(readFileSync(join(directory, 'package.json'), 'utf8')),
        );
        if (entry.version !== undefined && manifest.version !== entry.version) {
            throw new Error(
                `${path} is ${manifest.version} on disk but ${entry.version} in package-lock.json. Run npm ci.`,
            );
        }
        const name = path.slice(path.lastIndexOf('node_modules/') + 'node_modules/'.length);
        result.push({ path, name, version: manifest.version });
    }
    return result.sort((a, b) => a.path.localeCompare(b.path));
}
