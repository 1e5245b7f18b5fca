import type { InvocationContext } from '@azure/functions';
import { z } from 'zod';
import type { Notifier } from '../orders/ports';
import { parseOrThrow } from './boundary';
import { ActivityNames } from './names';

/** `email` is null when the order gave none: the activity is still called, so every order has the same steps. */
export const SendNotificationInputSchema = z.object({
    order_id: z.string().min(1),
    email: z.email().nullable(),
    status: z.literal('completed'),
});
export type SendNotificationInput = z.infer<typeof SendNotificationInputSchema>;

export const SendNotificationResultSchema = z.object({ sent: z.boolean(), message_id: z.string().nullable() });
export type SendNotificationResult = z.infer<typeof SendNotificationResultSchema>;

/** Activity `send_notification`: tells the customer the order's status; without an email there is no one to tell. */
export function createSendNotification(notifier: Notifier) {
    return async (input: unknown, context: InvocationContext): Promise<SendNotificationResult> => {
        const { order_id, email, status } = parseOrThrow(
            SendNotificationInputSchema,
            input,
            ActivityNames.sendNotification,
            'input',
        );
        if (email === null) {
            context.log(`Order ${order_id}: no email given, nothing sent`);
            return { sent: false, message_id: null };
        }
        const { messageId } = await notifier.send({
            to: email,
            subject: `Your order ${order_id} is ${status}`,
            body: `Order ${order_id} is ${status}. Thank you for shopping with us.`,
        });
        return { sent: true, message_id: messageId };
    };
}
