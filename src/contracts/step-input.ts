import { z } from 'zod';

/** What every side-effecting activity of an order gets: whose order, and the key that makes it act once. */
export const OrderStepInputSchema = z.object({
    order_id: z.string().min(1),
    /** The ledger partition of the order. */
    instance_id: z.string().min(1),
    idempotency_key: z.string().min(1),
});
