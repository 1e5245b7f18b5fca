import type { HostExtension, RegisteredFunction } from '../shared/host-contracts';
import { unsupportedBindingMessage } from './bindings/invocation-bindings';
import type { HttpRoute } from './http/route-table';

export interface FunctionListing {
    /** One line per function, as `func start` prints them. */
    readonly lines: readonly string[];
    /** Triggers and bindings nothing here serves: the host refuses to start unless told to allow them. */
    readonly unsupported: readonly string[];
}

/**
 * `name: [METHODS] url` for HTTP functions (the URL shows the template, `{name}` and all), `name: type` for
 * the rest. A trigger no extension runs, or an input or output binding no extension handles, is unsupported.
 */
export function describeFunctions(
    functions: Iterable<RegisteredFunction>,
    routes: readonly HttpRoute[],
    extensions: readonly HostExtension[],
    baseUrl: string,
): FunctionListing {
    const lines: string[] = [];
    const unsupported: string[] = [];
    const routeByName = new Map(routes.map((route) => [route.fn.name, route]));
    const served = new Set(extensions.flatMap((e) => e.triggerTypes.map((t) => t.toLowerCase())));
    const supplied = new Set(extensions.flatMap((e) => e.inputBindingTypes.map((t) => t.toLowerCase())));
    // The host itself writes HTTP responses.
    const written = new Set([
        'http',
        ...extensions.flatMap((e) => (e.outputBindingTypes ?? []).map((t) => t.toLowerCase())),
    ]);
    const sorted = [...functions].sort((a, b) => a.name.localeCompare(b.name));
    for (const fn of sorted) {
        const route = routeByName.get(fn.name);
        if (route) {
            const methods = route.methods ? `[${route.methods.join(',')}] ` : '';
            lines.push(`${fn.name}: ${methods}${baseUrl}/${route.template.source}`);
        } else {
            lines.push(`${fn.name}: ${fn.trigger.binding.type}`);
            if (!served.has(fn.trigger.binding.type.toLowerCase())) {
                unsupported.push(
                    `Function '${fn.name}': the devhost has no trigger of type '${fn.trigger.binding.type}'; it will not run.`,
                );
            }
        }
        for (const [name, binding] of Object.entries(fn.bindings)) {
            if (name === fn.trigger.name) continue;
            const known = binding.direction === 'out' ? written : supplied;
            if (!known.has(binding.type.toLowerCase())) unsupported.push(unsupportedBindingMessage(fn, name, binding));
        }
    }
    return { lines, unsupported };
}
