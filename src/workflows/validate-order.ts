import type { InvocationContext } from '@azure/functions';
import { z } from 'zod';
import { MoneySchema } from '../orders/money';
import { checkOrder, OrderInputSchema } from '../orders/order';
import { parseOrThrow } from './boundary';
import { ActivityNames } from './names';

/** validate_order's verdict: the total to charge, or why the order is rejected. */
export const ValidateOrderResultSchema = z.discriminatedUnion('valid', [
    z.object({ valid: z.literal(true), amount: MoneySchema }),
    z.object({ valid: z.literal(false), reason: z.string() }),
]);
export type ValidateOrderResult = z.infer<typeof ValidateOrderResultSchema>;

/** Activity `validate_order`: applies the business rules to an order (input: the order_processing input). */
export async function validateOrder(input: unknown, context: InvocationContext): Promise<ValidateOrderResult> {
    const order = parseOrThrow(OrderInputSchema, input, ActivityNames.validateOrder, 'input');
    const check = checkOrder(order);
    if (!check.ok) {
        context.log(`Order ${order.order_id} rejected: ${check.reason}`);
        return { valid: false, reason: check.reason };
    }
    return { valid: true, amount: check.total };
}
