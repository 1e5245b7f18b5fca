/**
 * Just enough Bicep reading for the deployment tests, since no Bicep compiler is available offline:
 * comments removed, object literals located by brace matching, top-level keys and params listed. Strings
 * are single-quoted in Bicep and may contain `${...}` interpolations, so braces inside strings are skipped.
 */

/** Replaces comments with spaces (keeping offsets and line breaks) without touching string contents. */
export function stripComments(text: string): string {
    let out = '';
    let i = 0;
    while (i < text.length) {
        const char = text.charAt(i);
        const next = text.charAt(i + 1);
        if (char === "'") {
            const end = endOfString(text, i);
            out += text.slice(i, end);
            i = end;
        } else if (char === '/' && next === '/') {
            while (i < text.length && text.charAt(i) !== '\n') {
                out += ' ';
                i++;
            }
        } else if (char === '/' && next === '*') {
            const end = text.indexOf('*/', i + 2);
            const stop = end === -1 ? text.length : end + 2;
            out += text.slice(i, stop).replace(/[^\n]/g, ' ');
            i = stop;
        } else {
            out += char;
            i++;
        }
    }
    return out;
}

/** Index just past the closing quote of the string opening at `start` (Bicep escapes a quote as \'). */
function endOfString(text: string, start: number): number {
    let i = start + 1;
    while (i < text.length) {
        const char = text.charAt(i);
        if (char === '\\') i += 2;
        else if (char === "'") return i + 1;
        else i++;
    }
    return text.length;
}

/** The text between the `{` that ends `opening` (a regular expression) and its matching `}`. */
export function objectBodyAfter(text: string, opening: RegExp): string {
    const code = stripComments(text);
    const match = opening.exec(code);
    if (!match) throw new Error(`No ${opening} in the Bicep text.`);
    const open = code.indexOf('{', match.index + match[0].length - 1);
    let depth = 0;
    let i = open;
    while (i < code.length) {
        const char = code.charAt(i);
        if (char === "'") {
            i = endOfString(code, i);
            continue;
        }
        if (char === '{' || char === '[') depth++;
        if (char === '}' || char === ']') {
            depth--;
            if (depth === 0) return code.slice(open + 1, i);
        }
        i++;
    }
    throw new Error(`Unbalanced braces after ${opening}.`);
}

/** Keys of an object literal body at its own top level, once each (nested objects' keys are not included). */
export function topLevelKeys(body: string): string[] {
    const keys: string[] = [];
    let depth = 0;
    let lineStart = true;
    let i = 0;
    while (i < body.length) {
        const char = body.charAt(i);
        if (lineStart && depth === 0) {
            const key = /^[ \t]*(?:'([^']+)'|([A-Za-z_][A-Za-z0-9_]*))\s*:/.exec(body.slice(i));
            if (key) keys.push(key[1] ?? key[2] ?? '');
        }
        lineStart = false;
        if (char === "'") {
            i = endOfString(body, i);
            continue;
        }
        if (char === '{' || char === '[') depth++;
        if (char === '}' || char === ']') depth--;
        if (char === '\n') lineStart = true;
        i++;
    }
    return keys;
}

/** The single-quoted value given to `key` at the top level of an object body, if it is a plain string. */
export function stringValueOf(body: string, key: string): string | undefined {
    const match = new RegExp(`^\\s*${key}\\s*:\\s*'([^']*)'`, 'm').exec(body);
    return match?.[1];
}

export interface BicepParam {
    name: string;
    type: string;
    /** The default value's source text, if the param has one. */
    defaultValue?: string;
}

export function params(text: string): BicepParam[] {
    const result: BicepParam[] = [];
    for (const line of stripComments(text).split('\n')) {
        const match = /^param\s+([A-Za-z_][A-Za-z0-9_]*)\s+([A-Za-z]+)(?:\s*=\s*(.+?))?\s*$/.exec(line);
        if (!match?.[1] || !match[2]) continue;
        result.push(
            match[3] === undefined
                ? { name: match[1], type: match[2] }
                : { name: match[1], type: match[2], defaultValue: match[3] },
        );
    }
    return result;
}

/** `var name = '<value>'` at the top level. */
export function stringVariable(text: string, name: string): string | undefined {
    return new RegExp(`^var\\s+${name}\\s*=\\s*'([^']*)'`, 'm').exec(stripComments(text))?.[1];
}

/** One decorator call, `@name(...)`, with quoted strings and one level of nested parentheses inside. */
const DECORATOR = String.raw`@\w+\((?:'(?:[^'\\]|\\.)*'|\([^()]*\)|[^()'])*\)\s*`;

/** The decorators written directly above `param <name>`, as source text (empty when there are none). */
export function paramDecorators(text: string, name: string): string {
    const match = new RegExp(`((?:${DECORATOR})*)^param\\s+${name}\\b`, 'm').exec(stripComments(text));
    if (!match) throw new Error(`No param ${name} in the Bicep text.`);
    return match[1] ?? '';
}

/** The values of an `@allowed([...])` decorator: quoted strings as strings, bare numbers as numbers. */
export function allowedValues(decorators: string): (string | number)[] | undefined {
    const list = /@allowed\(\s*\[([\s\S]*?)\]\s*\)/.exec(decorators)?.[1];
    if (list === undefined) return undefined;
    return [...list.matchAll(/'([^']*)'|(-?\d+)/g)].map((match) => match[1] ?? Number(match[2]));
}

/** The number in `@minValue(n)` or `@maxValue(n)`. */
export function numericDecorator(decorators: string, name: 'minValue' | 'maxValue'): number | undefined {
    const value = new RegExp(`@${name}\\(\\s*(-?\\d+)\\s*\\)`).exec(decorators)?.[1];
    return value === undefined ? undefined : Number(value);
}

/** The quoted items of a top-level `var <name> = [ ... ]` written one item per line, closed by `]` on its own line. */
export function stringArrayVariable(text: string, name: string): string[] | undefined {
    const body = new RegExp(`^var\\s+${name}\\s*=\\s*\\[([^\\]]*)^\\]`, 'm').exec(stripComments(text))?.[1];
    if (body === undefined) return undefined;
    return [...body.matchAll(/'([^']*)'/g)].map((item) => item[1] ?? '');
}

/** The right-hand side of a top-level `var <name> = ...`, as source text up to the end of its line. */
export function variableExpression(text: string, name: string): string | undefined {
    return new RegExp(`^var\\s+${name}\\s*=\\s*(.+)$`, 'm').exec(stripComments(text))?.[1]?.trim();
}

/** `'<type>@<apiVersion>'` and the body of `resource <symbol> '<type>@<apiVersion>' = [if (...)] {`. */
export function resourceDeclaration(text: string, symbol: string): { type: string; condition?: string; body: string } {
    const opening = new RegExp(
        `^resource\\s+${symbol}\\s+'([^']+)'(?:\\s+existing)?\\s*=\\s*(?:if\\s*\\((.*)\\)\\s*)?\\{`,
        'm',
    );
    const match = opening.exec(stripComments(text));
    if (!match?.[1]) throw new Error(`No resource ${symbol} in the Bicep text.`);
    const body = objectBodyAfter(text, opening);
    return match[2] === undefined ? { type: match[1], body } : { type: match[1], condition: match[2].trim(), body };
}

/** The `params: { ... }` body of `module <symbol> ...`. */
export function moduleParamsOf(text: string, symbol: string): string {
    return objectBodyAfter(objectBodyAfter(text, new RegExp(`module ${symbol} [^=]+=[^{]*\\{`)), /params\s*:\s*\{/);
}

/** The text of `module <symbol> '<path>' = ...` up to its opening brace: path and condition. */
export function moduleDeclaration(text: string, symbol: string): { path: string; condition?: string } {
    const match = new RegExp(`^module\\s+${symbol}\\s+'([^']+)'\\s*=\\s*(?:if\\s*\\((.*)\\)\\s*)?\\{`, 'm').exec(
        stripComments(text),
    );
    if (!match?.[1]) throw new Error(`No module ${symbol} in the Bicep text.`);
    return match[2] === undefined ? { path: match[1] } : { path: match[1], condition: match[2].trim() };
}
