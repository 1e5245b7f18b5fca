import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { errorMessage } from '../../shared/errors';

const packageJsonSchema = z.looseObject({
    main: z.string().min(1).optional(),
    type: z.enum(['module', 'commonjs']).optional(),
});

const hostJsonSchema = z.record(z.string(), z.unknown());

export interface AppManifest {
    /** package.json `main`, a glob; `index.js` when absent, as Node would pick. */
    readonly mainGlob: string;
    /** Whether `.js` files are ES modules (package.json `"type": "module"`). */
    readonly jsIsEsm: boolean;
    readonly hostJson: Readonly<Record<string, unknown>>;
}

async function readJson(file: string): Promise<unknown> {
    let text: string;
    try {
        text = await readFile(file, 'utf8');
    } catch (error) {
        throw new Error(`Cannot read ${file}: ${errorMessage(error)}`, {
            cause: error,
        });
    }
    try {
        return JSON.parse(text);
    } catch (error) {
        throw new Error(`${file} is not valid JSON: ${errorMessage(error)}`, {
            cause: error,
        });
    }
}

/** package.json and host.json of an app folder; both must exist, as the Functions host requires. */
export async function readAppManifest(appDir: string): Promise<AppManifest> {
    const packageJson = packageJsonSchema.parse(await readJson(path.join(appDir, 'package.json')));
    const hostJson = hostJsonSchema.parse(await readJson(path.join(appDir, 'host.json')));
    return { mainGlob: packageJson.main ?? 'index.js', jsIsEsm: packageJson.type === 'module', hostJson };
}

/** host.json alone (an app registered in-process may have none: then the Functions defaults apply). */
export async function readHostJson(appDir: string): Promise<Readonly<Record<string, unknown>>> {
    const file = path.join(appDir, 'host.json');
    if (!existsSync(file)) return { version: '2.0' };
    return hostJsonSchema.parse(await readJson(file));
}

/** `extensions.http.routePrefix` from host.json: `api` unless set (an empty string is a valid prefix). */
export function httpRoutePrefix(hostJson: Readonly<Record<string, unknown>>): string {
    const parsed = z
        .object({ extensions: z.object({ http: z.object({ routePrefix: z.string() }).partial() }).partial() })
        .partial()
        .safeParse(hostJson);
    const prefix = parsed.success ? parsed.data.extensions?.http?.routePrefix : undefined;
    return (prefix ?? 'api').replace(/^\/+|\/+$/g, '');
}
