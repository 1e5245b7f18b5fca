import type { Task } from 'durable-functions';
import { parseOrThrow } from '../contracts/boundary';
import { type ChargeCustomerInput, ChargeCustomerResultSchema } from '../contracts/charge-customer';
import { type FulfillOrderInput, FulfillOrderResultSchema } from '../contracts/fulfill-order';
import { idempotencyKey, type OrderStep } from '../contracts/idempotency';
import { ActivityNames, OrchestratorNames } from '../contracts/names';
import type { OrderOutcome, OrderProgress, OrderStepName } from '../contracts/order-outcome';
import { type RefundPaymentInput, RefundPaymentResultSchema } from '../contracts/refund-payment';
import { type SendNotificationInput, SendNotificationResultSchema } from '../contracts/send-notification';
import { ValidateOrderResultSchema } from '../contracts/validate-order';
import { OrderInputSchema } from '../orders/order';
import type { OrchestrationContextLike } from './orchestration-context';
import { notificationRetry, serviceRetry } from './retry-policies';

const self = OrchestratorNames.orderProcessing;

/**
 * Orchestrator `order_processing`: validate → charge → fulfil → notify, with compensation.
 * - rejected: validation failed; nothing charged.
 * - payment_declined: the gateway declined; nothing charged, nothing shipped (declines are not retried).
 * - failed: fulfilment failed for good (or kept failing) after the charge; the charge is refunded.
 * - completed: charged and shipped; `notification` says whether the customer was told (a bounced email does
 *   not undo an order).
 * Transient failures of the services are retried with back-off (retry-policies.ts). Each side effect carries
 * an idempotency key of instance and step, so an activity that runs again acts once. A charge that keeps
 * failing, or a refund that does, fails the instance: the client may start the same order again, and the
 * keys make that safe. Deterministic: every value comes from the input, the instance id or activity results.
 */
export function* orderProcessing(context: OrchestrationContextLike): Generator<Task, OrderOutcome, unknown> {
    const order = parseOrThrow(OrderInputSchema, context.df.getInput(), self, 'input');
    const instanceId = context.df.instanceId;
    const step = (name: OrderStepName, outcome?: OrderOutcome['status']): void => {
        const progress: OrderProgress = { step: name, order_id: order.order_id, ...(outcome ? { outcome } : {}) };
        context.df.setCustomStatus(progress);
    };
    const finish = (outcome: OrderOutcome): OrderOutcome => {
        step('done', outcome.status);
        return outcome;
    };
    const keyed = (name: OrderStep) => ({
        order_id: order.order_id,
        instance_id: instanceId,
        idempotency_key: idempotencyKey(instanceId, name),
    });

    step('validating');
    const verdict = parseOrThrow(
        ValidateOrderResultSchema,
        yield context.df.callActivity(ActivityNames.validateOrder, order),
        self,
        `${ActivityNames.validateOrder} result`,
    );
    if (!verdict.valid) {
        return finish({ status: 'rejected', order_id: order.order_id, reason: verdict.reason });
    }

    step('charging');
    const chargeInput: ChargeCustomerInput = {
        ...keyed('charge'),
        amount: verdict.amount,
        payment_method: order.payment_method,
    };
    const charge = parseOrThrow(
        ChargeCustomerResultSchema,
        yield context.df.callActivityWithRetry(ActivityNames.chargeCustomer, serviceRetry(), chargeInput),
        self,
        `${ActivityNames.chargeCustomer} result`,
    );
    if (charge.status === 'declined') {
        return finish({ status: 'payment_declined', order_id: order.order_id, reason: charge.reason });
    }

    step('fulfilling');
    const fulfilInput: FulfillOrderInput = { ...keyed('fulfil'), items: order.items };
    // Only the activity's failure is caught: a result that does not parse is a bug and fails the instance.
    let fulfilled: unknown;
    let fulfilError: string | undefined;
    try {
        fulfilled = yield context.df.callActivityWithRetry(ActivityNames.fulfillOrder, serviceRetry(), fulfilInput);
    } catch (error) {
        // Every attempt failed: the goods will not go out, so the money goes back.
        fulfilError = `Fulfilment kept failing: ${errorText(error)}`;
    }
    const result =
        fulfilError === undefined
            ? parseOrThrow(FulfillOrderResultSchema, fulfilled, self, `${ActivityNames.fulfillOrder} result`)
            : ({ status: 'unfulfillable', reason: fulfilError } as const);
    const shipment =
        result.status === 'shipped'
            ? ({ shipped: true, tracking: result.tracking_number } as const)
            : ({ shipped: false, reason: result.reason } as const);
    if (!shipment.shipped) {
        step('refunding');
        const refundInput: RefundPaymentInput = {
            ...keyed('refund'),
            charge_id: charge.charge_id,
            amount: charge.amount,
        };
        const refund = parseOrThrow(
            RefundPaymentResultSchema,
            yield context.df.callActivityWithRetry(ActivityNames.refundPayment, serviceRetry(), refundInput),
            self,
            `${ActivityNames.refundPayment} result`,
        );
        return finish({
            status: 'failed',
            order_id: order.order_id,
            reason: shipment.reason,
            refunded: true,
            refund_id: refund.refund_id,
        });
    }

    step('notifying');
    const notificationInput: SendNotificationInput = {
        ...keyed('notify'),
        email: order.email ?? null,
        status: 'completed',
    };
    let notified: unknown;
    let everyAttemptFailed = false;
    try {
        notified = yield context.df.callActivityWithRetry(
            ActivityNames.sendNotification,
            notificationRetry(),
            notificationInput,
        );
    } catch {
        // The order stands; the ledger has each failed attempt for whoever follows up.
        everyAttemptFailed = true;
    }
    const notification = everyAttemptFailed
        ? 'failed'
        : parseOrThrow(SendNotificationResultSchema, notified, self, `${ActivityNames.sendNotification} result`).status;

    return finish({
        status: 'completed',
        order_id: order.order_id,
        charge_id: charge.charge_id,
        tracking_number: shipment.tracking,
        amount: charge.amount,
        notification,
    });
}

function errorText(error: unknown): string {
    return error instanceof Error ? error.message : String(error);
}
