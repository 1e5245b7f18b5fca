/**
 * Response helpers. JSON bodies as the extension writes them (application/json); its error bodies
 * ({Message, ExceptionMessage, ExceptionType} — never a stack trace); and RFC 9457 problem details for the
 * routes the devhost does not serve (entities).
 */
export function jsonResponse(status: number, body: unknown, headers: Record<string, string> = {}): Response {
    return new Response(JSON.stringify(body), {
        status,
        headers: { 'Content-Type': 'application/json; charset=utf-8', ...headers },
    });
}

export function emptyResponse(status: number, headers: Record<string, string> = {}): Response {
    return new Response(null, { status, headers });
}

/** The shape of ASP.NET's HttpError as the extension's CreateErrorResponse produces it, minus StackTrace. */
export function errorResponse(
    status: number,
    message: string,
    exception?: { message: string; type: string },
): Response {
    const body: Record<string, string> = { Message: message };
    if (exception) {
        body.ExceptionMessage = exception.message;
        body.ExceptionType = exception.type;
    }
    return jsonResponse(status, body);
}

export function problemResponse(status: number, title: string, detail: string, instance?: string): Response {
    const body: Record<string, string | number> = { type: 'about:blank', title, status, detail };
    if (instance !== undefined) body.instance = instance;
    return new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/problem+json' } });
}
