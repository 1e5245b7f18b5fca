/**
 * The slice of the `@azure/functions-core` contract that `@azure/functions` v4 and durable-functions use.
 * The official `types-core` package is not shipped in node_modules, so these are our own minimal types,
 * written from the contract the library compiles against (see docs/protocol.md §13).
 */
import type { BindingInfo, LogLevel, ParameterBinding, TypedData } from '../../shared/host-contracts';

export interface CoreFunctionMetadata {
    name: string;
    functionId?: string;
    bindings: Record<string, BindingInfo>;
    retryOptions?: unknown;
}

export type FunctionCallback = (...args: unknown[]) => unknown;

export interface RpcInvocationRequest {
    invocationId: string;
    functionId: string;
    inputData: ParameterBinding[];
    triggerMetadata: Record<string, TypedData>;
}

export type InvocationState = 'preInvocationHooks' | 'invocation' | 'postInvocationHooks';

export interface CoreInvocationContext {
    invocationId: string;
    request: RpcInvocationRequest;
    metadata: CoreFunctionMetadata;
    state?: InvocationState;
    log(level: string, category: string, message: string): void;
}

export interface InvocationArguments {
    context: unknown;
    inputs: unknown[];
}

export interface RpcInvocationResponse {
    invocationId?: string;
    outputData?: ParameterBinding[] | null;
    returnValue?: TypedData | null;
}

export interface InvocationModel {
    getArguments(): Promise<InvocationArguments>;
    invokeFunction(context: unknown, inputs: unknown[], callback: FunctionCallback): Promise<unknown>;
    getResponse(context: unknown, result: unknown): Promise<RpcInvocationResponse>;
}

export type WorkerCapabilities = Record<string, string>;

export interface ProgrammingModel {
    name: string;
    version: string;
    getInvocationModel(context: CoreInvocationContext): InvocationModel | Promise<InvocationModel>;
    getCapabilities?(capabilities: WorkerCapabilities): WorkerCapabilities | Promise<WorkerCapabilities>;
}

export type HookName = 'appStart' | 'appTerminate' | 'preInvocation' | 'postInvocation' | 'log';

/** Hook contexts are plain mutable objects: the library's wrappers write `inputs`, `result`, ... back into them. */
export interface HookContextBase {
    hookData: Record<string, unknown>;
    appHookData: Record<string, unknown>;
}

export interface PreInvocationHookContext extends HookContextBase {
    invocationContext: unknown;
    inputs: unknown[];
    functionCallback: FunctionCallback;
}

export interface PostInvocationHookContext extends HookContextBase {
    invocationContext: unknown;
    inputs: unknown[];
    result: unknown;
    error: unknown;
}

export interface AppStartHookContext extends HookContextBase {
    functionAppDirectory: string;
}

export type AppTerminateHookContext = HookContextBase;

export interface LogHookContext extends HookContextBase {
    level: LogLevel;
    category: string;
    message: string;
    invocationContext?: unknown;
}

export type HookCallback = (context: unknown) => unknown;
