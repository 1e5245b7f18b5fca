import type { z } from 'zod';
import { ParallelInputSchema } from './orders/items';
import { OrderInputSchema } from './orders/order';
import { type OrchestratorName, OrchestratorNames } from './workflows/names';

export interface OrchestrationEntry {
    readonly name: OrchestratorName;
    /** The boundary schema of the orchestrator's input, checked by http_start before anything is started. */
    readonly input: z.ZodType;
}

/**
 * The orchestrators this app lets clients start, by name: the starter's allow-list (anything else, activities
 * included, is a 404) and its input validation. An orchestrator missing here cannot be started over HTTP.
 */
const registry: Readonly<Record<OrchestratorName, OrchestrationEntry>> = {
    [OrchestratorNames.orderProcessing]: { name: OrchestratorNames.orderProcessing, input: OrderInputSchema },
    [OrchestratorNames.parallelProcessing]: { name: OrchestratorNames.parallelProcessing, input: ParallelInputSchema },
};

/** Names of the startable orchestrators, sorted, for error messages and docs. */
export const orchestratorNames: readonly OrchestratorName[] = Object.values(registry)
    .map((entry) => entry.name)
    .sort();

/** The entry for `name`, or undefined. Own properties only, so `constructor` or `__proto__` find nothing. */
export function findOrchestration(name: string): OrchestrationEntry | undefined {
    return Object.values(registry).find((entry) => entry.name === name);
}
