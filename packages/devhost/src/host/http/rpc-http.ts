import { z } from 'zod';
import type { TypedData } from '../../shared/host-contracts';
import type { RouteValues } from './route-template';
import { formatSetCookie, rpcHttpCookieSchema } from './set-cookie';

/** The RpcHttp request the host sends for an HTTP trigger (the fields `@azure/functions` reads). */
export interface RpcHttpRequest {
    method: string;
    /** Absolute: the library feeds it to a WHATWG Request. Its query string carries repeated values intact. */
    url: string;
    headers: Record<string, string>;
    nullableHeaders: Record<string, { value: string }>;
    params: Record<string, string>;
    nullableParams: Record<string, { value: string }>;
    body?: TypedData;
}

/**
 * Builds the RpcHttp data from a fetch Request. No `query` map on purpose: the library would rebuild the
 * query from it with one value per key, while the URL keeps `?q=1&q=2`.
 */
export async function toRpcHttpRequest(request: Request, params: RouteValues): Promise<RpcHttpRequest> {
    const headers: Record<string, string> = {};
    const nullableHeaders: Record<string, { value: string }> = {};
    for (const [name, value] of request.headers) {
        headers[name] = value;
        nullableHeaders[name] = { value };
    }
    const nullableParams: Record<string, { value: string }> = {};
    for (const [name, value] of Object.entries(params)) nullableParams[name] = { value };
    const rpc: RpcHttpRequest = {
        method: request.method,
        url: request.url,
        headers,
        nullableHeaders,
        params: { ...params },
        nullableParams,
    };
    if (request.method !== 'GET' && request.method !== 'HEAD' && request.body) {
        const bytes = new Uint8Array(await request.arrayBuffer());
        if (bytes.byteLength > 0) rpc.body = { bytes };
    }
    return rpc;
}

const typedBodySchema = z
    .object({
        bytes: z.instanceof(Uint8Array).nullish(),
        stream: z.instanceof(Uint8Array).nullish(),
        string: z.string().nullish(),
        json: z.string().nullish(),
    })
    .loose();

const rpcHttpResponseSchema = z
    .object({
        statusCode: z.union([z.string(), z.number()]).nullish(),
        headers: z.record(z.string(), z.string()).nullish(),
        cookies: z.array(rpcHttpCookieSchema).nullish(),
        body: typedBodySchema.nullish(),
    })
    .loose();

/** Headers the server recomputes for the bytes it actually sends. */
const recomputedHeaders = new Set(['content-length', 'transfer-encoding', 'connection', 'keep-alive']);
const nullBodyStatuses = new Set([101, 103, 204, 205, 304]);

function bodyBytes(body: z.infer<typeof typedBodySchema> | null | undefined): Uint8Array | undefined {
    if (!body) return undefined;
    if (body.bytes) return body.bytes;
    if (body.stream) return body.stream;
    if (typeof body.string === 'string') return new TextEncoder().encode(body.string);
    if (typeof body.json === 'string') return new TextEncoder().encode(body.json);
    return undefined;
}

/**
 * Writes an RpcHttp response back as a fetch Response: status, headers, body bytes, and every cookie of
 * the `cookies` array as its own Set-Cookie (the library's header map only keeps the last `set-cookie`).
 * `undefined` (the handler returned nothing) answers 204, as the host does for an empty HTTP result.
 */
export function fromRpcHttpResponse(data: TypedData | undefined): Response {
    if (!data || data.http === undefined || data.http === null) return new Response(null, { status: 204 });
    const http = rpcHttpResponseSchema.parse(data.http);
    const status =
        http.statusCode === undefined || http.statusCode === null || http.statusCode === ''
            ? 200
            : Number(http.statusCode);
    if (!Number.isInteger(status) || status < 200 || status > 599) {
        throw new Error(`The function returned an invalid HTTP status code '${String(http.statusCode)}'.`);
    }
    const headers = new Headers();
    for (const [name, value] of Object.entries(http.headers ?? {})) {
        if (!recomputedHeaders.has(name.toLowerCase())) headers.append(name, value);
    }
    for (const cookie of http.cookies ?? []) headers.append('set-cookie', formatSetCookie(cookie));
    const bytes = nullBodyStatuses.has(status) ? undefined : bodyBytes(http.body);
    return new Response(bytes && bytes.byteLength > 0 ? bytes : null, { status, headers });
}
