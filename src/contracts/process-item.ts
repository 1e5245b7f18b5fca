import { z } from 'zod';
import { ParallelItemSchema } from '../orders/items';

export const ProcessItemInputSchema = z.object({
    index: z.int().nonnegative(),
    item: ParallelItemSchema,
});
export type ProcessItemInput = z.infer<typeof ProcessItemInputSchema>;

/**
 * The result of one item, with the reference recipe's `status` next to `ok`. An item that cannot be processed
 * is a normal result (`ok: false`, `status: "failed"`, counted in `failed`), not a thrown error: a throw would
 * fail the whole fan-out, which is kept for real faults.
 */
export const ProcessItemResultSchema = z.discriminatedUnion('ok', [
    z.object({
        status: z.literal('success'),
        ok: z.literal(true),
        index: z.int(),
        item: z.unknown(),
        result: z.string(),
    }),
    z.object({
        status: z.literal('failed'),
        ok: z.literal(false),
        index: z.int(),
        item: z.unknown(),
        error: z.string(),
    }),
]);
export type ProcessItemResult = z.infer<typeof ProcessItemResultSchema>;
