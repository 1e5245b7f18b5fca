import type { InvocationContext } from '@azure/functions';
import { parseOrThrow } from '../contracts/boundary';
import { ActivityNames } from '../contracts/names';
import { SendNotificationInputSchema, type SendNotificationResult } from '../contracts/send-notification';
import type { OrderLedger } from '../orders/ledger';
import type { Notifier } from '../orders/ports';

/**
 * Activity `send_notification`: tells the customer the order's status, once; without an email there is no one
 * to tell. Every attempt is recorded in the ledger (sent or failed); a failed one throws so the orchestrator's
 * retry policy tries again.
 */
export function createSendNotification(notifier: Notifier, ledger: OrderLedger) {
    return async (input: unknown, context: InvocationContext): Promise<SendNotificationResult> => {
        const { order_id, instance_id, idempotency_key, email, status } = parseOrThrow(
            SendNotificationInputSchema,
            input,
            ActivityNames.sendNotification,
            'input',
        );
        if (email === null) {
            context.log(`Order ${order_id}: no email given, nothing sent`);
            return { status: 'skipped' };
        }
        const sent = (await ledger.read(instance_id)).find(
            (record) => record.kind === 'notification' && record.outcome === 'sent',
        );
        if (sent?.kind === 'notification' && sent.message_id !== null) {
            return { status: 'sent', message_id: sent.message_id };
        }
        try {
            const { messageId } = await notifier.send({
                idempotencyKey: idempotency_key,
                to: email,
                subject: `Your order ${order_id} is ${status}`,
                body: `Order ${order_id} is ${status}. Thank you for shopping with us.`,
            });
            await ledger.appendNotification(instance_id, order_id, {
                kind: 'notification',
                to: email,
                outcome: 'sent',
                message_id: messageId,
                error: null,
                at: new Date().toISOString(),
            });
            return { status: 'sent', message_id: messageId };
        } catch (error) {
            const message = error instanceof Error ? error.message : String(error);
            await ledger.appendNotification(instance_id, order_id, {
                kind: 'notification',
                to: email,
                outcome: 'failed',
                message_id: null,
                error: message,
                at: new Date().toISOString(),
            });
            context.warn(`Notifying ${email} about order ${order_id} failed: ${message}`);
            throw error;
        }
    };
}
