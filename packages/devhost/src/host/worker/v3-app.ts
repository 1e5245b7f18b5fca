import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';

/**
 * Microsoft's guide for moving a v3 app to the v4 programming model, by the title Microsoft Learn gives it (so
 * it can be searched for) and its address.
 */
export const V4_MIGRATION_GUIDE = {
    title: 'Migrate to version 4 of the Node.js programming model for Azure Functions',
    url: 'https://learn.microsoft.com/azure/azure-functions/functions-node-upgrade-v4',
} as const;

/** How many function.json paths the message names before it says "and N more": enough to recognise the app. */
const LISTED_FOLDERS = 3;

/**
 * The folders directly under `appDir` that hold a `function.json`, sorted: the layout of the v3 programming
 * model (one folder per function, bindings in JSON). A v4 app registers its functions in code and has none.
 * An unreadable folder counts as none: this only chooses which error message to give.
 */
export async function functionJsonFolders(appDir: string): Promise<string[]> {
    let names: string[];
    try {
        names = await readdir(appDir);
    } catch {
        return [];
    }
    const folders: string[] = [];
    for (const name of names) {
        // node_modules holds other people's packages, never this app's functions.
        if (name === 'node_modules' || name.startsWith('.')) continue;
        const found = await stat(path.join(appDir, name, 'function.json')).catch(() => undefined);
        if (found?.isFile()) folders.push(name);
    }
    return folders.sort();
}

/**
 * Why an app has nothing to load when no file matches package.json `main`. A v3 app (function.json folders)
 * is told so, with the migration guide: "Did you build the app?" would send its author looking for a build
 * step that cannot help. Any other app is most likely a TypeScript app not compiled yet.
 */
export async function noEntryFilesMessage(appDir: string, mainGlob: string): Promise<string> {
    const folders = await functionJsonFolders(appDir);
    if (folders.length === 0) {
        return `No files match package.json "main" (${mainGlob}) in ${appDir}. Did you build the app?`;
    }
    const listed = folders.slice(0, LISTED_FOLDERS).map((folder) => `${folder}/function.json`);
    const more = folders.length > LISTED_FOLDERS ? ` and ${folders.length - LISTED_FOLDERS} more` : '';
    return (
        `${appDir} is an app of the v3 programming model for Node.js (${listed.join(', ')}${more}), and the ` +
        'devhost runs v4 apps only: a v4 app registers its functions in code (app.http(...), ' +
        `df.app.orchestration(...)) in the files of package.json "main" (${mainGlob}, which matches no file ` +
        `here). Migrate the app with Microsoft's guide "${V4_MIGRATION_GUIDE.title}": ${V4_MIGRATION_GUIDE.url}`
    );
}
