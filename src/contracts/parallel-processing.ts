import { z } from 'zod';
import { ParallelItemSchema } from '../orders/items';
import { type ProcessItemResult, ProcessItemResultSchema } from './process-item';

/** Items per sub-orchestration: keeps every history and message bounded, whatever the input size. */
export const PARALLEL_BATCH_SIZE = 250;

/** Batches that run at once; progress is reported as each wave of batches completes. */
export const PARALLEL_BATCHES_AT_ONCE = 4;

/** The input of one parallel_processing_batch: its items and where they start in the whole list. */
export const ParallelBatchInputSchema = z.object({
    offset: z.int().nonnegative(),
    items: z.array(ParallelItemSchema).max(PARALLEL_BATCH_SIZE),
});
export type ParallelBatchInput = z.infer<typeof ParallelBatchInputSchema>;

export const ParallelBatchResultSchema = z.array(ProcessItemResultSchema);

export interface ParallelSummary {
    readonly total: number;
    readonly successful: number;
    readonly failed: number;
    /** One result per input item, in input order. */
    readonly results: readonly ProcessItemResult[];
}

/** parallel_processing's custom status while it runs. */
export interface ParallelProgress {
    readonly processed: number;
    readonly total: number;
}
