import { createHash, timingSafeEqual } from 'node:crypto';
import type { FunctionKeys } from './function-keys';
import type { HttpAuthLevel, HttpRoute } from './route-table';

/**
 * Function-key checks as the Functions host makes them before a keyed function runs
 * (Azure/azure-functions-host, AuthenticationLevelHandler and the secret manager's key lookup):
 *
 * - the key is the `x-functions-key` header, or else the `code` query parameter (the header wins when both are
 *   present, and the first value counts);
 * - the master key grants admin level; a host function key, or a key of the function being called, grants
 *   function level; a route is served when the granted level is at least its authLevel (`anonymous` needs none);
 * - anything else is 401 with an empty body, and the function does not run.
 *
 * System keys (the extensions' webhooks) are not modelled: the devhost's Durable HTTP API stays open locally.
 */
export const FUNCTIONS_KEY_HEADER = 'x-functions-key';
export const FUNCTIONS_KEY_QUERY_PARAMETER = 'code';

const LEVEL_RANK: Readonly<Record<HttpAuthLevel, number>> = { anonymous: 0, function: 1, system: 2, admin: 3 };

export type KeyCheck = (route: HttpRoute, request: Request) => boolean;

export function createKeyCheck(keys: FunctionKeys): KeyCheck {
    return (route, request) => {
        if (route.authLevel === 'anonymous') return true;
        const presented = presentedKey(request);
        if (presented === undefined) return false;
        return LEVEL_RANK[grantedLevel(keys, route.fn.name, presented)] >= LEVEL_RANK[route.authLevel];
    };
}

function presentedKey(request: Request): string | undefined {
    // Headers.get joins repeated headers with ", "; the host takes the first value.
    const header = request.headers.get(FUNCTIONS_KEY_HEADER);
    const value =
        header !== null
            ? header.split(',')[0]?.trim()
            : (new URL(request.url).searchParams.get(FUNCTIONS_KEY_QUERY_PARAMETER) ?? undefined);
    return value === undefined || value === '' ? undefined : value;
}

function grantedLevel(keys: FunctionKeys, functionName: string, presented: string): HttpAuthLevel {
    if (keys.masterKey !== undefined && sameKey(keys.masterKey, presented)) return 'admin';
    const candidates = [...keys.hostKeys.values(), ...(keys.functionKeys.get(functionName)?.values() ?? [])];
    return candidates.some((key) => sameKey(key, presented)) ? 'function' : 'anonymous';
}

/** Constant-time comparison of digests, so neither the content nor the length of a key leaks through timing. */
function sameKey(expected: string, presented: string): boolean {
    return timingSafeEqual(digest(expected), digest(presented));
}

function digest(value: string): Buffer {
    return createHash('sha256').update(value, 'utf8').digest();
}
