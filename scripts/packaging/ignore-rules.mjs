// The subset of gitignore syntax that .funcignore files use (Core Tools reads .funcignore with gitignore
// semantics): comments, blank lines, `!` negation, a trailing `/` for directories only, a leading or inner
// `/` to anchor a pattern at the project root, and the globs `*`, `?`, `**`, `[...]`. The last matching
// rule wins, so a later `!pattern` re-includes what an earlier rule excluded.

/**
 * Turns a glob into a regular expression over `/`-separated relative paths. `*` and `?` never cross a
 * `/`; `**` does; `{a,b}` alternation is accepted too because package.json `main` globs may use it.
 * @param {string} glob
 * @returns {RegExp}
 */
export function globToRegExp(glob) {
    let source = '';
    for (let i = 0; i < glob.length; i++) {
        const char = glob.charAt(i);
        if (char === '*') {
            if (glob.charAt(i + 1) === '*') {
                // `**/` matches zero or more whole directories; a bare `**` matches anything.
                const slashFollows = glob.charAt(i + 2) === '/';
                source += slashFollows ? '(?:.*/)?' : '.*';
                i += slashFollows ? 2 : 1;
            } else {
                source += '[^/]*';
            }
        } else if (char === '?') {
            source += '[^/]';
        } else if (char === '[') {
            const close = glob.indexOf(']', i + 1);
            if (close === -1) {
                source += '\\[';
            } else {
                source += `[${glob
                    .slice(i + 1, close)
                    .replace(/^!/, '^')
                    .replace(/\\/g, '\\\\')}]`;
                i = close;
            }
        } else if (char === '{') {
            const close = glob.indexOf('}', i + 1);
            if (close === -1) {
                source += '\\{';
            } else {
                const alternatives = glob
                    .slice(i + 1, close)
                    .split(',')
                    .map((part) => globToRegExp(part).source.slice(1, -1));
                source += `(?:${alternatives.join('|')})`;
                i = close;
            }
        } else {
            source += char.replace(/[.+^$()|\\]/g, '\\$&');
        }
    }
    return new RegExp(`^${source}$`);
}

/**
 * @typedef {{ pattern: string, negated: boolean, directoryOnly: boolean, anchored: boolean, regExp: RegExp }} IgnoreRule
 */

/**
 * @param {string} text the content of a .funcignore / .gitignore file
 * @returns {IgnoreRule[]}
 */
export function parseIgnoreRules(text) {
    /** @type {IgnoreRule[]} */
    const rules = [];
    for (const rawLine of text.split(/\r?\n/)) {
        let line = rawLine.replace(/(?<!\\)\s+$/, '');
        if (line === '' || line.startsWith('#')) continue;
        const negated = line.startsWith('!');
        if (negated) line = line.slice(1);
        const directoryOnly = line.endsWith('/');
        if (directoryOnly) line = line.slice(0, -1);
        // gitignore: a slash at the start or in the middle anchors the pattern at the root; without one the
        // pattern matches a name at any depth.
        const anchored = line.includes('/');
        if (line.startsWith('/')) line = line.slice(1);
        if (line === '') continue;
        rules.push({ pattern: rawLine.trim(), negated, directoryOnly, anchored, regExp: globToRegExp(line) });
    }
    return rules;
}

/**
 * Whether one path is ignored by the rules, looking at that path only (callers walk the tree top-down and
 * prune ignored directories, which is how a file under an ignored directory is excluded, as in git).
 * @param {IgnoreRule[]} rules
 * @param {string} relativePath `/`-separated, relative to the directory holding the ignore file
 * @param {boolean} isDirectory
 * @returns {boolean}
 */
export function isIgnored(rules, relativePath, isDirectory) {
    const name = relativePath.slice(relativePath.lastIndexOf('/') + 1);
    let ignored = false;
    for (const rule of rules) {
        if (rule.directoryOnly && !isDirectory) continue;
        const subject = rule.anchored ? relativePath : name;
        if (rule.regExp.test(subject)) ignored = !rule.negated;
    }
    return ignored;
}
