import { z } from 'zod';

/** An RpcHttpCookie as `@azure/functions` writes it (nullable fields wrapped in `{ value }`). */
export const rpcHttpCookieSchema = z.object({
    name: z.string(),
    value: z.string(),
    domain: z.object({ value: z.string() }).nullish(),
    path: z.object({ value: z.string() }).nullish(),
    expires: z.object({ value: z.object({ seconds: z.coerce.number() }).nullish() }).nullish(),
    secure: z.object({ value: z.boolean() }).nullish(),
    httpOnly: z.object({ value: z.boolean() }).nullish(),
    sameSite: z.enum(['none', 'lax', 'strict', 'explicitNone']).or(z.number()).nullish(),
    maxAge: z.object({ value: z.number() }).nullish(),
});

export type RpcHttpCookie = z.infer<typeof rpcHttpCookieSchema>;

const sameSiteByName: Record<string, string | undefined> = { lax: 'lax', strict: 'strict', explicitNone: 'none' };
// The proto enum is numeric on the wire: None=0, Lax=1, Strict=2, ExplicitNone=3.
const sameSiteByNumber: Record<number, string | undefined> = { 1: 'lax', 2: 'strict', 3: 'none' };

/**
 * One Set-Cookie header value, the way the host's ASP.NET Core cookie writer formats it: the value is
 * URL-escaped, attributes lower-case, `sameSite: 'none'` (unset) writes no attribute.
 */
export function formatSetCookie(cookie: RpcHttpCookie): string {
    const parts = [`${cookie.name}=${encodeURIComponent(cookie.value)}`];
    const expiresSeconds = cookie.expires?.value?.seconds;
    if (expiresSeconds !== undefined) parts.push(`expires=${new Date(expiresSeconds * 1000).toUTCString()}`);
    if (cookie.maxAge?.value !== undefined) parts.push(`max-age=${Math.trunc(cookie.maxAge.value)}`);
    if (cookie.domain?.value) parts.push(`domain=${cookie.domain.value}`);
    if (cookie.path?.value) parts.push(`path=${cookie.path.value}`);
    if (cookie.secure?.value) parts.push('secure');
    const sameSite =
        typeof cookie.sameSite === 'number'
            ? sameSiteByNumber[cookie.sameSite]
            : sameSiteByName[cookie.sameSite ?? 'none'];
    if (sameSite) parts.push(`samesite=${sameSite}`);
    if (cookie.httpOnly?.value) parts.push('httponly');
    return parts.join('; ');
}
