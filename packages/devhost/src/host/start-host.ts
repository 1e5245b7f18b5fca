import { errorMessage } from '../shared/errors';
import type { HostExtension, HostContext, HostLogger } from '../shared/host-contracts';
import { withBindings } from './bindings/invocation-bindings';
import { createConsoleLogger } from './console-logger';
import { describeFunctions } from './function-listing';
import { hasAnyKey, type FunctionKeys } from './http/function-keys';
import { createHttpCore } from './http/http-core';
import { createKeyCheck } from './http/key-check';
import { listen, type NodeServer } from './http/node-adapter';
import { RouteTable } from './http/route-table';
import { httpRoutePrefix } from './worker/app-manifest';
import { loadApp, type DevhostApp, type LoadAppOptions } from './worker/load-app';

export interface StartHostOptions {
    appDir: string;
    /** 0 picks a free port. */
    port: number;
    /** Interface to bind; `127.0.0.1` by default. */
    hostname?: string;
    extensions?: readonly HostExtension[];
    logger?: HostLogger;
    /**
     * Start even if a function uses a trigger or binding no extension handles (each is logged as a warning, and
     * an invocation that needs one fails naming it). Without it such an app is refused at start.
     */
    allowUnsupported?: boolean;
    /**
     * Check function keys on the app's routes with these keys (`devhost start --enable-auth`). Absent, every
     * route is anonymous, as Core Tools treats local requests unless started with --enableAuth.
     */
    functionKeys?: FunctionKeys;
    /** Registers the functions in this process instead of loading package.json `main` (load-app.ts). */
    register?: () => unknown;
    /** Changes host.json as read (load-app.ts). */
    hostJson?: LoadAppOptions['hostJson'];
    /**
     * false: no socket at all, only `fetch` (the testing toolkit). The origin in URLs the host hands out is then
     * `http://devhost.invalid` (a name that never resolves, RFC 2606), which `fetch` accepts.
     */
    listen?: boolean;
}

/** The origin of a host that does not listen (`listen: false`). */
export const IN_MEMORY_ORIGIN = 'http://devhost.invalid';

export interface RunningHost {
    /** e.g. `http://127.0.0.1:7071`, no trailing slash. */
    readonly origin: string;
    readonly port: number;
    readonly app: DevhostApp;
    readonly routes: RouteTable;
    /**
     * The host's HTTP pipeline called in memory, without a socket: what a request to `origin` answers, for
     * callers in this process (tests) where HTTP framing is not the point. Relative URLs resolve against
     * `origin`. The app's own calls to the host (the Durable client's RPC) still go over the socket.
     */
    fetch(input: string | URL | Request, init?: RequestInit): Promise<Response>;
    /** Stops extensions, runs appTerminate hooks and closes the server. Safe to call twice. */
    close(): Promise<void>;
}

/** Thrown when the port is taken, so the CLI can say so in one line. */
export class PortInUseError extends Error {
    constructor(readonly port: number) {
        super(
            `Port ${port} is unavailable. Close the process using that port, or specify another port using --port [-p].`,
        );
        this.name = 'PortInUseError';
    }
}

/** Thrown when the app uses triggers or bindings the devhost does not run, so the CLI can list them. */
export class UnsupportedBindingsError extends Error {
    constructor(readonly problems: readonly string[]) {
        super(
            `The app uses what the devhost does not run:\n${problems.map((p) => `  - ${p}`).join('\n')}\n` +
                'Start with --allow-unsupported to run the rest anyway.',
        );
        this.name = 'UnsupportedBindingsError';
    }
}

/**
 * Loads the app, serves its HTTP functions, starts the extensions and prints the function list, in the order
 * the Functions host does. Requests that arrive before the extensions are started wait for them.
 */
export async function startHost(options: StartHostOptions): Promise<RunningHost> {
    const logger = options.logger ?? createConsoleLogger();
    const hostname = options.hostname ?? '127.0.0.1';
    const extensions = options.extensions ?? [];
    const loaded = await loadApp(options.appDir, {
        logger,
        ...(options.register ? { register: options.register } : {}),
        ...(options.hostJson ? { hostJson: options.hostJson } : {}),
    });
    const routes = new RouteTable(loaded.functions.values(), httpRoutePrefix(loaded.hostJson));
    const listing = describeFunctions(loaded.functions.values(), routes.routes, extensions, 'http://localhost');
    if (listing.unsupported.length > 0 && options.allowUnsupported !== true) {
        await loaded.terminate();
        throw new UnsupportedBindingsError(listing.unsupported);
    }

    let origin: string | undefined;
    const app = withBindings(loaded, { extensions, origin: () => origin ?? '' });
    let markReady: () => void = () => undefined;
    const ready = new Promise<void>((resolve) => (markReady = resolve));
    const keyCheck = options.functionKeys ? createKeyCheck(options.functionKeys) : undefined;
    const core = createHttpCore({ app, routes, extensions, logger, origin: () => origin, keyCheck });

    let server: Pick<NodeServer, 'port' | 'close'>;
    try {
        server =
            options.listen === false
                ? { port: 0, close: () => Promise.resolve() }
                : await listen(
                      async (request) => {
                          await ready;
                          return core(request);
                      },
                      options.port,
                      hostname,
                  );
    } catch (error) {
        await app.terminate();
        if (isAddressInUse(error)) throw new PortInUseError(options.port);
        throw error;
    }
    origin =
        options.listen === false
            ? IN_MEMORY_ORIGIN
            : `http://${hostname.includes(':') ? `[${hostname}]` : hostname}:${server.port}`;

    const context: HostContext = { app, origin, logger, env: process.env };
    const started: HostExtension[] = [];
    try {
        for (const extension of extensions) {
            await extension.start(context);
            started.push(extension);
        }
    } catch (error) {
        await stopAll(started, logger);
        await app.terminate();
        await server.close();
        throw error;
    }
    markReady();

    const { lines } = describeFunctions(
        app.functions.values(),
        routes.routes,
        extensions,
        options.listen === false ? IN_MEMORY_ORIGIN : `http://localhost:${server.port}`,
    );
    logger.info('Functions:');
    for (const line of lines) logger.info(`    ${line}`);
    for (const problem of listing.unsupported) logger.warn(`${problem} (allowed by --allow-unsupported)`);
    if (options.functionKeys) describeKeyChecks(options.functionKeys, routes, logger);

    let closing: Promise<void> | undefined;
    return {
        origin,
        port: server.port,
        app,
        routes,
        async fetch(input, init) {
            const request = input instanceof Request ? input : new Request(new URL(input, origin), init);
            try {
                return await core(request);
            } catch {
                return new Response(null, { status: 500 }); // as the socket adapter answers a handler that throws
            }
        },
        close: () =>
            (closing ??= (async () => {
                const serverClosed = server.close(); // stop accepting first; in-flight requests may finish
                await stopAll(started, logger);
                await app.terminate();
                await serverClosed;
            })()),
    };
}

function describeKeyChecks(keys: FunctionKeys, routes: RouteTable, logger: HostLogger): void {
    const keyed = routes.routes.filter((route) => route.authLevel !== 'anonymous').map((route) => route.fn.name);
    if (keyed.length === 0) {
        logger.info('Function keys: checked, but every HTTP function is anonymous.');
    } else if (!hasAnyKey(keys)) {
        logger.warn(
            `Function keys: checked, and no key is configured, so ${keyed.join(', ')} will answer 401. ` +
                'Set DEVHOST_FUNCTION_KEYS or write local.keys.json (docs/deploy.md).',
        );
    } else {
        logger.info(
            `Function keys: required on ${keyed.join(', ')} (x-functions-key header or ?code=; from ${keys.sources.join(' and ')}).`,
        );
    }
}

async function stopAll(extensions: readonly HostExtension[], logger: HostLogger): Promise<void> {
    for (const extension of [...extensions].reverse()) {
        try {
            await extension.stop();
        } catch (error) {
            logger.error(`Extension '${extension.name}' failed to stop: ${errorMessage(error)}`);
        }
    }
}

function isAddressInUse(error: unknown): boolean {
    return typeof error === 'object' && error !== null && 'code' in error && error.code === 'EADDRINUSE';
}
