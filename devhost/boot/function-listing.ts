import type { HostExtension, RegisteredFunction } from '../contracts/host';
import type { HttpRoute } from '../http/route-table';

export interface FunctionListing {
    /** One line per function, as `func start` prints them. */
    readonly lines: readonly string[];
    /** Triggers and inputs nothing here serves: listed, never fatal. */
    readonly warnings: readonly string[];
}

/**
 * `name: [METHODS] url` for HTTP functions (the URL shows the template, `{name}` and all), `name: type` for
 * the rest. A trigger no extension runs, or an input no extension supplies, gets a warning.
 */
export function describeFunctions(
    functions: Iterable<RegisteredFunction>,
    routes: readonly HttpRoute[],
    extensions: readonly HostExtension[],
    baseUrl: string,
): FunctionListing {
    const lines: string[] = [];
    const warnings: string[] = [];
    const routeByName = new Map(routes.map((route) => [route.fn.name, route]));
    const served = new Set(extensions.flatMap((e) => e.triggerTypes.map((t) => t.toLowerCase())));
    const supplied = new Set(extensions.flatMap((e) => e.inputBindingTypes.map((t) => t.toLowerCase())));
    const sorted = [...functions].sort((a, b) => a.name.localeCompare(b.name));
    for (const fn of sorted) {
        const route = routeByName.get(fn.name);
        if (route) {
            const methods = route.methods ? `[${route.methods.join(',')}] ` : '';
            lines.push(`${fn.name}: ${methods}${baseUrl}/${route.template.source}`);
        } else {
            lines.push(`${fn.name}: ${fn.trigger.binding.type}`);
            if (!served.has(fn.trigger.binding.type.toLowerCase())) {
                warnings.push(
                    `No extension serves trigger type '${fn.trigger.binding.type}': function '${fn.name}' will not run.`,
                );
            }
        }
        for (const [name, binding] of Object.entries(fn.bindings)) {
            if (name === fn.trigger.name || binding.direction !== 'in') continue;
            if (!supplied.has(binding.type.toLowerCase())) {
                warnings.push(
                    `No extension supplies input type '${binding.type}' ('${name}' of function '${fn.name}'); it will be missing.`,
                );
            }
        }
    }
    return { lines, warnings };
}
