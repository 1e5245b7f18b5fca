import { z } from 'zod';
import { errorMessage } from '../../shared/errors';
import type { RegisteredFunction } from '../../shared/host-contracts';
import {
    compareRoutePrecedence,
    matchRouteTemplate,
    parseRouteTemplate,
    type RouteTemplate,
    type RouteValues,
} from './route-template';

/** An HTTP-triggered function as the host routes it. */
export interface HttpRoute {
    readonly fn: RegisteredFunction;
    /** The route as written on the trigger (defaults to the function name), without the prefix. */
    readonly route: string;
    /** The full template including host.json's route prefix. */
    readonly template: RouteTemplate;
    /** Upper-case methods; `undefined` means any method. */
    readonly methods: readonly string[] | undefined;
    /** Who may call it when the host checks keys (see key-check.ts). */
    readonly authLevel: HttpAuthLevel;
}

/** The trigger's authLevel, case-insensitive as the host parses it; unset is `function`, the host's default. */
const authLevelSchema = z.preprocess(
    (value) => (typeof value === 'string' ? value.toLowerCase() : (value ?? 'function')),
    z.enum(['anonymous', 'function', 'system', 'admin']),
);

export type HttpAuthLevel = z.infer<typeof authLevelSchema>;

export interface RouteMatch {
    readonly route: HttpRoute;
    readonly params: RouteValues;
}

const httpTriggerOptionsSchema = z.looseObject({
    route: z.string().nullish(),
    methods: z.array(z.string()).nullish(),
    authLevel: authLevelSchema,
});

export function isHttpTrigger(fn: RegisteredFunction): boolean {
    return fn.trigger.binding.type.toLowerCase() === 'httptrigger';
}

export class RouteTable {
    readonly routes: readonly HttpRoute[];

    constructor(functions: Iterable<RegisteredFunction>, routePrefix: string) {
        const routes: HttpRoute[] = [];
        for (const fn of functions) {
            if (!isHttpTrigger(fn)) continue;
            const parsed = httpTriggerOptionsSchema.safeParse(fn.trigger.binding);
            if (!parsed.success) {
                const issues = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
                throw new Error(`Function '${fn.name}': invalid HTTP trigger (${issues.join('; ')}).`);
            }
            const options = parsed.data;
            const route = (options.route ?? fn.name).replace(/^\/+|\/+$/g, '');
            const full = [routePrefix, route].filter((part) => part !== '').join('/');
            let template: RouteTemplate;
            try {
                template = parseRouteTemplate(full);
            } catch (error) {
                throw new Error(`Function '${fn.name}': ${errorMessage(error)}`, {
                    cause: error,
                });
            }
            const methods =
                options.methods && options.methods.length > 0 ? options.methods.map((m) => m.toUpperCase()) : undefined;
            routes.push({ fn, route, template, methods, authLevel: options.authLevel });
        }
        // Stable sort: among equally specific templates, registration order decides.
        this.routes = routes.sort((a, b) => compareRoutePrecedence(a.template, b.template));
    }

    /** The most specific route whose template and methods accept the request; the host answers 404 otherwise. */
    match(method: string, pathname: string): RouteMatch | undefined {
        const upper = method.toUpperCase();
        for (const route of this.routes) {
            if (route.methods && !route.methods.includes(upper)) continue;
            const params = matchRouteTemplate(route.template, pathname);
            if (params) return { route, params };
        }
        return undefined;
    }
}
