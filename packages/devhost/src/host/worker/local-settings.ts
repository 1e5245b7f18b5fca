import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { errorMessage } from '../../shared/errors';

/** local.settings.json as Core Tools reads it; values may be written as numbers or booleans, used as strings. */
const localSettingsSchema = z.looseObject({
    IsEncrypted: z.boolean().optional(),
    Values: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).optional(),
    Host: z
        .looseObject({
            LocalHttpPort: z.coerce.number().int().min(0).max(65535).optional(),
        })
        .optional(),
});

export type LocalSettings = z.infer<typeof localSettingsSchema>;

/** The parsed file, or `undefined` when the app has none (a deployed app never does). */
export async function readLocalSettings(appDir: string): Promise<LocalSettings | undefined> {
    const file = path.join(appDir, 'local.settings.json');
    let text: string;
    try {
        text = await readFile(file, 'utf8');
    } catch (error) {
        if (isNotFound(error)) return undefined;
        throw error;
    }
    try {
        return localSettingsSchema.parse(JSON.parse(text));
    } catch (error) {
        throw new Error(`${file} is not valid: ${errorMessage(error)}`, {
            cause: error,
        });
    }
}

/**
 * Copies `Values` into the environment, never overriding a variable that is already set: like Core Tools,
 * the real environment wins, so `TASKHUB_NAME=x devhost start` beats the file. Returns the names it set.
 */
export function applyLocalSettings(settings: LocalSettings | undefined, env: NodeJS.ProcessEnv): string[] {
    const applied: string[] = [];
    for (const [name, value] of Object.entries(settings?.Values ?? {})) {
        if (env[name] !== undefined) continue;
        env[name] = String(value);
        applied.push(name);
    }
    return applied;
}

function isNotFound(error: unknown): boolean {
    return typeof error === 'object' && error !== null && 'code' in error && error.code === 'ENOENT';
}
