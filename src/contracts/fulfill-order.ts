import { z } from 'zod';
import { MAX_ORDER_LINES, OrderItemSchema } from '../orders/order';
import { OrderStepInputSchema } from './step-input';

export const FulfillOrderInputSchema = OrderStepInputSchema.extend({
    items: z
        .array(OrderItemSchema)
        .min(1, { error: 'an order to fulfill has at least one item' })
        .max(MAX_ORDER_LINES, { error: `an order has at most ${MAX_ORDER_LINES} items` }),
});
export type FulfillOrderInput = z.infer<typeof FulfillOrderInputSchema>;

/** An order the warehouse cannot supply is an answer (refund follows); a transient failure is a throw. */
export const FulfillOrderResultSchema = z.discriminatedUnion('status', [
    z.object({ status: z.literal('shipped'), tracking_number: z.string().min(1) }),
    z.object({ status: z.literal('unfulfillable'), reason: z.string().min(1) }),
]);
export type FulfillOrderResult = z.infer<typeof FulfillOrderResultSchema>;
