import type { InvocationContext } from '@azure/functions';
import { z } from 'zod';
import { MoneySchema } from '../orders/money';
import type { PaymentGateway } from '../orders/ports';
import { parseOrThrow } from './boundary';
import { ActivityNames } from './names';

export const ChargeCustomerInputSchema = z.object({
    order_id: z.string().min(1),
    amount: MoneySchema.refine((money) => money.cents > 0, { error: 'amount must be positive' }),
});
export type ChargeCustomerInput = z.infer<typeof ChargeCustomerInputSchema>;

export const ChargeCustomerResultSchema = z.object({ charge_id: z.string().min(1), amount: MoneySchema });
export type ChargeCustomerResult = z.infer<typeof ChargeCustomerResultSchema>;

/** Activity `charge_customer`: charges the order's total through the payment gateway. */
export function createChargeCustomer(payments: PaymentGateway) {
    return async (input: unknown, context: InvocationContext): Promise<ChargeCustomerResult> => {
        const { order_id, amount } = parseOrThrow(
            ChargeCustomerInputSchema,
            input,
            ActivityNames.chargeCustomer,
            'input',
        );
        const { chargeId } = await payments.charge({ orderId: order_id, amount });
        context.log(`Charged ${amount.decimal} for order ${order_id} (${chargeId})`);
        return { charge_id: chargeId, amount };
    };
}
