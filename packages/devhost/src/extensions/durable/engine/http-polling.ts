/**
 * The pieces of the extension's CallHttpAsync polling the replay needs (replay.ts #callHttp): reading a
 * DurableHttpResponse's status and headers, and the GET that polls a 202's Location.
 */
import { z } from 'zod';
import type { HttpRequestJson } from './actions';

export const httpResponseSchema = z.object({
    statusCode: z.number(),
    headers: z.record(z.string(), z.union([z.string(), z.array(z.string())])).nullish(),
});

/** Case-insensitive header lookup; a multi-valued header yields its first value. */
export function headerValue(headers: Record<string, unknown> | null | undefined, name: string): string | undefined {
    if (!headers) return undefined;
    const key = Object.keys(headers).find((candidate) => candidate.toLowerCase() === name.toLowerCase());
    const value = key === undefined ? undefined : headers[key];
    if (typeof value === 'string') return value;
    if (Array.isArray(value) && typeof value[0] === 'string') return value[0];
    return undefined;
}

/** The extension's poll request: GET the Location with the original headers, minus the function key. */
export function locationPollRequest(original: HttpRequestJson, location: string): HttpRequestJson {
    const headers = Object.fromEntries(
        Object.entries(original.headers ?? {}).filter(([key]) => key.toLowerCase() !== 'x-functions-key'),
    );
    const poll: HttpRequestJson = { method: 'GET', uri: location, headers, asynchronousPatternEnabled: true };
    if (original['tokenSource'] !== undefined) poll['tokenSource'] = original['tokenSource'];
    return poll;
}
