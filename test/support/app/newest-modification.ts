/**
 * Test support: the latest modification time of any file under a directory, to tell whether a build is older
 * than its sources.
 */
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';

export function newestModification(directory: string): number {
    let newest = 0;
    for (const entry of readdirSync(directory, { withFileTypes: true })) {
        const full = path.join(directory, entry.name);
        newest = Math.max(newest, entry.isDirectory() ? newestModification(full) : statSync(full).mtimeMs);
    }
    return newest;
}
