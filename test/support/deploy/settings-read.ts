import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

/** Where a setting is read, for failure messages. */
export interface SettingUse {
    setting: string;
    /** `env` is a process.env read, `reference` a %Setting% in host.json, `connection` a connection prefix. */
    kind: 'env' | 'reference' | 'connection';
    where: string;
}

function sourceFiles(directory: string): string[] {
    let entries: string[];
    try {
        entries = readdirSync(directory);
    } catch {
        return [];
    }
    return entries.flatMap((name) => {
        const path = join(directory, name);
        if (statSync(path).isDirectory()) return sourceFiles(path);
        return /\.(ts|mts|cts|js|mjs|cjs)$/.test(name) && !name.endsWith('.d.ts') ? [path] : [];
    });
}

/**
 * Settings the app's own code reads: `process.env.X`, `process.env['X']`, destructuring from process.env,
 * and binding options naming a connection (`connection: 'X'`), whose setting is X or the identity-based
 * X__accountName / X__serviceUri family.
 */
export function settingsReadBySource(projectRoot: string, sourceDirectory = 'src'): SettingUse[] {
    const uses: SettingUse[] = [];
    for (const file of sourceFiles(join(projectRoot, sourceDirectory))) {
        const text = readFileSync(file, 'utf8');
        const where = relative(projectRoot, file);
        for (const match of text.matchAll(/process\.env\.([A-Za-z_][A-Za-z0-9_]*)/g)) {
            if (match[1]) uses.push({ setting: match[1], kind: 'env', where });
        }
        for (const match of text.matchAll(/process\.env\[\s*['"`]([^'"`]+)['"`]\s*\]/g)) {
            if (match[1]) uses.push({ setting: match[1], kind: 'env', where });
        }
        for (const match of text.matchAll(/\{([^{}]*)\}\s*=\s*process\.env\b/g)) {
            for (const name of (match[1] ?? '').split(',')) {
                const setting = name.split(':')[0]?.split('=')[0]?.trim();
                if (setting) uses.push({ setting, kind: 'env', where });
            }
        }
        for (const match of text.matchAll(/\bconnection\s*:\s*['"`]([^'"`]+)['"`]/g)) {
            if (match[1]) uses.push({ setting: match[1], kind: 'connection', where });
        }
    }
    return uses;
}

/** Every `%Setting%` reference in host.json string values. */
export function settingsReferencedByHostJson(hostJson: unknown): SettingUse[] {
    const uses: SettingUse[] = [];
    const visit = (value: unknown, path: string): void => {
        if (typeof value === 'string') {
            for (const match of value.matchAll(/%([^%]+)%/g)) {
                if (match[1]) uses.push({ setting: match[1], kind: 'reference', where: `host.json ${path}` });
            }
        } else if (Array.isArray(value)) {
            value.forEach((item, index) => visit(item, `${path}[${index}]`));
        } else if (value !== null && typeof value === 'object') {
            for (const [key, child] of Object.entries(value)) visit(child, path === '' ? key : `${path}.${key}`);
        }
    };
    visit(hostJson, '');
    return uses;
}

/**
 * Whether a connection named `prefix` is configured: as a plain setting (a connection string) or in the
 * identity-based form the Functions host accepts (`<prefix>__accountName`, `<prefix>__serviceUri`, or the
 * per-service `__blobServiceUri` / `__queueServiceUri` / `__tableServiceUri`).
 */
export function connectionIsConfigured(prefix: string, settings: ReadonlySet<string>): boolean {
    if (settings.has(prefix)) return true;
    return ['accountName', 'serviceUri', 'blobServiceUri', 'queueServiceUri', 'tableServiceUri'].some((suffix) =>
        settings.has(`${prefix}__${suffix}`),
    );
}
