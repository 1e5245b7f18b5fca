import type { InvocationContext } from '@azure/functions';
import { z } from 'zod';
import { describeItem } from '../orders/items';
import { parseOrThrow } from './boundary';
import { ActivityNames } from './names';

export const ProcessItemInputSchema = z.object({
    index: z.int().nonnegative(),
    item: z.unknown(),
});
export type ProcessItemInput = z.infer<typeof ProcessItemInputSchema>;

/**
 * The result of one item. An item that cannot be processed is a normal result with `ok: false` (counted in
 * `failed` by parallel_processing), not a thrown error: a throw would fail the whole fan-out, which is kept
 * for real faults (bad input to the activity itself, a crashed dependency).
 */
export const ProcessItemResultSchema = z.discriminatedUnion('ok', [
    z.object({ ok: z.literal(true), index: z.int(), item: z.unknown(), result: z.string() }),
    z.object({ ok: z.literal(false), index: z.int(), item: z.unknown(), error: z.string() }),
]);
export type ProcessItemResult = z.infer<typeof ProcessItemResultSchema>;

/** Activity `process_item`: processes one value of a parallel_processing input. */
export async function processItem(input: unknown, context: InvocationContext): Promise<ProcessItemResult> {
    const { index, item } = parseOrThrow(ProcessItemInputSchema, input, ActivityNames.processItem, 'input');
    const outcome = describeItem(item);
    if (!outcome.ok) {
        context.log(`Item ${index} not processed: ${outcome.error}`);
        return { ok: false, index, item: item ?? null, error: outcome.error };
    }
    return { ok: true, index, item, result: `Processed ${outcome.label}` };
}
