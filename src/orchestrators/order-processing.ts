import type { Task } from 'durable-functions';
import { parseOrThrow } from '../contracts/boundary';
import { OrchestratorNames } from '../contracts/names';
import type { OrderOutcome } from '../contracts/order-outcome';
import { OrderInputSchema } from '../orders/order';
import type { OrchestrationContextLike } from './orchestration-context';
import { orderProcessingV1 } from './order-processing-v1';
import { orderProcessingV2 } from './order-processing-v2';
import { orderWorkflowVersion } from './order-processing-versions';
import { orderRun } from './order-steps';

const self = OrchestratorNames.orderProcessing;

/**
 * Orchestrator `order_processing`: an order's steps, by the version the instance was started with
 * (`context.df.version`, from host.json `defaultVersion` at its start; order-processing-versions.ts), so a
 * deploy that changes the steps never changes them under an order in flight:
 * - version 1 (`""`, `"1.x"`): validate → charge → fulfill → notify (order-processing-v1.ts, frozen);
 * - version 2 (`"2.x"`): validate → reserve stock → charge → fulfill → notify (order-processing-v2.ts).
 * Outcomes (`completed`, `rejected`, `payment_declined`, `failed` with a refund) have the same shape in both.
 * Transient failures of the services are retried with back-off (retry-policies.ts); each side effect carries
 * an idempotency key of instance and step, so an activity that runs again acts once. Deterministic: every
 * value comes from the input, the instance id and version, or activity results.
 */
export function* orderProcessing(context: OrchestrationContextLike): Generator<Task, OrderOutcome, unknown> {
    const order = parseOrThrow(OrderInputSchema, context.df.getInput(), self, 'input');
    const run = orderRun(context, order);
    switch (orderWorkflowVersion(self, context.df.version)) {
        case 1:
            return yield* orderProcessingV1(run);
        case 2:
            return yield* orderProcessingV2(run);
    }
}
