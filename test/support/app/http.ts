import { HttpRequest, type HttpResponse, InvocationContext } from '@azure/functions';

/** A real HttpRequest as the Functions runtime would hand it over. */
export function httpRequest(init: {
    method: string;
    path: string;
    params: Record<string, string>;
    body?: string;
    headers?: Record<string, string>;
}): HttpRequest {
    return new HttpRequest({
        method: init.method,
        url: `http://localhost:7071${init.path}`,
        params: init.params,
        headers: init.headers ?? {},
        ...(init.body === undefined ? {} : { body: { string: init.body } }),
    });
}

/** An InvocationContext whose log lines are kept for assertions instead of printed. */
export function quietContext(functionName: string): {
    context: InvocationContext;
    logs: { level: string; text: string }[];
} {
    const logs: { level: string; text: string }[] = [];
    const context = new InvocationContext({
        functionName,
        logHandler: (level, ...args) => logs.push({ level, text: args.map(String).join(' ') }),
    });
    return { context, logs };
}

/** Reads a handler's response: status, content type and parsed JSON body. */
export async function readResponse(
    response: HttpResponse,
): Promise<{ status: number; contentType: string | null; body: unknown }> {
    const text = await response.text();
    return {
        status: response.status,
        contentType: response.headers.get('content-type'),
        body: text === '' ? null : JSON.parse(text),
    };
}
