/**
 * The contract between the devhost's parts: what loading an app yields (seam/), what the HTTP server and
 * the CLI host (http/, cli.ts), and what a trigger extension such as the Durable engine (durable/) plugs in.
 * It mirrors the real split: the Functions host owns loading and HTTP; the Durable extension adds triggers,
 * the durableClient input and its own HTTP routes.
 */

/** Typed data as the worker protocol carries it (the subset of RpcTypedData the libraries read and write). */
export interface TypedData {
    string?: string | null;
    json?: string | null;
    bytes?: Uint8Array | null;
    stream?: Uint8Array | null;
    int?: number | null;
    double?: number | null;
    http?: unknown;
    collectionBytes?: { bytes: Uint8Array[] } | null;
    collectionString?: { string: string[] } | null;
    collectionDouble?: { double: number[] } | null;
    collectionSint64?: { sint64: number[] } | null;
}

export interface ParameterBinding {
    /** The binding name exactly as registered (e.g. `activityTrigger7996c743ef`). */
    name: string;
    data: TypedData;
}

/** One binding of a registered function, as `@azure/functions` passes it to `registerFunction`. */
export interface BindingInfo {
    type: string;
    direction: 'in' | 'out' | 'inout';
    name?: string;
    [option: string]: unknown;
}

export interface RegisteredFunction {
    name: string;
    /** Keyed by binding name; the HTTP return binding is `$return`. */
    bindings: Readonly<Record<string, BindingInfo>>;
    /** The single binding whose type matches /trigger$/i. */
    trigger: { name: string; binding: BindingInfo };
}

export interface InvokeRequest {
    functionName: string;
    /** Trigger value and extra inputs, each under its registered binding name. */
    inputData: ParameterBinding[];
    triggerMetadata?: Record<string, TypedData>;
    /** Generated when absent. */
    invocationId?: string;
}

/** What the worker would send back to the host for one invocation. */
export type InvocationOutcome =
    | { status: 'success'; invocationId: string; returnValue?: TypedData; outputData: ParameterBinding[] }
    | { status: 'failure'; invocationId: string; message: string; stack?: string };

export type LogLevel = 'trace' | 'debug' | 'information' | 'warning' | 'error' | 'critical' | 'none';

export interface LogEntry {
    level: LogLevel;
    /** `user` for `context.log`, `system` for library and host messages. */
    category: string;
    message: string;
    functionName?: string;
    invocationId?: string;
}

export interface HostLogger {
    log(entry: LogEntry): void;
    info(message: string): void;
    warn(message: string): void;
    error(message: string): void;
}

export interface LoadedApp {
    /** Absolute path of the app (the folder holding host.json and package.json). */
    readonly appDir: string;
    /** host.json as parsed, `%Setting%` references left unresolved (resolve with resolveSettingReferences). */
    readonly hostJson: Readonly<Record<string, unknown>>;
    readonly functions: ReadonlyMap<string, RegisteredFunction>;
    invoke(request: InvokeRequest): Promise<InvocationOutcome>;
    /** Runs appTerminate hooks. */
    terminate(): Promise<void>;
}

/** What a running host offers an extension when it starts. */
export interface HostContext {
    readonly app: LoadedApp;
    /** Origin this host serves on, e.g. `http://127.0.0.1:7071` (no trailing slash). */
    readonly origin: string;
    readonly logger: HostLogger;
    readonly env: NodeJS.ProcessEnv;
}

/** What an extension gets when it supplies an input binding for one invocation. */
export interface InputRequest {
    /** Origin this host serves on (clients such as durableClient point back at it). */
    readonly origin: string;
    readonly functionName: string;
    /** Values for `{name}` expressions: route and query values, the trigger's JSON properties and metadata. */
    readonly bindingData: Readonly<Record<string, unknown>>;
}

/** What an extension gets when it writes an output binding after a successful invocation. */
export interface OutputRequest {
    readonly functionName: string;
    readonly bindingData: Readonly<Record<string, unknown>>;
}

/**
 * A trigger extension: serves some trigger types, supplies input and writes output binding types for any
 * function, and may own HTTP routes (checked before the app's routes, as the host's webhooks are).
 */
export interface HostExtension {
    readonly name: string;
    /** Trigger types it runs, e.g. `orchestrationTrigger`, `activityTrigger`. */
    readonly triggerTypes: readonly string[];
    /** Input binding types it can supply, e.g. `durableClient`, `blob`. */
    readonly inputBindingTypes: readonly string[];
    /** Output binding types it writes, e.g. `blob`, `queue`. */
    readonly outputBindingTypes?: readonly string[];
    start(host: HostContext): Promise<void>;
    /**
     * The value of an input binding of one of `inputBindingTypes`: JSON-able data, a string, or bytes
     * (a Buffer/Uint8Array), converted to typed data as the worker protocol carries it.
     */
    provideInput?(binding: BindingInfo, request: InputRequest): unknown;
    /** Writes the value the function set for an output binding of one of `outputBindingTypes`. */
    writeOutput?(binding: BindingInfo, data: TypedData, request: OutputRequest): Promise<void>;
    /** Answer the request, or `undefined` to let the host route it to the app. */
    handleHttp?(request: Request): Promise<Response | undefined>;
    /** Stop taking work; finish or release in-flight work within the host's shutdown bound. */
    stop(): Promise<void>;
}
