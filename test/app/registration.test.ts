import { readdirSync } from 'node:fs';
import Module from 'node:module';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { orchestratorNames } from '../../src/orchestrations';

/** What the app registers, as the host would see it: function name → binding metadata. */
interface Binding {
    readonly type: string;
    readonly direction: string;
    readonly [property: string]: unknown;
}
const registered = new Map<string, Binding[]>();

/**
 * Loads every file of src/functions/ the way the worker does: with an `@azure/functions-core` module in place
 * (the seam the Functions worker provides), so the libraries register instead of falling back to test mode.
 * This test file runs in its own process, so the hook and the registrations stay here.
 */
beforeAll(async () => {
    const coreApi = {
        setProgrammingModel: () => undefined,
        registerFunction: (metadata: { name: string; bindings: Record<string, Binding> }) => {
            registered.set(metadata.name, Object.values(metadata.bindings));
            return { dispose: () => undefined };
        },
        log: () => undefined,
    };
    const originalRequire = Module.prototype.require;
    Module.prototype.require = new Proxy(originalRequire, {
        apply: (target, thisArg: NodeJS.Module, args: [string]) =>
            args[0] === '@azure/functions-core' ? coreApi : Reflect.apply(target, thisArg, args),
    });
    try {
        const directory = join(__dirname, '../../src/functions');
        for (const file of readdirSync(directory).filter((name) => name.endsWith('.ts'))) {
            await import(join(directory, file));
        }
    } finally {
        // @azure/functions caches the core module after its first registration; the hook is not needed after.
        Module.prototype.require = originalRequire;
    }
});

function trigger(functionName: string): Binding {
    const found = registered.get(functionName)?.find((binding) => binding.type.endsWith('Trigger'));
    if (found === undefined) {
        throw new Error(`${functionName} is not registered with a trigger`);
    }
    return found;
}

describe('function registrations (the public contract)', () => {
    it('registers exactly the documented functions', () => {
        expect([...registered.keys()].sort()).toEqual([
            'charge_customer',
            'fulfill_order',
            'get_status',
            'http_start',
            'order_processing',
            'parallel_processing',
            'process_item',
            'send_notification',
            'validate_order',
        ]);
    });

    it('serves http_start on POST orchestrations/{function_name} with a durable client', () => {
        expect(trigger('http_start')).toMatchObject({
            type: 'httpTrigger',
            route: 'orchestrations/{function_name}',
            methods: ['POST'],
        });
        expect(registered.get('http_start')).toContainEqual(expect.objectContaining({ type: 'durableClient', direction: 'in' }));
    });

    it('serves get_status on GET orchestrations/{instance_id}/status with a durable client', () => {
        expect(trigger('get_status')).toMatchObject({
            type: 'httpTrigger',
            route: 'orchestrations/{instance_id}/status',
            methods: ['GET'],
        });
        expect(registered.get('get_status')).toContainEqual(expect.objectContaining({ type: 'durableClient', direction: 'in' }));
    });

    it('registers as orchestrators exactly the names the starter accepts', () => {
        const orchestrators = [...registered.keys()].filter((name) => trigger(name).type === 'orchestrationTrigger');
        expect(orchestrators.sort()).toEqual([...orchestratorNames]);
    });

    it('registers the five activities', () => {
        const activities = [...registered.keys()].filter((name) => trigger(name).type === 'activityTrigger');
        expect(activities.sort()).toEqual([
            'charge_customer',
            'fulfill_order',
            'process_item',
            'send_notification',
            'validate_order',
        ]);
    });
});
