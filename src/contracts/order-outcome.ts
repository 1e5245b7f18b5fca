import { z } from 'zod';
import { MoneySchema } from '../orders/money';

/**
 * The output of order_processing: `status` first, always with `order_id`. Business outcomes all complete the
 * instance; only an engine-level failure (a bug, a step that kept failing) leaves it `Failed`.
 */
export const OrderOutcomeSchema = z.discriminatedUnion('status', [
    z.object({
        status: z.literal('completed'),
        order_id: z.string(),
        charge_id: z.string(),
        tracking_number: z.string(),
        amount: MoneySchema,
        /** `skipped` when the order has no email. */
        notification: z.enum(['sent', 'failed', 'skipped']),
    }),
    z.object({ status: z.literal('rejected'), order_id: z.string(), reason: z.string() }),
    z.object({ status: z.literal('payment_declined'), order_id: z.string(), reason: z.string() }),
    z.object({
        status: z.literal('failed'),
        order_id: z.string(),
        reason: z.string(),
        refunded: z.literal(true),
        refund_id: z.string(),
    }),
]);
export type OrderOutcome = z.infer<typeof OrderOutcomeSchema>;

/** order_processing's custom status, step by step (`reserving` and `releasing`: version 2 orders only). */
export type OrderStepName =
    'validating' | 'reserving' | 'charging' | 'fulfilling' | 'refunding' | 'releasing' | 'notifying' | 'done';
export interface OrderProgress {
    readonly step: OrderStepName;
    readonly order_id: string;
    /** On `done`: the outcome's status. */
    readonly outcome?: OrderOutcome['status'];
}
