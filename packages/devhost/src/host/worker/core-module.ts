import Module from 'node:module';
import { z } from 'zod';
import { errorMessage } from '../../shared/errors';
import type { LogEntry, LogLevel } from '../../shared/host-contracts';
import type {
    CoreFunctionMetadata,
    FunctionCallback,
    HookCallback,
    LogHookContext,
    ProgrammingModel,
    WorkerCapabilities,
} from './core-types';
import { Disposable } from './disposable';
import { HookRegistry } from './hook-registry';

export const CORE_MODULE_ID = '@azure/functions-core';
/** What we claim to be: a 3.x Node worker under a 4.x host (nothing in the libraries parses these today). */
export const WORKER_VERSION = '3.10.1';
export const HOST_VERSION = '4.1037.0.0';

export interface Registration {
    readonly functionId: string;
    readonly metadata: CoreFunctionMetadata;
    readonly callback: FunctionCallback;
}

const bindingSchema = z.looseObject({
    type: z.string().min(1),
    direction: z.enum(['in', 'out', 'inout']),
    name: z.string().optional(),
});
const metadataSchema = z.looseObject({
    name: z.string().min(1),
    functionId: z.string().min(1).optional(),
    bindings: z.record(z.string(), bindingSchema),
    retryOptions: z.unknown().optional(),
});
const callbackSchema = z.custom<FunctionCallback>((value) => typeof value === 'function', 'expected a function');
const programmingModelSchema = z.looseObject({
    name: z.string(),
    version: z.string(),
    getInvocationModel: z.custom<ProgrammingModel['getInvocationModel']>((v) => typeof v === 'function'),
});
const logLevelSchema = z.enum(['trace', 'debug', 'information', 'warning', 'error', 'critical', 'none']);

/** Worker capabilities the real Node worker advertises before asking the programming model for its own. */
export function defaultWorkerCapabilities(): WorkerCapabilities {
    return {
        RawHttpBodyBytes: 'true',
        RpcHttpTriggerMetadataRemoved: 'true',
        RpcHttpBodyOnly: 'true',
        IgnoreEmptyValuedRpcHttpHeaders: 'true',
        UseNullableValueDictionaryForHttp: 'true',
        WorkerStatus: 'true',
        TypedDataCollection: 'true',
        HandlesWorkerTerminateMessage: 'true',
    };
}

export function toLogLevel(level: unknown): LogLevel {
    const parsed = logLevelSchema.safeParse(level);
    return parsed.success ? parsed.data : 'information';
}

/**
 * The process-wide state behind the fake core module. `@azure/functions` caches the core module and keeps its
 * own module-level state, so there is exactly one of these per process, and one app per process.
 */
class CoreState {
    readonly registrations = new Map<string, Registration>();
    readonly hooks = new HookRegistry();
    /** Shared by every hook of the app, as the worker's `appHookData`. */
    readonly appHookData: Record<string, unknown> = {};
    /** Shared only by appStart and appTerminate hooks. */
    readonly appLevelHookData: Record<string, unknown> = {};
    programmingModel: ProgrammingModel | undefined;
    registrationLocked = false;
    logSink: (entry: LogEntry) => void = (entry) => {
        const line = `[${entry.category}] ${entry.message}`;
        if (entry.level === 'error' || entry.level === 'critical') console.error(line);
        else if (entry.level === 'warning') console.warn(line);
        else if (entry.level !== 'trace' && entry.level !== 'debug') console.log(line);
    };
    #inLogHook = false;

    /** Every log line goes through the `log` hooks (which may rewrite level and message) and then to the sink. */
    emitLog(entry: LogEntry, invocationContext?: unknown): void {
        let final = entry;
        if (!this.#inLogHook && this.hooks.count('log') > 0) {
            const context: LogHookContext = {
                hookData: {},
                appHookData: this.appHookData,
                level: entry.level,
                category: entry.category,
                message: entry.message,
                invocationContext,
            };
            this.#inLogHook = true;
            try {
                this.hooks.runSync('log', context);
                final = { ...entry, level: toLogLevel(context.level), message: String(context.message) };
            } catch (error) {
                this.logSink({
                    level: 'error',
                    category: 'system',
                    message: `A log hook failed: ${errorMessage(error)}`,
                });
            } finally {
                this.#inLogHook = false;
            }
        }
        this.logSink(final);
    }
}

export const coreState = new CoreState();

function registerFunction(metadata: unknown, callback: unknown): Disposable {
    if (coreState.registrationLocked) {
        throw new Error('A function can only be registered during app startup.');
    }
    const parsedMetadata = metadataSchema.parse(metadata);
    const parsedCallback = callbackSchema.parse(callback);
    const functionId = parsedMetadata.functionId ?? parsedMetadata.name;
    if (coreState.registrations.has(functionId)) {
        throw new Error(`A function with the name "${functionId}" has already been registered.`);
    }
    // Keep the library's own object: its InvocationModel reads `bindings` from exactly what it registered.
    coreState.registrations.set(functionId, {
        functionId,
        metadata: metadata as CoreFunctionMetadata,
        callback: parsedCallback,
    });
    return new Disposable(() => {
        if (coreState.registrationLocked) throw new Error('A function can only be disposed during app startup.');
        coreState.registrations.delete(functionId);
    });
}

/** The module object user code receives from `require('@azure/functions-core')`. */
export const coreApi = {
    version: WORKER_VERSION,
    get hostVersion(): string {
        return HOST_VERSION;
    },
    registerFunction,
    registerHook(name: string, callback: HookCallback): Disposable {
        return coreState.hooks.register(name, callbackSchema.parse(callback) as HookCallback);
    },
    setProgrammingModel(model: ProgrammingModel): void {
        programmingModelSchema.parse(model);
        coreState.programmingModel = model;
    },
    getProgrammingModel(): ProgrammingModel | undefined {
        return coreState.programmingModel;
    },
    log(level: string, category: string, message: string): void {
        coreState.emitLog({ level: toLogLevel(level), category: String(category), message: String(message) });
    },
    Disposable,
};

let installed = false;

/**
 * Makes `require('@azure/functions-core')` return `coreApi`, the worker's technique: a proxy over
 * `Module.prototype.require`, so no file on disk is needed. It must run before `@azure/functions` first asks
 * for the module, because the library caches a failed lookup forever (and then silently skips registrations).
 */
export function installCoreModule(): void {
    if (installed) return;
    installed = true;
    const prototype = Module.prototype as { require: (this: unknown, id: string) => unknown };
    prototype.require = new Proxy(prototype.require, {
        apply(target, thisArg: unknown, args: unknown[]): unknown {
            if (args[0] === CORE_MODULE_ID) return coreApi;
            return Reflect.apply(target, thisArg, args);
        },
    });
}
