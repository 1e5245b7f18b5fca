/**
 * The durable-functions SDK's client calls (`startNew`, `getStatus`, `raiseEvent`, ...) answered in memory.
 *
 * On Azure the SDK's DurableClient sends every operation over HTTP to the extension's local RPC endpoint
 * (`rpcBaseUrl` of the durableClient binding, docs/protocol.md §9), with axios. Here that endpoint is this
 * process: each call would cost an HTTP request on both sides of a loopback socket (a profile of an order
 * shows it: two such calls per order, each a client request, a server request and their syscalls). So the
 * extension gives the app's copy of axios an adapter that hands requests for this host's RPC base straight
 * to the Durable HTTP API as `Request` objects, and passes every other request to the adapter axios would
 * have used. The API sees the same method, URL, headers and body; the SDK gets the same status, headers and
 * body text, which axios parses as it parses a socket response.
 *
 * axios resolves a client's adapter when it sends, from the defaults its `create` copied, so the adapter is
 * installed on `defaults` before the first invocation (clients are created per invocation) and removed when
 * the last host that registered a base stops. An app whose durable-functions is not found, or not on axios,
 * keeps the HTTP path.
 */
import { createRequire } from 'node:module';
import path from 'node:path';

/** The part of an axios request config the adapter reads (axios 1.x). */
interface AxiosConfigLike {
    url?: string;
    baseURL?: string;
    method?: string;
    headers?: unknown;
    data?: unknown;
    validateStatus?: ((status: number) => boolean) | null;
}

interface AxiosResponseLike {
    data: string;
    status: number;
    statusText: string;
    headers: Record<string, string>;
    config: AxiosConfigLike;
    request: object;
}

type AxiosAdapter = (config: AxiosConfigLike) => Promise<unknown>;

/** The part of the axios module this uses: its defaults, adapter lookup and error class. */
interface AxiosModuleLike {
    defaults: { adapter?: unknown };
    getAdapter(adapters: unknown): AxiosAdapter;
    AxiosError: new (
        message: string,
        code: string,
        config: AxiosConfigLike,
        request: object,
        response: object,
    ) => Error;
}

export type RpcHandler = (request: Request) => Promise<Response>;

interface Installed {
    readonly original: unknown;
    readonly bases: Map<string, RpcHandler>;
}

const installed = new WeakMap<AxiosModuleLike, Installed>();

/**
 * Routes the app's SDK calls to `rpcBaseUrl` (ending in `/`) to `handle`; returns the function that undoes
 * it, or undefined when the app's durable-functions or its axios cannot be found.
 */
export function answerSdkRpcInMemory(appDir: string, rpcBaseUrl: string, handle: RpcHandler): (() => void) | undefined {
    const axios = appAxios(appDir);
    if (!axios) return undefined;
    let state = installed.get(axios);
    if (!state) {
        const created: Installed = { original: axios.defaults.adapter, bases: new Map() };
        axios.defaults.adapter = inMemoryAdapter(axios, created);
        installed.set(axios, created);
        state = created;
    }
    state.bases.set(rpcBaseUrl, handle);
    const own = state;
    return () => {
        if (own.bases.get(rpcBaseUrl) !== handle) return;
        own.bases.delete(rpcBaseUrl);
        if (own.bases.size > 0 || installed.get(axios) !== own) return;
        axios.defaults.adapter = own.original;
        installed.delete(axios);
    };
}

/** The axios module the app's durable-functions requires, or undefined. */
function appAxios(appDir: string): AxiosModuleLike | undefined {
    try {
        const durableFunctions = createRequire(path.join(appDir, 'package.json')).resolve(
            'durable-functions/package.json',
        );
        const required: unknown = createRequire(durableFunctions)('axios');
        return isAxiosModule(required) ? required : undefined;
    } catch {
        return undefined;
    }
}

function isAxiosModule(value: unknown): value is AxiosModuleLike {
    if (typeof value !== 'function' && (typeof value !== 'object' || value === null)) return false;
    const candidate = value as Partial<AxiosModuleLike>;
    return (
        typeof candidate.getAdapter === 'function' &&
        typeof candidate.AxiosError === 'function' &&
        typeof candidate.defaults === 'object' &&
        candidate.defaults !== null
    );
}

function inMemoryAdapter(axios: AxiosModuleLike, state: Installed): AxiosAdapter {
    return async (config) => {
        const url = absoluteUrl(config);
        const handle = url === undefined ? undefined : [...state.bases].find(([base]) => url.startsWith(base))?.[1];
        if (url === undefined || !handle) return axios.getAdapter(state.original)(config);
        const method = (config.method ?? 'get').toUpperCase();
        const body = method === 'GET' || method === 'HEAD' ? undefined : requestBody(config.data);
        const response = await handle(new Request(url, { method, headers: requestHeaders(config.headers), body }));
        const answered: AxiosResponseLike = {
            data: await response.text(),
            status: response.status,
            statusText: response.statusText,
            headers: Object.fromEntries(response.headers),
            config,
            request: {},
        };
        // What axios's own adapters do before resolving (its `settle`).
        if (config.validateStatus && !config.validateStatus(answered.status)) {
            throw new axios.AxiosError(
                `Request failed with status code ${answered.status}`,
                answered.status >= 500 ? 'ERR_BAD_RESPONSE' : 'ERR_BAD_REQUEST',
                config,
                answered.request,
                answered,
            );
        }
        return answered;
    };
}

/** The request's URL, or undefined when it is not absolute (axios's own adapter reports that as it does). */
function absoluteUrl(config: AxiosConfigLike): string | undefined {
    try {
        return new URL(config.url ?? '', config.baseURL).toString();
    } catch {
        return undefined;
    }
}

function requestBody(data: unknown): string | Uint8Array | undefined {
    if (data === undefined || data === null) return undefined;
    if (typeof data === 'string' || data instanceof Uint8Array) return data;
    return JSON.stringify(data);
}

/** axios keeps headers in an AxiosHeaders object (toJSON gives the plain ones); unset ones are null. */
function requestHeaders(headers: unknown): Headers {
    const plain: unknown =
        typeof headers === 'object' && headers !== null && 'toJSON' in headers && typeof headers.toJSON === 'function'
            ? (headers.toJSON as () => unknown).call(headers)
            : headers;
    const result = new Headers();
    if (typeof plain !== 'object' || plain === null) return result;
    for (const [name, value] of Object.entries(plain)) {
        if (value === undefined || value === null || value === false) continue;
        result.set(name, Array.isArray(value) ? value.join(', ') : String(value));
    }
    return result;
}
