import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadApp, type DevhostApp } from '../../../src/host/worker/load-app';
import { captureLogger, fixtureAppDir } from '../../support/host/capture-logger';

// The real environment wins over local.settings.json, as with Core Tools.
process.env.FIXTURE_PRESET = 'from-environment';

const logger = captureLogger();
let app: DevhostApp;
const appDir = fixtureAppDir('http-cjs');
const appRequire = createRequire(`${appDir}/package.json`);

beforeAll(async () => {
    app = await loadApp(appDir, { logger });
});

afterAll(async () => {
    await app?.terminate();
});

describe('loadApp', () => {
    it('loads every file of the main glob and reports bindings keyed by name, with the trigger', () => {
        expect(app.entryFiles.map((f) => f.slice(appDir.length + 1))).toEqual([
            'functions/echo.js',
            'functions/hooks.js',
            'functions/other-triggers.js',
            'functions/routes.js',
        ]);
        const itemById = app.functions.get('itemById');
        expect(itemById?.trigger.binding).toMatchObject({
            type: 'httpTrigger',
            direction: 'in',
            route: 'items/{id:int}',
            methods: ['GET'],
        });
        expect(itemById?.trigger.name).toBe(itemById?.trigger.binding.name);
        expect(itemById?.bindings.$return).toMatchObject({ type: 'http', direction: 'out', name: '$return' });

        const client = app.functions.get('startSomething');
        const inputs = Object.values(client?.bindings ?? {}).filter(
            (b) => b.direction === 'in' && b.type === 'durableClient',
        );
        expect(inputs).toHaveLength(1);
        expect(app.functions.get('double')?.trigger.binding.type).toBe('activityTrigger');
        expect(app.functions.get('tick')?.trigger.binding).toMatchObject({
            type: 'timerTrigger',
            schedule: '0 */5 * * * *',
        });
    });

    it('merges local.settings.json Values into the environment without overriding what is set', () => {
        expect(process.env.FIXTURE_FROM_FILE).toBe('from-file');
        expect(process.env.FIXTURE_PRESET).toBe('from-environment');
        expect(process.env.FIXTURE_NUMBER).toBe('42');
    });

    it('runs appStart hooks during load', () => {
        expect((globalThis as { __fixtureHookEvents?: string[] }).__fixtureHookEvents?.[0]).toBe('appStart');
    });

    it('refuses registrations and setup changes after start-up, as the worker and library do', () => {
        const { app: functionsApp } = appRequire('@azure/functions') as typeof import('@azure/functions');
        expect(() => functionsApp.get('late', { handler: async () => ({}) })).toThrow(
            'A function can only be registered during app startup.',
        );
        expect(() => functionsApp.setup({ enableHttpStream: true })).toThrow(/after app startup/);
        expect(app.functions.has('late')).toBe(false);
    });

    it('rejects unknown hook names with a system RangeError', () => {
        const core = appRequire('@azure/functions-core') as { registerHook(name: string, cb: () => void): unknown };
        let thrown: unknown;
        try {
            core.registerHook('notAHook', () => undefined);
        } catch (error) {
            thrown = error;
        }
        expect(thrown).toBeInstanceOf(RangeError);
        expect((thrown as { isAzureFunctionsSystemError?: boolean }).isAzureFunctionsSystemError).toBe(true);
    });

    it('refuses to load a second app in the same process', async () => {
        await expect(loadApp(fixtureAppDir('esm-prefix'))).rejects.toThrow(/one app per process/);
    });
});

describe('invoke', () => {
    it('invokes a non-HTTP trigger with string-typed data and returns typed data', async () => {
        const trigger = app.functions.get('double')?.trigger.name ?? '';
        const outcome = await app.invoke({
            functionName: 'double',
            inputData: [{ name: trigger, data: { string: '21' } }],
        });
        expect(outcome).toMatchObject({ status: 'success', returnValue: { int: 42 }, outputData: [] });
        expect(outcome.invocationId).toMatch(/^[0-9a-f-]{36}$/);
    });

    it('keeps a caller-chosen invocation id and runs pre and post hooks around the handler', async () => {
        const trigger = app.functions.get('double')?.trigger.name ?? '';
        const outcome = await app.invoke({
            functionName: 'double',
            invocationId: 'fixed-id',
            inputData: [{ name: trigger, data: { json: '5' } }],
        });
        expect(outcome).toMatchObject({ status: 'success', invocationId: 'fixed-id', returnValue: { int: 10 } });
        const events = (globalThis as { __fixtureHookEvents?: string[] }).__fixtureHookEvents ?? [];
        expect(events.slice(-2)).toEqual(['preInvocation:double', 'postInvocation:double:pre']);
    });

    it('turns a throwing handler and an unknown binding name into failure outcomes', async () => {
        const boomTrigger = app.functions.get('boom')?.trigger.name ?? '';
        const boom = await app.invoke({
            functionName: 'boom',
            inputData: [
                { name: boomTrigger, data: { http: { method: 'GET', url: 'http://localhost/api/boom', headers: {} } } },
            ],
        });
        expect(boom).toMatchObject({ status: 'failure', message: 'kaboom' });
        const wrongName = await app.invoke({
            functionName: 'double',
            inputData: [{ name: 'nope', data: { string: '1' } }],
        });
        expect(wrongName).toMatchObject({
            status: 'failure',
            message: expect.stringContaining('Failed to find binding "nope"'),
        });
        const missing = await app.invoke({ functionName: 'missing', inputData: [] });
        expect(missing).toMatchObject({
            status: 'failure',
            message: expect.stringContaining("'missing' is not registered"),
        });
    });

    it('runs appTerminate hooks once on terminate', async () => {
        await app.terminate();
        await app.terminate();
        const events = (globalThis as { __fixtureHookEvents?: string[] }).__fixtureHookEvents ?? [];
        expect(events.filter((e) => e === 'appTerminate')).toHaveLength(1);
    });
});
