import { readdirSync } from 'node:fs';
import Module from 'node:module';
import { join } from 'node:path';
import { InvocationContext } from '@azure/functions';
import { beforeAll, describe, expect, it } from 'vitest';
import { publicRouteAuthLevel } from '../../src/http/auth-level';
import { orchestratorNames } from '../../src/orchestrations';

/** What the app registers, as the host would see it: function name → binding metadata. */
interface Binding {
    readonly type: string;
    readonly direction: string;
    readonly [property: string]: unknown;
}
const registered = new Map<string, Binding[]>();
type Callback = (triggerInput: unknown, context: InvocationContext) => unknown;
const callbacks = new Map<string, Callback>();

/**
 * Loads every file of src/functions/ the way the worker does: with an `@azure/functions-core` module in place
 * (the seam the Functions worker provides), so the libraries register instead of falling back to test mode.
 * This test file runs in its own process, so the hook and the registrations stay here.
 */
beforeAll(async () => {
    const coreApi = {
        setProgrammingModel: () => undefined,
        registerFunction: (metadata: { name: string; bindings: Record<string, Binding> }, callback: Callback) => {
            registered.set(metadata.name, Object.values(metadata.bindings));
            callbacks.set(metadata.name, callback);
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
            'get_order',
            'get_status',
            'http_start',
            'order_processing',
            'parallel_processing',
            'parallel_processing_batch',
            'process_item',
            'refund_payment',
            'release_stock',
            'reserve_stock',
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
        expect(registered.get('http_start')).toContainEqual(
            expect.objectContaining({ type: 'durableClient', direction: 'in' }),
        );
    });

    it('serves get_status on GET orchestrations/{instance_id}/status with a durable client', () => {
        expect(trigger('get_status')).toMatchObject({
            type: 'httpTrigger',
            route: 'orchestrations/{instance_id}/status',
            methods: ['GET'],
        });
        expect(registered.get('get_status')).toContainEqual(
            expect.objectContaining({ type: 'durableClient', direction: 'in' }),
        );
    });

    it("takes every HTTP route's authLevel from the one setting (src/http/auth-level.ts)", () => {
        const httpFunctions = [...registered.keys()].filter((name) => trigger(name).type === 'httpTrigger');
        expect(httpFunctions.length).toBeGreaterThan(0);
        for (const name of httpFunctions) expect(trigger(name).authLevel, name).toBe(publicRouteAuthLevel());
        if (process.env.HTTP_AUTH_LEVEL === undefined) expect(trigger('http_start').authLevel).toBe('function');
    });

    it('serves get_order on GET orders/{order_id} with a durable client', () => {
        expect(trigger('get_order')).toMatchObject({
            type: 'httpTrigger',
            route: 'orders/{order_id}',
            methods: ['GET'],
        });
        expect(registered.get('get_order')).toContainEqual(
            expect.objectContaining({ type: 'durableClient', direction: 'in' }),
        );
    });

    it('registers as orchestrators the names the starter accepts, and the batch sub-orchestrator', () => {
        const orchestrators = [...registered.keys()].filter((name) => trigger(name).type === 'orchestrationTrigger');
        expect(orchestrators.sort()).toEqual([...orchestratorNames, 'parallel_processing_batch'].sort());
        expect(orchestratorNames).not.toContain('parallel_processing_batch');
    });

    it('registers the eight activities', () => {
        const activities = [...registered.keys()].filter((name) => trigger(name).type === 'activityTrigger');
        expect(activities.sort()).toEqual([
            'charge_customer',
            'fulfill_order',
            'process_item',
            'refund_payment',
            'release_stock',
            'reserve_stock',
            'send_notification',
            'validate_order',
        ]);
    });
});

/**
 * One orchestrator episode through the registered callback, i.e. the SDK's own replay engine, with the
 * trigger payload the Durable extension sends (schema V3). Not a replacement for replay tests on the real
 * engine; a check that the generators and the SDK agree (Task.all, results fed back, the empty fan-out).
 */
async function episode(name: string, input: unknown, history: unknown[] = [], version?: string): Promise<unknown> {
    const callback = callbacks.get(name);
    if (callback === undefined) {
        throw new Error(`${name} is not registered`);
    }
    const timestamp = '2026-01-02T03:04:05.000Z';
    const trigger = {
        history: [
            { EventType: 12, EventId: -1, IsPlayed: false, Timestamp: timestamp },
            {
                EventType: 0,
                EventId: -1,
                IsPlayed: false,
                Timestamp: timestamp,
                Name: name,
                Input: JSON.stringify(input),
                ...(version === undefined ? {} : { Version: version }),
            },
            ...history,
        ],
        input,
        instanceId: 'instance-1',
        isReplaying: false,
        upperSchemaVersion: 1,
        upperSchemaVersionNew: 2,
    };
    return callback(trigger, new InvocationContext({ functionName: name, logHandler: () => undefined }));
}

describe('registered orchestrators on the SDK replay engine', () => {
    const order = { order_id: 'A-1', items: [] };

    it('order_processing first schedules validate_order with the parsed order', async () => {
        expect(await episode('order_processing', order)).toMatchObject({
            isDone: false,
            actions: [[{ actionType: 0, functionName: 'validate_order', input: order }]],
        });
    });

    it('order_processing completes with the rejection once validate_order answers', async () => {
        const timestamp = '2026-01-02T03:04:06.000Z';
        const state = await episode('order_processing', order, [
            { EventType: 4, EventId: 0, IsPlayed: false, Timestamp: timestamp, Name: 'validate_order' },
            {
                EventType: 5,
                EventId: -1,
                IsPlayed: false,
                Timestamp: timestamp,
                TaskScheduledId: 0,
                Result: JSON.stringify({ valid: false, reason: 'No items in order' }),
            },
        ]);
        expect(state).toMatchObject({
            isDone: true,
            output: { status: 'rejected', order_id: 'A-1', reason: 'No items in order' },
        });
    });

    it.each([
        [undefined, 'charge_customer'],
        ['', 'charge_customer'],
        ['1.0', 'charge_customer'],
        ['2.0', 'reserve_stock'],
    ])(
        'order_processing branches on the ExecutionStarted Version the SDK reads (%j: %s after validate_order)',
        async (version, next) => {
            const timestamp = '2026-01-02T03:04:06.000Z';
            const valid = { order_id: 'A-1', items: ['MUG'] };
            const state = await episode(
                'order_processing',
                valid,
                [
                    { EventType: 4, EventId: 0, IsPlayed: false, Timestamp: timestamp, Name: 'validate_order' },
                    {
                        EventType: 5,
                        EventId: -1,
                        IsPlayed: false,
                        Timestamp: timestamp,
                        TaskScheduledId: 0,
                        Result: JSON.stringify({ valid: true, amount: { cents: 2999, decimal: 29.99 } }),
                    },
                ],
                version,
            );
            expect(state).toMatchObject({ isDone: false, actions: [[{}, { functionName: next }]] });
        },
    );

    it('parallel_processing completes in its first episode for an empty list', async () => {
        expect(await episode('parallel_processing', { items: [] })).toMatchObject({
            isDone: true,
            output: { total: 0, successful: 0, failed: 0, results: [] },
        });
    });

    it('parallel_processing schedules every item at once', async () => {
        const state = await episode('parallel_processing', { items: ['a', 'b', 'c'] });
        expect(JSON.stringify(state).match(/"functionName":"process_item"/g)).toHaveLength(3);
        expect(state).toMatchObject({ isDone: false });
    });
});
