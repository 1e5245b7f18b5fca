import { z } from 'zod';
import { OrderStepInputSchema } from './step-input';

export const ReleaseStockInputSchema = OrderStepInputSchema.extend({
    reservation_id: z.string().min(1),
});
export type ReleaseStockInput = z.infer<typeof ReleaseStockInputSchema>;

/** Releasing is idempotent: a hold released before answers the same. A transient failure is a throw. */
export const ReleaseStockResultSchema = z.object({
    status: z.literal('released'),
    reservation_id: z.string().min(1),
});
export type ReleaseStockResult = z.infer<typeof ReleaseStockResultSchema>;
