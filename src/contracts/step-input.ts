import { z } from 'zod';
import { MAX_IDEMPOTENCY_KEY_CHARS, MAX_INSTANCE_ID_CHARS, MAX_ORDER_ID_CHARS } from '../orders/input-limits';

/** What every side-effecting activity of an order gets: whose order, and the key that makes it act once. */
export const OrderStepInputSchema = z.object({
    order_id: z.string().min(1).max(MAX_ORDER_ID_CHARS),
    /** The ledger partition of the order. */
    instance_id: z.string().min(1).max(MAX_INSTANCE_ID_CHARS),
    idempotency_key: z.string().min(1).max(MAX_IDEMPOTENCY_KEY_CHARS),
});
