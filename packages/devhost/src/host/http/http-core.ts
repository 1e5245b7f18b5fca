import { randomUUID } from 'node:crypto';
import { errorMessage } from '../../shared/errors';
import type {
    HostExtension,
    HostLogger,
    InvocationOutcome,
    ParameterBinding,
    RegisteredFunction,
    TypedData,
} from '../../shared/host-contracts';
import type { DevhostApp } from '../worker/load-app';
import type { KeyCheck } from './key-check';
import type { RouteMatch, RouteTable } from './route-table';
import { fromRpcHttpResponse, toRpcHttpRequest } from './rpc-http';
import { forwardToStreamProxy, streamTriggerMetadata } from './stream-proxy';

export type FetchHandler = (request: Request) => Promise<Response>;

export interface HttpCoreOptions {
    readonly app: DevhostApp;
    readonly routes: RouteTable;
    readonly extensions: readonly HostExtension[];
    readonly logger: HostLogger;
    /** The origin extensions should point clients back to; the request's own origin when absent. */
    readonly origin?: () => string | undefined;
    /** How long a streamed invocation that succeeded may take to deliver its response headers. */
    readonly streamResponseGraceMs?: number;
    /** Function-key checks for the app's routes; absent, every route is anonymous (as under Core Tools). */
    readonly keyCheck?: KeyCheck;
}

/** The host's answer to a failed invocation: 500 with an empty body (details go to the log, not the client). */
function internalServerError(): Response {
    return new Response(null, { status: 500 });
}

/**
 * The host's HTTP pipeline as a fetch-style function: extensions' routes first (e.g. the Durable webhooks),
 * then the app's HTTP triggers by route template and method (401 when keys are checked and the request has no
 * valid one); anything else is a 404 with an empty body.
 */
export function createHttpCore(options: HttpCoreOptions): FetchHandler {
    const { app, routes, extensions, logger } = options;

    function logFailure(fn: RegisteredFunction, outcome: Extract<InvocationOutcome, { status: 'failure' }>): void {
        logger.log({
            level: 'error',
            category: 'host',
            message: `Executed 'Functions.${fn.name}' (Failed, Id=${outcome.invocationId}) ${outcome.stack ?? outcome.message}`,
            functionName: fn.name,
            invocationId: outcome.invocationId,
        });
    }

    async function invokeBuffered(request: Request, match: RouteMatch): Promise<Response> {
        const { fn } = match.route;
        const http = await toRpcHttpRequest(request, match.params);
        // Other inputs (durableClient, blobs, ...) are added by the binding pipeline around app.invoke.
        const inputData: ParameterBinding[] = [{ name: fn.trigger.name, data: { http } }];
        const outcome = await app.invoke({ functionName: fn.name, inputData, invocationId: randomUUID() });
        // A failed invocation is already logged (with its invocation id) by the app's invoke.
        if (outcome.status === 'failure') return internalServerError();
        try {
            return fromRpcHttpResponse(httpResult(fn, outcome));
        } catch (error) {
            logFailure(fn, { status: 'failure', invocationId: outcome.invocationId, message: errorMessage(error) });
            return internalServerError();
        }
    }

    async function invokeStreaming(request: Request, match: RouteMatch, proxyUri: string): Promise<Response> {
        const { fn } = match.route;
        const invocationId = randomUUID();
        const inputData: ParameterBinding[] = [
            // The library ignores this in stream mode and reads the proxied request instead.
            { name: fn.trigger.name, data: { http: { method: request.method, url: request.url } } },
        ];
        const invocation = app.invoke({
            functionName: fn.name,
            inputData,
            triggerMetadata: streamTriggerMetadata(request, match.params),
            invocationId,
        });
        const exchange = forwardToStreamProxy(request, proxyUri, invocationId);
        type First =
            | { kind: 'response'; response: Response }
            | { kind: 'proxyError'; error: unknown }
            | { kind: 'outcome'; outcome: InvocationOutcome };
        const proxied: Promise<First> = exchange.response.then(
            (response) => ({ kind: 'response', response }),
            (error: unknown) => ({ kind: 'proxyError', error }),
        );
        const first = await Promise.race([
            proxied,
            invocation.then((outcome): First => ({ kind: 'outcome', outcome })),
        ]);
        if (first.kind === 'response') return first.response;
        if (first.kind === 'proxyError') {
            logger.error(
                `HTTP stream proxy for '${fn.name}' (Id=${invocationId}) failed: ${errorMessage(first.error)}`,
            );
            return internalServerError();
        }
        if (first.outcome.status === 'failure') {
            exchange.abort();
            return internalServerError();
        }
        // The library writes the proxied response before the invocation completes, so its headers are at most
        // in flight; if none come, the handler returned nothing.
        const grace = new Promise<undefined>((resolve) => {
            setTimeout(() => resolve(undefined), options.streamResponseGraceMs ?? 2_000).unref();
        });
        const late = await Promise.race([proxied, grace]);
        if (late?.kind === 'response') return late.response;
        exchange.abort();
        return new Response(null, { status: 204 });
    }

    return async (request) => {
        try {
            for (const extension of extensions) {
                const answer = await extension.handleHttp?.(request);
                if (answer) return answer;
            }
            const match = routes.match(request.method, new URL(request.url).pathname);
            if (!match) return new Response(null, { status: 404 });
            // The host rejects a request without a valid key before the function runs, with an empty body.
            if (options.keyCheck && !options.keyCheck(match.route, request)) return new Response(null, { status: 401 });
            return app.httpStreamUri
                ? await invokeStreaming(request, match, app.httpStreamUri)
                : await invokeBuffered(request, match);
        } catch (error) {
            logger.error(
                `Request ${request.method} ${request.url} failed in the host: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
            );
            return internalServerError();
        }
    };
}

/** The HTTP output of an invocation: `$return`, or the first `http` output binding when there is no `$return`. */
function httpResult(
    fn: RegisteredFunction,
    outcome: Extract<InvocationOutcome, { status: 'success' }>,
): TypedData | undefined {
    if (fn.bindings.$return) return outcome.returnValue;
    const output = Object.entries(fn.bindings).find(
        ([, b]) => b.direction === 'out' && b.type.toLowerCase() === 'http',
    );
    return output ? outcome.outputData.find((o) => o.name === output[0])?.data : outcome.returnValue;
}
