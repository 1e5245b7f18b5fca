import type { HttpRequest } from '@azure/functions';

export type JsonBody =
    | { readonly ok: true; readonly value: unknown }
    | { readonly ok: false; readonly tooLarge: false; readonly reason: string }
    /** Larger than `maxBytes`: not parsed, and not read past the limit. */
    | { readonly ok: false; readonly tooLarge: true; readonly maxBytes: number };

/**
 * Reads a request body as JSON, refusing one over `maxBytes` before it is parsed: by its Content-Length when
 * the client declares one, else while reading, so an oversized body is never held whole. An absent or blank
 * body is `null` (an orchestration started without input), so `curl -X POST` with no data works. The
 * Content-Type is not enforced: `curl -d` sends form encoding by default and would otherwise get a confusing
 * 415 for a perfectly good JSON body.
 */
export async function readJsonBody(request: HttpRequest, maxBytes: number): Promise<JsonBody> {
    const text = await readLimited(request, maxBytes);
    if (text === undefined) {
        return { ok: false, tooLarge: true, maxBytes };
    }
    if (text.trim() === '') {
        return { ok: true, value: null };
    }
    try {
        const value: unknown = JSON.parse(text);
        return { ok: true, value };
    } catch (error) {
        return { ok: false, tooLarge: false, reason: error instanceof Error ? error.message : String(error) };
    }
}

/** The body as UTF-8 text, or undefined once it is known to be over `limit` bytes (the rest is not read). */
async function readLimited(request: HttpRequest, limit: number): Promise<string | undefined> {
    const declared = Number(request.headers.get('content-length') ?? NaN);
    if (Number.isFinite(declared) && declared > limit) return undefined;
    if (request.body === null) return '';
    const chunks: Uint8Array[] = [];
    let size = 0;
    const reader = (request.body as ReadableStream<Uint8Array>).getReader();
    for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        size += value.byteLength;
        if (size > limit) {
            await reader.cancel();
            return undefined;
        }
        chunks.push(value);
    }
    // Decoded as fetch's text() does (UTF-8, a leading byte order mark dropped), which this replaced.
    return new TextDecoder().decode(Buffer.concat(chunks));
}
