import type { z } from 'zod';
import { type OrchestratorName, OrchestratorNames } from './contracts/names';
import { ParallelInputSchema } from './orders/items';
import { OrderInputSchema } from './orders/order';
import { orderInstanceId } from './orders/order-instance-id';

export interface OrchestrationEntry {
    readonly name: OrchestratorName;
    /** The boundary schema of the orchestrator's input, checked by http_start before anything is started. */
    readonly input: z.ZodType;
    /**
     * For orchestrations that are idempotent per business key: the instance id of a (parsed) input. A start
     * with the same id and the same input is the same request; with another input it is a conflict.
     * Without it every start is a new instance with a random id.
     */
    readonly instanceIdOf?: (input: unknown) => string;
}

/**
 * The orchestrators this app lets clients start, by name: the starter's allow-list (anything else, activities
 * and sub-orchestrators included, is a 404) and its input validation.
 */
const registry: readonly OrchestrationEntry[] = [
    {
        name: OrchestratorNames.orderProcessing,
        input: OrderInputSchema,
        instanceIdOf: (input) => orderInstanceId(OrderInputSchema.parse(input).order_id),
    },
    { name: OrchestratorNames.parallelProcessing, input: ParallelInputSchema },
];

/** Names of the startable orchestrators, sorted, for error messages and docs. */
export const orchestratorNames: readonly OrchestratorName[] = registry.map((entry) => entry.name).sort();

/** The entry for `name`, or undefined. */
export function findOrchestration(name: string): OrchestrationEntry | undefined {
    return registry.find((entry) => entry.name === name);
}
