import type { HttpRequest } from '@azure/functions';

export type JsonBody = { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly reason: string };

/**
 * Reads a request body as JSON. An absent or blank body is `null` (an orchestration started without input),
 * so `curl -X POST` with no data works. The Content-Type is not enforced: `curl -d` sends form encoding
 * by default and would otherwise get a confusing 415 for a perfectly good JSON body.
 */
export async function readJsonBody(request: HttpRequest): Promise<JsonBody> {
    const text = await request.text();
    if (text.trim() === '') {
        return { ok: true, value: null };
    }
    try {
        const value: unknown = JSON.parse(text);
        return { ok: true, value };
    } catch (error) {
        return { ok: false, reason: error instanceof Error ? error.message : String(error) };
    }
}
