import { errorMessage } from '../../../shared/errors';
import { errorResponse } from './responses';

export type JsonBody = { ok: true; text: string | null } | { ok: false; response: Response };

/**
 * A request body that must be JSON, kept as JSON text (inputs and event data are stored as text): `null` for an
 * empty body, or the extension's 400 "Invalid JSON content" when the text does not parse.
 */
export async function readJsonBody(request: Request): Promise<JsonBody> {
    const text = await readLimited(request, MAX_BODY_BYTES);
    if (text === undefined) {
        return {
            ok: false,
            response: errorResponse(413, 'Request body too large', {
                message: `The body is larger than ${MAX_BODY_BYTES} bytes, the Functions host's request limit.`,
                type: 'System.InvalidOperationException',
            }),
        };
    }
    if (text.trim() === '') return { ok: true, text: null };
    try {
        JSON.parse(text);
    } catch (error) {
        return {
            ok: false,
            response: errorResponse(400, 'Invalid JSON content', {
                message: errorMessage(error),
                type: 'Newtonsoft.Json.JsonReaderException',
            }),
        };
    }
    return { ok: true, text };
}

/**
 * The Functions host refuses request bodies over 100 MB (FUNCTIONS_REQUEST_BODY_SIZE_LIMIT's default) with 413;
 * the devhost does the same instead of reading any size into memory.
 */
export const MAX_BODY_BYTES = 100 * 1024 * 1024;

/** The body as text, or undefined once it grows past `limit` bytes (the rest is not read). */
async function readLimited(request: Request, limit: number): Promise<string | undefined> {
    const declared = Number(request.headers.get('content-length') ?? NaN);
    if (Number.isFinite(declared) && declared > limit) return undefined;
    if (!request.body) return '';
    const chunks: Uint8Array[] = [];
    let size = 0;
    const reader = request.body.getReader();
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
    return Buffer.concat(chunks).toString('utf8');
}
