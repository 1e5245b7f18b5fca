import { parseConstraint, type ConstraintCheck } from './route-constraints';

/**
 * Functions route templates (ASP.NET Core syntax): literal segments (case-insensitive), `{name}`, `{name?}`,
 * `{name=default}`, inline constraints `{id:int:min(1)}`, catch-all `{*rest}` / `{**rest}` as the last segment,
 * complex segments such as `{file}.{ext}`, and `{{` / `}}` for literal braces.
 */

interface Parameter {
    readonly name: string;
    readonly optional: boolean;
    readonly catchAll: boolean;
    readonly defaultValue: string | undefined;
    readonly constraints: readonly ConstraintCheck[];
}

type Part = { readonly literal: string } | { readonly parameter: Parameter };

type Segment =
    | { readonly kind: 'literal'; readonly text: string }
    | { readonly kind: 'parameter'; readonly parameter: Parameter }
    | { readonly kind: 'complex'; readonly pattern: RegExp; readonly parameters: readonly Parameter[] };

export interface RouteTemplate {
    readonly source: string;
    readonly segments: readonly Segment[];
    /** Per segment: 1 literal, 2 complex, 3 constrained parameter, 4 parameter, 5 catch-all (lower wins). */
    readonly precedence: readonly number[];
}

export type RouteValues = Record<string, string>;

export function parseRouteTemplate(source: string): RouteTemplate {
    const trimmed = source.replace(/^[~]?\/+|\/+$/g, '');
    const segments = trimmed === '' ? [] : splitSegments(trimmed).map((text) => parseSegment(text, source));
    segments.forEach((segment, index) => {
        if (segment.kind === 'parameter' && segment.parameter.catchAll && index !== segments.length - 1) {
            throw new Error(`Route '${source}': a catch-all parameter must be the last segment.`);
        }
    });
    return { source, segments, precedence: segments.map(precedenceDigit) };
}

/** Splits on `/` outside braces (a regex constraint may contain `/`). */
function splitSegments(template: string): string[] {
    const out: string[] = [];
    let depth = 0;
    let current = '';
    for (let i = 0; i < template.length; i++) {
        const char = template[i] ?? '';
        if ((char === '{' || char === '}') && template[i + 1] === char) {
            current += char + char;
            i++;
            continue;
        }
        if (char === '{') depth++;
        if (char === '}') depth--;
        if (char === '/' && depth === 0) {
            out.push(current);
            current = '';
        } else {
            current += char;
        }
    }
    out.push(current);
    return out;
}

function parseSegment(text: string, source: string): Segment {
    if (text === '') throw new Error(`Route '${source}' has an empty segment.`);
    const parts = parseParts(text, source);
    const [first] = parts;
    if (parts.length === 1 && first) {
        return 'literal' in first
            ? { kind: 'literal', text: first.literal }
            : { kind: 'parameter', parameter: first.parameter };
    }
    const parameters: Parameter[] = [];
    let pattern = '';
    parts.forEach((part) => {
        if ('literal' in part) {
            pattern += escapeRegExp(part.literal);
        } else {
            if (part.parameter.catchAll)
                throw new Error(`Route '${source}': a catch-all cannot be part of a complex segment.`);
            parameters.push(part.parameter);
            // Never empty; greedy captures reproduce ASP.NET's right-to-left matching (`{file}.{ext}` on a.b.c: a.b + c).
            pattern += '(.+)';
        }
    });
    return { kind: 'complex', pattern: new RegExp(`^${pattern}$`, 'i'), parameters };
}

function parseParts(text: string, source: string): Part[] {
    const parts: Part[] = [];
    let literal = '';
    for (let i = 0; i < text.length; i++) {
        const char = text[i];
        if ((char === '{' || char === '}') && text[i + 1] === char) {
            literal += char;
            i++;
        } else if (char === '{') {
            if (literal) parts.push({ literal });
            literal = '';
            let inner = '';
            let closed = false;
            for (i++; i < text.length; i++) {
                const c = text[i];
                if ((c === '{' || c === '}') && text[i + 1] === c) {
                    inner += c;
                    i++;
                } else if (c === '}') {
                    closed = true;
                    break;
                } else {
                    inner += c;
                }
            }
            if (!closed) throw new Error(`Route '${source}' has an unclosed '{'.`);
            parts.push({ parameter: parseParameter(inner, source) });
        } else if (char === '}') {
            throw new Error(`Route '${source}' has an unmatched '}'.`);
        } else {
            literal += char;
        }
    }
    if (literal) parts.push({ literal });
    return parts;
}

/** `*name:c1:c2(args)=default?` -> a Parameter; `:` and `=` inside parentheses belong to the constraint. */
function parseParameter(inner: string, source: string): Parameter {
    let text = inner.trim();
    const catchAll = text.startsWith('*');
    text = text.replace(/^\*{1,2}/, '');
    const pieces: string[] = [];
    let current = '';
    let depth = 0;
    let defaultValue: string | undefined;
    for (let i = 0; i < text.length; i++) {
        const char = text[i] ?? '';
        if (char === '\\' && depth > 0) {
            current += char + (text[i + 1] ?? '');
            i++;
            continue;
        }
        if (char === '(') depth++;
        if (char === ')') depth = Math.max(0, depth - 1);
        if (depth === 0 && char === ':') {
            pieces.push(current);
            current = '';
        } else if (depth === 0 && char === '=') {
            defaultValue = text.slice(i + 1);
            break;
        } else {
            current += char;
        }
    }
    pieces.push(current);
    let optional = false;
    const last = pieces.length - 1;
    if (defaultValue === undefined && pieces[last]?.endsWith('?')) {
        optional = true;
        pieces[last] = (pieces[last] ?? '').slice(0, -1);
    } else if (defaultValue?.endsWith('?')) {
        optional = true;
        defaultValue = defaultValue.slice(0, -1);
    }
    const [name = '', ...constraintTexts] = pieces;
    if (!/^[^{}/\\?*:=.]+$/.test(name)) throw new Error(`Route '${source}' has an invalid parameter name '${name}'.`);
    return { name, optional, catchAll, defaultValue, constraints: constraintTexts.map((c) => parseConstraint(c)) };
}

function precedenceDigit(segment: Segment): number {
    if (segment.kind === 'literal') return 1;
    if (segment.kind === 'complex') return 2;
    if (segment.parameter.catchAll) return 5;
    return segment.parameter.constraints.length > 0 ? 3 : 4;
}

function escapeRegExp(text: string): string {
    return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function decode(segment: string): string {
    try {
        return decodeURIComponent(segment);
    } catch {
        return segment;
    }
}

function accepts(parameter: Parameter, value: string): boolean {
    return parameter.constraints.every((check) => check(value));
}

/**
 * Matches a URL path (still percent-encoded, leading `/` optional) against the template. Returns the route
 * values (decoded; omitted optional parameters are absent, defaults filled in) or `undefined`.
 */
export function matchRouteTemplate(template: RouteTemplate, pathname: string): RouteValues | undefined {
    const trimmed = pathname.replace(/^\/+/, '').replace(/\/$/, '');
    const raw = trimmed === '' ? [] : trimmed.split('/');
    const values: RouteValues = {};
    let index = 0;
    for (const segment of template.segments) {
        if (segment.kind === 'parameter' && segment.parameter.catchAll) {
            const rest = raw.slice(index).map(decode).join('/');
            index = raw.length;
            const value = rest === '' ? segment.parameter.defaultValue : rest;
            if (value !== undefined) {
                if (!accepts(segment.parameter, value)) return undefined;
                values[segment.parameter.name] = value;
            }
            continue;
        }
        const rawSegment = raw[index];
        if (rawSegment === undefined) {
            // Only trailing optional or defaulted parameters may be missing.
            if (segment.kind !== 'parameter') return undefined;
            const { parameter } = segment;
            if (parameter.defaultValue !== undefined) values[parameter.name] = parameter.defaultValue;
            else if (!parameter.optional) return undefined;
            continue;
        }
        const value = decode(rawSegment);
        index++;
        if (segment.kind === 'literal') {
            if (value.toLowerCase() !== segment.text.toLowerCase()) return undefined;
        } else if (segment.kind === 'parameter') {
            if (value === '' || !accepts(segment.parameter, value)) return undefined;
            values[segment.parameter.name] = value;
        } else {
            const match = segment.pattern.exec(value);
            if (!match) return undefined;
            for (const [i, parameter] of segment.parameters.entries()) {
                const captured = match[i + 1] ?? '';
                if (!accepts(parameter, captured)) return undefined;
                values[parameter.name] = captured;
            }
        }
    }
    return index === raw.length ? values : undefined;
}

/** Orders templates so that the more specific one is tried first (literal > constrained > parameter > catch-all). */
export function compareRoutePrecedence(a: RouteTemplate, b: RouteTemplate): number {
    const length = Math.max(a.precedence.length, b.precedence.length);
    for (let i = 0; i < length; i++) {
        const difference = (a.precedence[i] ?? 0) - (b.precedence[i] ?? 0);
        if (difference !== 0) return difference;
    }
    return 0;
}
