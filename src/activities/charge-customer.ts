import type { InvocationContext } from '@azure/functions';
import { parseOrThrow } from '../contracts/boundary';
import { ChargeCustomerInputSchema, type ChargeCustomerResult } from '../contracts/charge-customer';
import { ActivityNames } from '../contracts/names';
import type { OrderLedger } from '../orders/ledger';
import { moneyFromCents } from '../orders/money';
import type { PaymentGateway } from '../orders/ports';

/**
 * Activity `charge_customer`: charges the order's total once. A charge already in the ledger is the answer
 * (this is a re-run); otherwise the gateway is asked with the step's idempotency key (so a charge made by a
 * run that died before recording it is returned, not repeated) and the charge is recorded. A decline is a
 * result; a transient gateway failure throws, for the orchestrator's retry policy.
 */
export function createChargeCustomer(payments: PaymentGateway, ledger: OrderLedger) {
    return async (input: unknown, context: InvocationContext): Promise<ChargeCustomerResult> => {
        const request = parseOrThrow(ChargeCustomerInputSchema, input, ActivityNames.chargeCustomer, 'input');
        const recorded = await ledger.find(request.instance_id, 'charge');
        if (recorded !== undefined) {
            context.log(`Order ${request.order_id} was already charged (${recorded.id}); not charging again`);
            return { status: 'charged', charge_id: recorded.id, amount: moneyFromCents(recorded.amount_cents) };
        }
        const outcome = await payments.charge({
            idempotencyKey: request.idempotency_key,
            orderId: request.order_id,
            amount: request.amount,
            paymentMethod: request.payment_method,
        });
        if (outcome.kind === 'declined') {
            context.log(`Payment for order ${request.order_id} declined: ${outcome.reason}`);
            return { status: 'declined', reason: outcome.reason };
        }
        const stored = await ledger.recordOnce(request.instance_id, request.order_id, {
            kind: 'charge',
            id: outcome.chargeId,
            amount_cents: request.amount.cents,
            at: new Date().toISOString(),
        });
        context.log(`Charged ${request.amount.decimal} for order ${request.order_id} (${stored.id})`);
        return { status: 'charged', charge_id: stored.id, amount: moneyFromCents(stored.amount_cents) };
    };
}
