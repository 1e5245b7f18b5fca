// Which installed packages the deployed app needs: the lockfile's non-dev entries. Reading the lockfile
// (rather than asking npm) keeps packaging offline and deterministic, and it is exactly the tree that
// `npm ci --omit=dev` would install. Each entry is checked against node_modules so a stale install fails
// here instead of on Azure.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';

const lockEntrySchema = z.object({
    version: z.string().optional(),
    dev: z.boolean().optional(),
    optional: z.boolean().optional(),
    devOptional: z.boolean().optional(),
    link: z.boolean().optional(),
});

const lockfileSchema = z.object({
    lockfileVersion: z.number().int().min(2),
    packages: z.record(z.string(), lockEntrySchema),
});

const installedManifestSchema = z.object({ name: z.string().optional(), version: z.string() });

/**
 * @typedef {{ path: string, name: string, version: string }} ProductionPackage
 */

/**
 * @param {string} projectRoot
 * @returns {ProductionPackage[]} sorted by path, e.g. `node_modules/durable-functions/node_modules/uuid`
 */
export function listProductionPackages(projectRoot) {
    const lockfile = lockfileSchema.parse(JSON.parse(readFileSync(join(projectRoot, 'package-lock.json'), 'utf8')));
    /** @type {ProductionPackage[]} */
    const packages = [];
    for (const [path, entry] of Object.entries(lockfile.packages)) {
        if (!path.startsWith('node_modules/') || entry.dev === true) continue;
        if (entry.link === true) {
            throw new Error(
                `${path} is a linked package; the deployment zip cannot follow links. Install it as a regular dependency.`,
            );
        }
        const directory = join(projectRoot, path);
        // Optional dependencies are platform-specific; only the ones npm actually installed belong in the zip.
        const optional = entry.optional === true || entry.devOptional === true;
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
        packages.push({ path, name, version: manifest.version });
    }
    return packages.sort((a, b) => a.path.localeCompare(b.path));
}
