import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The repository root, as the deploy tests read the templates, settings and docs from it. */
export const projectRoot = join(__dirname, '..', '..', '..');

/** A project file as text, by its path from the repository root. */
export function readProjectFile(path: string): string {
    return readFileSync(join(projectRoot, path), 'utf8');
}
