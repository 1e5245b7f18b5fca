import type { Task } from 'durable-functions';
import { z } from 'zod';
import { parseOrThrow } from '../contracts/boundary';
import { OrchestratorNames } from '../contracts/names';
import {
    PARALLEL_BATCH_SIZE,
    PARALLEL_BATCHES_AT_ONCE,
    type ParallelBatchInput,
    ParallelBatchResultSchema,
    type ParallelProgress,
    type ParallelSummary,
} from '../contracts/parallel-processing';
import type { ProcessItemResult } from '../contracts/process-item';
import { ParallelInputSchema } from '../orders/items';
import { fanOutItems } from './fan-out-items';
import type { OrchestrationContextLike } from './orchestration-context';

const self = OrchestratorNames.parallelProcessing;

/**
 * Orchestrator `parallel_processing`: one `process_item` per input item, summarised. Up to one batch of
 * items (PARALLEL_BATCH_SIZE) fans out right here; a longer list is cut into batches, each run as a
 * `parallel_processing_batch` sub-orchestration, PARALLEL_BATCHES_AT_ONCE at a time, so no history or
 * message grows with the input (10,000 items are 40 sub-orchestrations of 250, not one history of 20,000
 * events). Custom status `{processed, total}` moves as each wave of batches completes. Results come back in
 * input order. An item that cannot be processed is a result with `ok: false`; an activity that throws fails
 * the run.
 */
export function* parallelProcessing(context: OrchestrationContextLike): Generator<Task, ParallelSummary, unknown> {
    const { items } = parseOrThrow(ParallelInputSchema, context.df.getInput(), self, 'input');
    const total = items.length;
    const progress = (processed: number): void => {
        const status: ParallelProgress = { processed, total };
        context.df.setCustomStatus(status);
    };
    progress(0);

    let results: ProcessItemResult[];
    if (total <= PARALLEL_BATCH_SIZE) {
        results = yield* fanOutItems(context, self, items, 0);
    } else {
        const batches: ParallelBatchInput[] = [];
        for (let offset = 0; offset < total; offset += PARALLEL_BATCH_SIZE) {
            batches.push({ offset, items: items.slice(offset, offset + PARALLEL_BATCH_SIZE) });
        }
        results = [];
        for (let wave = 0; wave < batches.length; wave += PARALLEL_BATCHES_AT_ONCE) {
            const running = batches.slice(wave, wave + PARALLEL_BATCHES_AT_ONCE);
            const answers = parseOrThrow(
                z.array(ParallelBatchResultSchema).length(running.length),
                yield context.df.Task.all(
                    running.map((batch) =>
                        context.df.callSubOrchestrator(OrchestratorNames.parallelProcessingBatch, batch),
                    ),
                ),
                self,
                `${OrchestratorNames.parallelProcessingBatch} results`,
            );
            for (const answer of answers) results.push(...answer);
            progress(results.length);
        }
    }
    progress(results.length);
    const successful = results.filter((result) => result.ok).length;
    return { total: results.length, successful, failed: results.length - successful, results };
}
