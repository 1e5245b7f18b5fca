import type { HttpTriggerOptions } from '@azure/functions';
import { z } from 'zod';

/**
 * Who may call the public HTTP routes (the starter and the status views). One place, read by every HTTP
 * registration, so the routes cannot drift apart.
 *
 * - `function` (the default): the Functions host answers 401 unless the request carries a function key (the
 *   `x-functions-key` header or the `code` query parameter), before the app's code runs.
 * - `anonymous`: anyone may call; choose it only behind something that authenticates, such as API Management
 *   or a gateway of your own.
 *
 * In Azure the value comes from the HTTP_AUTH_LEVEL app setting, which infra/app/function-app.bicep sets from
 * the `httpAuthLevel` parameter (default `function`). Unset means `function`, so a deployment that forgets the
 * setting is closed, not open. Locally, hosts skip key checks unless asked (`func start --enableAuth`,
 * `devhost start --enable-auth`), so development needs no keys whatever this says.
 */
const authLevelSchema = z.enum(['function', 'anonymous']) satisfies z.ZodType<HttpTriggerOptions['authLevel']>;

export type PublicRouteAuthLevel = z.infer<typeof authLevelSchema>;

export const DEFAULT_PUBLIC_ROUTE_AUTH_LEVEL: PublicRouteAuthLevel = 'function';

/**
 * The authLevel for the public routes. A value other than `function` or `anonymous` throws, so a typo fails the
 * app at start-up (the host lists no functions and logs the message) instead of silently opening the routes.
 */
export function publicRouteAuthLevel(setting: string | undefined = process.env.HTTP_AUTH_LEVEL): PublicRouteAuthLevel {
    const value = setting?.trim() ?? '';
    if (value === '') return DEFAULT_PUBLIC_ROUTE_AUTH_LEVEL;
    const parsed = authLevelSchema.safeParse(value.toLowerCase());
    if (!parsed.success) {
        throw new Error(
            `HTTP_AUTH_LEVEL is '${value}'; it must be one of ${authLevelSchema.options.join(', ')} (unset means ${DEFAULT_PUBLIC_ROUTE_AUTH_LEVEL}).`,
        );
    }
    return parsed.data;
}
