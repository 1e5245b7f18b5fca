/**
 * The viewer's static files: hand-written ES modules, CSS and one HTML shell in src/extensions/viewer/static/,
 * read from the package (no build step, no CDN). The devhost runs from dist/extensions/viewer/ or, under tests,
 * from the sources, so the folder is found by walking up to the package root. Only files listed in that folder
 * are served: a request path never reaches the file system.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

const CONTENT_TYPES: Readonly<Record<string, string>> = {
    '.html': 'text/html; charset=utf-8',
    '.js': 'text/javascript; charset=utf-8',
    '.css': 'text/css; charset=utf-8',
    '.svg': 'image/svg+xml',
};

export interface StaticFile {
    body: Buffer;
    contentType: string;
}

export function findStaticFolder(from: string = __dirname): string {
    for (let dir = from; ; dir = path.dirname(dir)) {
        // Served from the sources both when running from src/ and from the build (dist/ holds no static files).
        const candidate = path.join(dir, 'src', 'extensions', 'viewer', 'static');
        if (existsSync(path.join(candidate, 'index.html'))) return candidate;
        if (path.dirname(dir) === dir) break;
    }
    throw new Error(`The viewer's static files (src/extensions/viewer/static) were not found above ${from}.`);
}

/** Reads the folder once; the files are small and the devhost is a development server. */
export function loadStaticFiles(folder: string = findStaticFolder()): ReadonlyMap<string, StaticFile> {
    const files = new Map<string, StaticFile>();
    for (const name of readdirSync(folder)) {
        const contentType = CONTENT_TYPES[path.extname(name)];
        if (contentType) files.set(name, { body: readFileSync(path.join(folder, name)), contentType });
    }
    return files;
}
