import { errorResponse } from './responses';
import { errorMessage } from '../../contracts/errors';

export type JsonBody = { ok: true; text: string | null } | { ok: false; response: Response };

/**
 * A request body that must be JSON, kept as JSON text (inputs and event data are stored as text): `null` for an
 * empty body, or the extension's 400 "Invalid JSON content" when the text does not parse.
 */
export async function readJsonBody(request: Request): Promise<JsonBody> {
    const text = await request.text();
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
