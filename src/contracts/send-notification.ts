import { z } from 'zod';
import { MAX_EMAIL_CHARS } from '../orders/input-limits';
import { OrderStepInputSchema } from './step-input';

/** `email` is null when the order gave none: the activity is still called, so every order has the same steps. */
export const SendNotificationInputSchema = OrderStepInputSchema.extend({
    email: z.email().max(MAX_EMAIL_CHARS).nullable(),
    status: z.literal('completed'),
});
export type SendNotificationInput = z.infer<typeof SendNotificationInputSchema>;

/** Sent, or skipped without an address; a bounce is a thrown error (retried, then reported as failed). */
export const SendNotificationResultSchema = z.discriminatedUnion('status', [
    z.object({ status: z.literal('sent'), message_id: z.string().min(1) }),
    z.object({ status: z.literal('skipped') }),
]);
export type SendNotificationResult = z.infer<typeof SendNotificationResultSchema>;
