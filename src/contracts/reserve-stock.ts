import { z } from 'zod';
import { MAX_ORDER_LINES, OrderItemSchema } from '../orders/order';
import { OrderStepInputSchema } from './step-input';

export const ReserveStockInputSchema = OrderStepInputSchema.extend({
    items: z
        .array(OrderItemSchema)
        .min(1, { error: 'an order to reserve stock for has at least one item' })
        .max(MAX_ORDER_LINES, { error: `an order has at most ${MAX_ORDER_LINES} items` }),
});
export type ReserveStockInput = z.infer<typeof ReserveStockInputSchema>;

/** Stock the warehouse does not have is an answer (the order is rejected); a transient failure is a throw. */
export const ReserveStockResultSchema = z.discriminatedUnion('status', [
    z.object({ status: z.literal('reserved'), reservation_id: z.string().min(1) }),
    z.object({ status: z.literal('out_of_stock'), reason: z.string().min(1) }),
]);
export type ReserveStockResult = z.infer<typeof ReserveStockResultSchema>;
