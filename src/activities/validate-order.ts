import type { InvocationContext } from '@azure/functions';
import { parseOrThrow } from '../contracts/boundary';
import { ActivityNames } from '../contracts/names';
import type { ValidateOrderResult } from '../contracts/validate-order';
import { checkOrder, OrderInputSchema } from '../orders/order';

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
