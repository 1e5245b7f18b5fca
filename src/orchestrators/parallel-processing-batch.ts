import type { Task } from 'durable-functions';
import { parseOrThrow } from '../contracts/boundary';
import { OrchestratorNames } from '../contracts/names';
import { ParallelBatchInputSchema } from '../contracts/parallel-processing';
import type { ProcessItemResult } from '../contracts/process-item';
import { fanOutItems } from './fan-out-items';
import type { OrchestrationContextLike } from './orchestration-context';

const self = OrchestratorNames.parallelProcessingBatch;

/** Sub-orchestrator `parallel_processing_batch`: one batch of parallel_processing's items, results in order. */
export function* parallelProcessingBatch(
    context: OrchestrationContextLike,
): Generator<Task, ProcessItemResult[], unknown> {
    const { offset, items } = parseOrThrow(ParallelBatchInputSchema, context.df.getInput(), self, 'input');
    return yield* fanOutItems(context, self, items, offset);
}
