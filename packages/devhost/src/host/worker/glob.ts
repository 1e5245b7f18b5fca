import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';

/**
 * A small glob for package.json `main`, enough for what Functions apps write there: `*`, `?`, `**`, `{a,b}`
 * (nestable) and `[...]` classes. Node 20's fs.glob is experimental, so we do not rely on it. Like the usual
 * glob libraries, wildcards do not enter dot-folders, and `**` does not descend into node_modules.
 */

const MAGIC = /[*?[{]/;

/** `a/{b,c}/*.js` -> [`a/b/*.js`, `a/c/*.js`]; nested braces expand depth-first. */
export function expandBraces(pattern: string): string[] {
    const open = findUnescaped(pattern, '{', 0);
    if (open < 0) return [pattern];
    let depth = 0;
    const commas: number[] = [];
    for (let i = open; i < pattern.length; i++) {
        const char = pattern[i];
        if (char === '\\') {
            i++;
        } else if (char === '{') {
            depth++;
        } else if (char === ',' && depth === 1) {
            commas.push(i);
        } else if (char === '}' && --depth === 0) {
            if (commas.length === 0) {
                // `{x}` with no comma is a literal brace pair in most globs; keep it and look further on.
                return expandBraces(pattern.slice(i + 1)).map((rest) => pattern.slice(0, i + 1) + rest);
            }
            const bounds = [open, ...commas, i];
            const head = pattern.slice(0, open);
            const tail = pattern.slice(i + 1);
            const out: string[] = [];
            for (let k = 0; k + 1 < bounds.length; k++) {
                const option = pattern.slice((bounds[k] ?? 0) + 1, bounds[k + 1]);
                out.push(...expandBraces(head + option + tail));
            }
            return out;
        }
    }
    return [pattern]; // unbalanced: treat literally
}

function findUnescaped(text: string, char: string, from: number): number {
    for (let i = from; i < text.length; i++) {
        if (text[i] === '\\') i++;
        else if (text[i] === char) return i;
    }
    return -1;
}

function segmentToRegExpSource(segment: string): string {
    let out = '';
    for (let i = 0; i < segment.length; i++) {
        const char = segment[i] ?? '';
        if (char === '\\' && i + 1 < segment.length) {
            out += escapeRegExp(segment[++i] ?? '');
        } else if (char === '*') {
            out += '[^/]*';
        } else if (char === '?') {
            out += '[^/]';
        } else if (char === '[') {
            const close = segment.indexOf(']', i + 2);
            if (close < 0) {
                out += '\\[';
            } else {
                const body = segment
                    .slice(i + 1, close)
                    .replace(/^!/, '^')
                    .replace(/\\/g, '\\\\');
                out += `[${body}]`;
                i = close;
            }
        } else {
            out += escapeRegExp(char);
        }
    }
    return out;
}

function escapeRegExp(text: string): string {
    return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

function normalise(pattern: string): string {
    return pattern.replace(/\\(?![*?[\]{},\\])/g, '/').replace(/^(\.\/)+/, '');
}

/** A brace-free pattern as a RegExp over `/`-separated relative paths. */
export function globToRegExp(pattern: string): RegExp {
    const segments = normalise(pattern).split('/');
    let source = '';
    segments.forEach((segment, index) => {
        const last = index === segments.length - 1;
        if (segment === '**') source += last ? '.*' : '(?:[^/]+/)*';
        else source += segmentToRegExpSource(segment) + (last ? '' : '/');
    });
    return new RegExp(`^${source}$`);
}

/** True when `relativePath` (with `/` separators) matches `pattern` (braces allowed). */
export function matchesGlob(relativePath: string, pattern: string): boolean {
    return expandBraces(pattern).some((single) => globToRegExp(single).test(relativePath));
}

/** Absolute paths of the files under `rootDir` matching `pattern`, sorted and without duplicates. */
export async function findFiles(rootDir: string, pattern: string): Promise<string[]> {
    const found = new Set<string>();
    for (const single of expandBraces(normalise(pattern))) {
        const segments = single.split('/');
        const firstMagic = segments.findIndex((segment) => MAGIC.test(segment));
        if (firstMagic < 0) {
            const candidate = path.resolve(rootDir, ...segments);
            if (await isFile(candidate)) found.add(candidate);
            continue;
        }
        const base = path.resolve(rootDir, ...segments.slice(0, firstMagic));
        const rest = segments.slice(firstMagic);
        const maxDepth = rest.includes('**') ? Infinity : rest.length;
        const matcher = globToRegExp(rest.join('/'));
        for (const relative of await walk(base, maxDepth)) {
            if (matcher.test(relative)) found.add(path.join(base, ...relative.split('/')));
        }
    }
    return [...found].sort();
}

async function isFile(filePath: string): Promise<boolean> {
    try {
        return (await stat(filePath)).isFile();
    } catch {
        return false;
    }
}

async function walk(dir: string, maxDepth: number, prefix = ''): Promise<string[]> {
    if (maxDepth <= 0) return [];
    let entries;
    try {
        entries = await readdir(dir, { withFileTypes: true });
    } catch {
        return [];
    }
    const out: string[] = [];
    for (const entry of entries) {
        if (entry.name.startsWith('.') || entry.name === 'node_modules') continue;
        const relative = prefix + entry.name;
        if (entry.isDirectory()) out.push(...(await walk(path.join(dir, entry.name), maxDepth - 1, `${relative}/`)));
        else if (entry.isFile()) out.push(relative);
    }
    return out;
}
