/**
 * `BuiltIn::HttpActivity`, the activity behind `context.df.callHttp` (HttpOptions.HttpTaskActivityReservedName).
 * Input: the SDK's DurableHttpRequest; result: DurableHttpResponse `{statusCode, headers, content}`. The engine
 * does the 202 + Location polling; this only performs one request. Managed-identity tokens are not available
 * locally: a request that asks for one fails with a clear error instead of going out unauthenticated.
 */
import { z } from 'zod';

export const HTTP_ACTIVITY_NAME = 'BuiltIn::HttpActivity';

const durableHttpRequestSchema = z.object({
    method: z.string().min(1),
    uri: z.string().url(),
    content: z.string().nullish(),
    headers: z.record(z.string(), z.union([z.string(), z.array(z.string())])).nullish(),
    tokenSource: z.unknown().optional(),
    asynchronousPatternEnabled: z.boolean().optional(),
});

export interface DurableHttpResponse {
    statusCode: number;
    headers: Record<string, string>;
    content: string;
}

export async function runHttpActivity(input: unknown, fetchImpl: typeof fetch = fetch): Promise<DurableHttpResponse> {
    const request = durableHttpRequestSchema.parse(typeof input === 'string' ? (JSON.parse(input) as unknown) : input);
    if (request.tokenSource !== undefined && request.tokenSource !== null) {
        throw new Error('callHttp with a managed identity token source is not supported by the devhost.');
    }
    const headers = new Headers();
    for (const [name, value] of Object.entries(request.headers ?? {})) {
        for (const item of Array.isArray(value) ? value : [value]) headers.append(name, item);
    }
    const method = request.method.toUpperCase();
    const hasBody = request.content !== undefined && request.content !== null && method !== 'GET' && method !== 'HEAD';
    const response = await fetchImpl(request.uri, {
        method,
        headers,
        body: hasBody ? request.content : undefined,
        redirect: 'manual',
    });
    const responseHeaders: Record<string, string> = {};
    response.headers.forEach((value, name) => {
        responseHeaders[name] = value;
    });
    return { statusCode: response.status, headers: responseHeaders, content: await response.text() };
}
