import { type HttpRequest, HttpResponse, type InvocationContext } from '@azure/functions';
import type { DurableClient } from 'durable-functions';
import { z } from 'zod';
import { problemResponse, ProblemType } from './problem';

/** The part of the DurableClient the status endpoint needs. */
export type StatusClient = Pick<DurableClient, 'getStatus'>;

/** The body of a 200 from get_status. Times are ISO 8601 UTC; absent output or custom status is null. */
export interface InstanceStatusBody {
    readonly instance_id: string;
    readonly runtime_status: string;
    readonly output: unknown;
    readonly custom_status: unknown;
    readonly created_time: string;
    readonly last_updated_time: string;
}

/** What the SDK hands back, checked: it is data from the Durable extension, i.e. from storage. */
const OrchestrationStatusSchema = z.object({
    instanceId: z.string(),
    runtimeStatus: z.string(),
    output: z.unknown(),
    customStatus: z.unknown(),
    createdTime: z.date(),
    lastUpdatedTime: z.date(),
});

/** The reference recipe's 404 body; ours is a problem document that keeps its `error` member. */
export const INSTANCE_NOT_FOUND_BODY = { error: 'Instance not found' } as const;

/**
 * Whether `getStatus` failed because the instance does not exist. durable-functions 3.x throws a plain Error
 * whose message says "replied with HTTP 404 response"; there is no status property to read. The check also
 * accepts a numeric `status` / `statusCode` of 404, so an SDK that starts attaching one keeps working.
 */
export function isInstanceNotFoundError(error: unknown): boolean {
    if (typeof error !== 'object' || error === null) {
        return false;
    }
    if (Reflect.get(error, 'status') === 404 || Reflect.get(error, 'statusCode') === 404) {
        return true;
    }
    const message: unknown = Reflect.get(error, 'message');
    return typeof message === 'string' && /\bHTTP 404\b/.test(message);
}

/** `GET /api/orchestrations/{instance_id}/status`: the instance's status in snake_case, or 404. */
export async function getInstanceStatus(
    request: HttpRequest,
    client: StatusClient,
    context: InvocationContext,
): Promise<HttpResponse> {
    const instanceId = request.params['instance_id'] ?? '';
    let status: unknown;
    try {
        status = await client.getStatus(instanceId);
    } catch (error) {
        if (isInstanceNotFoundError(error)) {
            return notFound(instanceId);
        }
        context.error(`Reading the status of ${instanceId} failed:`, error);
        return backendFailure(instanceId);
    }
    // Older SDKs resolved with nothing for an unknown instance instead of throwing.
    if (status === undefined || status === null) {
        return notFound(instanceId);
    }
    const parsed = OrchestrationStatusSchema.safeParse(status);
    if (!parsed.success) {
        context.error(`The status of ${instanceId} has an unexpected shape:`, parsed.error.issues);
        return backendFailure(instanceId);
    }
    const body: InstanceStatusBody = {
        instance_id: parsed.data.instanceId,
        runtime_status: parsed.data.runtimeStatus,
        output: parsed.data.output ?? null,
        custom_status: parsed.data.customStatus ?? null,
        created_time: parsed.data.createdTime.toISOString(),
        last_updated_time: parsed.data.lastUpdatedTime.toISOString(),
    };
    return new HttpResponse({ status: 200, jsonBody: body });
}

function notFound(instanceId: string): HttpResponse {
    return problemResponse({
        ...INSTANCE_NOT_FOUND_BODY,
        type: ProblemType.notFound,
        title: 'Instance not found',
        status: 404,
        detail: `There is no orchestration instance '${instanceId}'.`,
    });
}

function backendFailure(instanceId: string): HttpResponse {
    return problemResponse({
        type: ProblemType.upstreamFailure,
        title: 'Status unavailable',
        status: 502,
        detail: `The Durable Functions backend could not report on instance '${instanceId}'. Try again later.`,
    });
}
