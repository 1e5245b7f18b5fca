/**
 * Binding expressions in binding options, as the Functions host resolves them: `%Setting%` from app settings,
 * `{name}` (or `{a.b}`) from the invocation's binding data (keys match ignoring case), and the system values
 * `{rand-guid}` and `{DateTime}`. A name with no value is an error naming it, never an empty path segment.
 * See Microsoft's "Azure Functions binding expression patterns".
 */
import { randomUUID } from 'node:crypto';
import { resolveSettingReferences } from '../../shared/settings';

export class BindingExpressionError extends Error {
    constructor(message: string) {
        super(message);
        this.name = 'BindingExpressionError';
    }
}

function lookup(data: Readonly<Record<string, unknown>>, path: string): unknown {
    let current: unknown = data;
    for (const part of path.split('.')) {
        if (typeof current !== 'object' || current === null) return undefined;
        const record = current as Record<string, unknown>;
        const key = Object.keys(record).find((candidate) => candidate.toLowerCase() === part.toLowerCase());
        current = key === undefined ? undefined : record[key];
    }
    return current;
}

function asText(value: unknown): string {
    if (value instanceof Date) return value.toISOString();
    return typeof value === 'object' ? JSON.stringify(value) : String(value);
}

export function resolveBindingExpression(
    template: string,
    bindingData: Readonly<Record<string, unknown>>,
    env: NodeJS.ProcessEnv,
    now: () => Date = () => new Date(),
): string {
    const withSettings = resolveSettingReferences(template, env);
    return withSettings.replace(/\{([^{}]+)\}/g, (_match, expression: string) => {
        const name = expression.trim();
        if (name.toLowerCase() === 'rand-guid') return randomUUID();
        if (name.toLowerCase() === 'datetime') return now().toISOString();
        const value = lookup(bindingData, name);
        if (value === undefined || value === null) {
            throw new BindingExpressionError(`No value for named parameter '${name}' in '${template}'.`);
        }
        return asText(value);
    });
}
