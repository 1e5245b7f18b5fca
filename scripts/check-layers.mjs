#!/usr/bin/env node
// Folder-level dependency check: dependencies point one way, so no two folders may import each other (directly
// or through a longer loop). ESLint's import-x/no-cycle sees file cycles; this sees the layers, which is what a
// reader navigates. Prints the cycles it finds and exits 1, or prints the layer order and exits 0.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const root = resolve(dirname(new URL(import.meta.url).pathname), '..');
const scanned = ['src', 'packages/devhost/src'];

function* sourceFiles(dir) {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
        const path = join(dir, entry.name);
        if (entry.isDirectory()) yield* sourceFiles(path);
        else if (/\.(ts|mts)$/.test(entry.name) && !entry.name.endsWith('.d.ts')) yield path;
    }
}

const importPattern = /(?:\bfrom\s+|\bimport\s*\(\s*|\brequire\s*\(\s*|^\s*import\s+)['"](\.{1,2}\/[^'"]+)['"]/gm;

/** @type {Map<string, Set<string>>} folder -> folders it imports */
const edges = new Map();
for (const top of scanned) {
    for (const file of sourceFiles(join(root, top))) {
        const from = relative(root, dirname(file));
        const text = readFileSync(file, 'utf8');
        for (const match of text.matchAll(importPattern)) {
            const resolved = resolve(dirname(file), match[1]);
            // A folder import ('../engine') lands on the folder's index, so the folder itself is the target.
            const isFolder = existsSync(resolved) && statSync(resolved).isDirectory();
            const target = relative(root, isFolder ? resolved : dirname(resolved));
            if (target === from || target.startsWith('..')) continue;
            if (!edges.has(from)) edges.set(from, new Set());
            edges.get(from).add(target);
        }
    }
}

// Tarjan's strongly connected components: any component with more than one folder is a loop between layers.
let index = 0;
const stack = [];
const state = new Map();
const loops = [];
function connect(node) {
    state.set(node, { index, low: index, onStack: true });
    index++;
    stack.push(node);
    for (const next of edges.get(node) ?? []) {
        if (!state.has(next)) {
            connect(next);
            state.get(node).low = Math.min(state.get(node).low, state.get(next).low);
        } else if (state.get(next).onStack) {
            state.get(node).low = Math.min(state.get(node).low, state.get(next).index);
        }
    }
    if (state.get(node).low === state.get(node).index) {
        const component = [];
        let member;
        do {
            member = stack.pop();
            state.get(member).onStack = false;
            component.push(member);
        } while (member !== node);
        if (component.length > 1) loops.push(component.sort());
    }
}
for (const node of edges.keys()) if (!state.has(node)) connect(node);

// The devhost's layers, lowest first: a folder may import its own layer or a lower one, never a higher one.
const devhostLayers = ['packages/devhost/src/shared', 'packages/devhost/src/host', 'packages/devhost/src/extensions'];
const layerOf = (folder) => {
    if (!folder.startsWith('packages/devhost/src')) return undefined;
    const index = devhostLayers.findIndex((layer) => folder === layer || folder.startsWith(`${layer}/`));
    return index === -1 ? devhostLayers.length : index; // the CLI, its wiring and testing/ sit on top
};
const upward = [...edges].flatMap(([from, targets]) =>
    [...targets].filter((to) => (layerOf(from) ?? 0) < (layerOf(to) ?? 0)).map((to) => `  ${from} -> ${to}`),
);
if (upward.length > 0) {
    console.error(
        `Imports that point up the devhost's layers (${devhostLayers.join(' < ')} < the rest):\n${upward.join('\n')}`,
    );
    process.exit(1);
}

if (loops.length > 0) {
    for (const loop of loops) {
        const inside = new Set(loop);
        const pairs = loop.flatMap((a) =>
            [...(edges.get(a) ?? [])].filter((b) => inside.has(b)).map((b) => `  ${a} -> ${b}`),
        );
        console.error(`Folders that import each other (${loop.join(', ')}):\n${pairs.join('\n')}`);
    }
    process.exit(1);
}
console.log(`check-layers: ${edges.size} folders, no folder imports another that imports it back.`);
