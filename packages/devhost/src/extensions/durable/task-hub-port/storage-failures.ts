/**
 * Which failures of a storage call pass by themselves. An outage (the account unreachable, a connection
 * reset, a timeout, throttling, a 5xx) says nothing about the work that was being done: the work waits and
 * tries again, however long the outage lasts, and never counts towards setting a message aside as poison.
 * Anything else (a 4xx such as an entity too large, a row that fails its schema, a missing blob) repeats on
 * every attempt: it is the work's own failure.
 *
 * Read from the error's shape, as every Azure SDK and Node's own sockets report it (`statusCode`, `code`), so
 * the runtime need not know which SDK the adapter uses. A `cause` is followed: a wrapped outage is an outage.
 */

/** Node's and the SDKs' codes for a request that got no answer. */
const UNANSWERED_CODES: ReadonlySet<string> = new Set([
    'ECONNRESET',
    'ECONNREFUSED',
    'ECONNABORTED',
    'ETIMEDOUT',
    'EPIPE',
    'EAI_AGAIN',
    'ENOTFOUND',
    'ENETUNREACH',
    'EHOSTUNREACH',
    'ENETDOWN',
    'REQUEST_SEND_ERROR',
    'UND_ERR_SOCKET',
    'UND_ERR_CONNECT_TIMEOUT',
    'UND_ERR_HEADERS_TIMEOUT',
    'UND_ERR_BODY_TIMEOUT',
]);

export function isTransientStorageFailure(error: unknown, depth = 0): boolean {
    if (typeof error !== 'object' || error === null || depth > 5) return false;
    const status: unknown = Reflect.get(error, 'statusCode');
    if (typeof status === 'number') return status === 408 || status === 429 || status >= 500;
    const code: unknown = Reflect.get(error, 'code');
    if (typeof code === 'string' && UNANSWERED_CODES.has(code)) return true;
    if (Reflect.get(error, 'name') === 'AbortError' || Reflect.get(error, 'name') === 'TimeoutError') return true;
    return isTransientStorageFailure(Reflect.get(error, 'cause'), depth + 1);
}
