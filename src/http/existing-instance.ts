import type { DurableClient } from 'durable-functions';
import { z } from 'zod';
import { isInstanceNotFoundError } from './get-status';

/** The part of the DurableClient that reads one instance. */
export type InstanceReader = Pick<DurableClient, 'getStatus'>;

const ExistingInstanceSchema = z.object({ runtimeStatus: z.string(), input: z.unknown() });
export type ExistingInstance = z.infer<typeof ExistingInstanceSchema>;

/** The instance's status and input, or undefined when there is none. Other failures throw. */
export async function readExistingInstance(
    client: InstanceReader,
    instanceId: string,
): Promise<ExistingInstance | undefined> {
    let status: unknown;
    try {
        status = await client.getStatus(instanceId, { showInput: true });
    } catch (error) {
        if (isInstanceNotFoundError(error)) return undefined;
        throw error;
    }
    if (status === undefined || status === null) return undefined;
    // The SDK answers with an empty object for an unknown instance in some versions.
    const parsed = ExistingInstanceSchema.safeParse(status);
    if (!parsed.success) throw new Error(`The status of ${instanceId} has an unexpected shape`);
    return parsed.data;
}

/**
 * Engine-level ends (a bug, a step that kept failing, an operator's terminate), not business outcomes: an
 * order that ended so may be started again under the same id. Everything else is the same order.
 */
const RESTARTABLE = new Set(['Failed', 'Terminated', 'Canceled']);

export function mayStartAgain(instance: ExistingInstance): boolean {
    return RESTARTABLE.has(instance.runtimeStatus);
}

/** Whether two JSON values are the same, whatever the order of object keys. */
export function sameJson(a: unknown, b: unknown): boolean {
    return canonicalJson(a) === canonicalJson(b);
}

function canonicalJson(value: unknown): string {
    return JSON.stringify(value, (_key, inner: unknown) =>
        inner !== null && typeof inner === 'object' && !Array.isArray(inner)
            ? Object.fromEntries(Object.entries(inner).sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0)))
            : inner,
    );
}
