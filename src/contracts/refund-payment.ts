import { z } from 'zod';
import { MoneySchema } from '../orders/money';
import { OrderStepInputSchema } from './step-input';

export const RefundPaymentInputSchema = OrderStepInputSchema.extend({
    charge_id: z.string().min(1),
    amount: MoneySchema,
});
export type RefundPaymentInput = z.infer<typeof RefundPaymentInputSchema>;

export const RefundPaymentResultSchema = z.object({ refund_id: z.string().min(1) });
export type RefundPaymentResult = z.infer<typeof RefundPaymentResultSchema>;
