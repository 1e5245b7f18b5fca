import type { InvocationContext } from '@azure/functions';
import { parseOrThrow } from '../contracts/boundary';
import { ActivityNames } from '../contracts/names';
import { RefundPaymentInputSchema, type RefundPaymentResult } from '../contracts/refund-payment';
import type { OrderLedger } from '../orders/ledger';
import type { PaymentGateway } from '../orders/ports';

/** Activity `refund_payment`: gives an order's charge back in full, once (ledger first, then the gateway). */
export function createRefundPayment(payments: PaymentGateway, ledger: OrderLedger) {
    return async (input: unknown, context: InvocationContext): Promise<RefundPaymentResult> => {
        const request = parseOrThrow(RefundPaymentInputSchema, input, ActivityNames.refundPayment, 'input');
        const recorded = await ledger.find(request.instance_id, 'refund');
        if (recorded !== undefined) return { refund_id: recorded.id };
        const { refundId } = await payments.refund({
            idempotencyKey: request.idempotency_key,
            chargeId: request.charge_id,
            amount: request.amount,
        });
        const stored = await ledger.recordOnce(request.instance_id, request.order_id, {
            kind: 'refund',
            id: refundId,
            charge_id: request.charge_id,
            amount_cents: request.amount.cents,
            at: new Date().toISOString(),
        });
        context.log(`Refunded ${request.amount.decimal} of ${request.charge_id} for order ${request.order_id}`);
        return { refund_id: stored.id };
    };
}
