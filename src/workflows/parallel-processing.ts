import type { Task } from 'durable-functions';
import { z } from 'zod';
import { ParallelInputSchema } from '../orders/items';
import { parseOrThrow } from './boundary';
import { ActivityNames, OrchestratorNames } from './names';
import type { OrchestrationContextLike } from './orchestration-context';
import { type ProcessItemInput, type ProcessItemResult, ProcessItemResultSchema } from './process-item';

export interface ParallelSummary {
    readonly total: number;
    readonly successful: number;
    readonly failed: number;
    /** One result per input item, in input order. */
    readonly results: readonly ProcessItemResult[];
}

const self = OrchestratorNames.parallelProcessing;

/**
 * Orchestrator `parallel_processing`: fans out one `process_item` per input item, waits for all of them and
 * summarises. An item the activity cannot process comes back as `{ok: false}` and counts in `failed`; an
 * activity that throws fails the whole instance (Task.all fails on the first fault). An empty list
 * schedules nothing and returns a zero summary.
 */
export function* parallelProcessing(context: OrchestrationContextLike): Generator<Task, ParallelSummary, unknown> {
    const { items } = parseOrThrow(ParallelInputSchema, context.df.getInput(), self, 'input');
    const tasks = items.map((item, index) => {
        const input: ProcessItemInput = { index, item };
        return context.df.callActivity(ActivityNames.processItem, input);
    });
    // The SDK's Task.all throws on an empty list ("you must specify at least one Task"), so no items means
    // no yield at all: the instance completes in its first episode.
    const results =
        tasks.length === 0
            ? []
            : parseOrThrow(
                  z.array(ProcessItemResultSchema).length(tasks.length),
                  yield context.df.Task.all(tasks),
                  self,
                  `${ActivityNames.processItem} results`,
              );
    const successful = results.filter((result) => result.ok).length;
    return { total: results.length, successful, failed: results.length - successful, results };
}
