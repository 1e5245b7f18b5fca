import { z } from 'zod';
import { MAX_PAYMENT_METHOD_CHARS } from '../orders/input-limits';
import { MoneySchema } from '../orders/money';
import { OrderStepInputSchema } from './step-input';

export const ChargeCustomerInputSchema = OrderStepInputSchema.extend({
    amount: MoneySchema.refine((money) => money.cents > 0, { error: 'amount must be positive' }),
    payment_method: z.string().min(1).max(MAX_PAYMENT_METHOD_CHARS),
});
export type ChargeCustomerInput = z.infer<typeof ChargeCustomerInputSchema>;

/** A decline is an answer (not retried); a transient gateway failure is a thrown error (retried). */
export const ChargeCustomerResultSchema = z.discriminatedUnion('status', [
    z.object({ status: z.literal('charged'), charge_id: z.string().min(1), amount: MoneySchema }),
    z.object({ status: z.literal('declined'), reason: z.string().min(1) }),
]);
export type ChargeCustomerResult = z.infer<typeof ChargeCustomerResultSchema>;
