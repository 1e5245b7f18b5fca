import type { InvocationContext } from '@azure/functions';
import { z } from 'zod';
import { OrderItemSchema } from '../orders/order';
import type { FulfilmentService } from '../orders/ports';
import { parseOrThrow } from './boundary';
import { ActivityNames } from './names';

export const FulfillOrderInputSchema = z.object({
    order_id: z.string().min(1),
    items: z.array(OrderItemSchema).min(1, { error: 'an order to fulfil has at least one item' }),
});
export type FulfillOrderInput = z.infer<typeof FulfillOrderInputSchema>;

export const FulfillOrderResultSchema = z.object({ tracking_number: z.string().min(1) });
export type FulfillOrderResult = z.infer<typeof FulfillOrderResultSchema>;

/** Activity `fulfill_order`: ships the order's lines and returns the tracking number. */
export function createFulfillOrder(fulfilment: FulfilmentService) {
    return async (input: unknown, context: InvocationContext): Promise<FulfillOrderResult> => {
        const { order_id, items } = parseOrThrow(FulfillOrderInputSchema, input, ActivityNames.fulfillOrder, 'input');
        const { trackingNumber } = await fulfilment.ship({ orderId: order_id, items });
        context.log(`Order ${order_id} shipped (${trackingNumber})`);
        return { tracking_number: trackingNumber };
    };
}
