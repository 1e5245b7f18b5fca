/**
 * Test-only host for the real durable-functions SDK: a minimal `@azure/functions-core` (installed through
 * Module.prototype.require before the Functions library first asks for it) captures each registered
 * handler, and an invoker calls an orchestration handler the way the worker would, with the binding
 * payload as trigger input. The answer crosses a JSON boundary, as it does over gRPC.
 */
import Module, { createRequire } from 'node:module';
import path from 'node:path';
import type { InvokeOrchestrator, OrchestratorCallResult } from '../extensions/durable/engine';

type CapturedHandler = (triggerInput: unknown, context: unknown) => unknown;
interface FunctionMetadata {
    name: string;
}

const handlers = new Map<string, CapturedHandler>();
let installed = false;

const coreStub = {
    version: '3.10.1',
    hostVersion: '4.1036.1',
    registerFunction(metadata: FunctionMetadata, handler: CapturedHandler): { dispose(): void } {
        handlers.set(metadata.name, handler);
        return { dispose: () => handlers.delete(metadata.name) };
    },
    setProgrammingModel(): void {},
    getProgrammingModel(): undefined {
        return undefined;
    },
    registerHook(): { dispose(): void } {
        return { dispose: () => undefined };
    },
    log(): void {},
};

function installCoreStub(): void {
    if (installed) return;
    installed = true;
    const modulePrototype = Module.prototype as unknown as { require: (this: unknown, id: string) => unknown };
    const original = modulePrototype.require;
    modulePrototype.require = function (this: unknown, id: string): unknown {
        if (id === '@azure/functions-core') return coreStub;
        return original.call(this, id);
    };
}

const projectRequire = createRequire(path.join(process.cwd(), 'package.json'));

/** durable-functions, loaded after the core stub is in place. */
export function loadDurableFunctions(): typeof import('durable-functions') {
    installCoreStub();
    return projectRequire('durable-functions') as typeof import('durable-functions');
}

export function registeredNames(): string[] {
    return [...handlers.keys()];
}

/** Invokes captured orchestration handlers; a throw becomes `{kind:'error'}` as the worker reports it. */
export function sdkInvoker(): InvokeOrchestrator {
    installCoreStub();
    const { InvocationContext } = projectRequire('@azure/functions') as typeof import('@azure/functions');
    return async (functionName, payload): Promise<OrchestratorCallResult> => {
        const handler = handlers.get(functionName);
        if (!handler) return { kind: 'error', message: `Function '${functionName}' is not registered.` };
        try {
            const state = await handler(payload, new InvocationContext({ functionName }));
            return { kind: 'state', state: JSON.parse(JSON.stringify(state)) as unknown };
        } catch (e) {
            if (e instanceof Error)
                return { kind: 'error', message: e.message, ...(e.stack ? { stack: e.stack } : {}) };
            return { kind: 'error', message: String(e) };
        }
    };
}
