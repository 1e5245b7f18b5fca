import { z } from 'zod';
import { MoneySchema } from '../orders/money';

/** validate_order's input is the order_processing input (OrderInputSchema); its verdict: */
export const ValidateOrderResultSchema = z.discriminatedUnion('valid', [
    z.object({ valid: z.literal(true), amount: MoneySchema }),
    z.object({ valid: z.literal(false), reason: z.string() }),
]);
export type ValidateOrderResult = z.infer<typeof ValidateOrderResultSchema>;
