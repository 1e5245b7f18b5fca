import http from 'node:http';
import { Readable } from 'node:stream';
import type { TypedData } from '../../shared/host-contracts';
import type { RouteValues } from './route-template';

/** Headers that describe one hop; the proxy connection has its own. */
const hopByHop = new Set([
    'connection',
    'keep-alive',
    'transfer-encoding',
    'upgrade',
    'proxy-connection',
    'te',
    'trailer',
    'host',
]);

/**
 * Trigger metadata the host sends for a streamed HTTP invocation: the library takes request headers from
 * `Headers` and route parameters from every other string-valued key (it ignores `Query`).
 */
export function streamTriggerMetadata(request: Request, params: RouteValues): Record<string, TypedData> {
    const url = new URL(request.url);
    const metadata: Record<string, TypedData> = {
        Headers: { json: JSON.stringify(Object.fromEntries(request.headers)) },
        Query: { json: JSON.stringify(Object.fromEntries(url.searchParams)) },
    };
    for (const [name, value] of Object.entries(params)) metadata[name] = { string: value };
    return metadata;
}

export interface ProxiedExchange {
    /** Resolves with the library's streamed answer as soon as its headers arrive. */
    readonly response: Promise<Response>;
    /** Gives up on the exchange (the invocation failed or answered nothing). */
    abort(): void;
}

/**
 * Forwards the original request to the library's HTTP proxy (`HttpUri` from getCapabilities), tagged with the
 * invocation id, as the host does for `enableHttpStream` apps. node:http rather than fetch so that the body
 * is neither buffered nor decoded and repeated Set-Cookie headers survive untouched.
 */
export function forwardToStreamProxy(request: Request, proxyUri: string, invocationId: string): ProxiedExchange {
    const original = new URL(request.url);
    const target = new URL(original.pathname + original.search, proxyUri);
    // Only ever talk to this machine: the library listens on all interfaces and names it `localhost`.
    target.hostname = '127.0.0.1';
    const headers: http.OutgoingHttpHeaders = {};
    for (const [name, value] of request.headers) {
        if (!hopByHop.has(name) && name !== 'content-length') headers[name] = value;
    }
    headers['x-ms-invocation-id'] = invocationId;
    headers['x-forwarded-proto'] = original.protocol.replace(/:$/, '');
    headers['x-forwarded-host'] = original.host;

    const proxyRequest = http.request(target, { method: request.method, headers });
    const response = new Promise<Response>((resolve, reject) => {
        proxyRequest.on('error', reject);
        proxyRequest.on('response', (incoming) => {
            const responseHeaders = new Headers();
            for (let i = 0; i + 1 < incoming.rawHeaders.length; i += 2) {
                const name = incoming.rawHeaders[i] ?? '';
                if (!hopByHop.has(name.toLowerCase())) responseHeaders.append(name, incoming.rawHeaders[i + 1] ?? '');
            }
            const status = incoming.statusCode ?? 500;
            const noBody = request.method === 'HEAD' || [204, 205, 304].includes(status);
            const body = noBody ? null : (Readable.toWeb(incoming) as ReadableStream<Uint8Array>);
            if (noBody) incoming.resume();
            resolve(new Response(body, { status, headers: responseHeaders }));
        });
    });

    if (request.body && request.method !== 'GET' && request.method !== 'HEAD') {
        const source = Readable.fromWeb(request.body as import('node:stream/web').ReadableStream<Uint8Array>);
        source.on('error', (error) => proxyRequest.destroy(error));
        source.pipe(proxyRequest);
    } else {
        proxyRequest.end();
    }
    return {
        response,
        abort: () => {
            proxyRequest.destroy();
        },
    };
}
