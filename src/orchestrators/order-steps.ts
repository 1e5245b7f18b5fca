import type { Task } from 'durable-functions';
import { parseOrThrow } from '../contracts/boundary';
import {
    type ChargeCustomerInput,
    type ChargeCustomerResult,
    ChargeCustomerResultSchema,
} from '../contracts/charge-customer';
import { type FulfillOrderInput, FulfillOrderResultSchema } from '../contracts/fulfill-order';
import { idempotencyKey, type OrderStep } from '../contracts/idempotency';
import { ActivityNames, OrchestratorNames } from '../contracts/names';
import type { OrderOutcome, OrderProgress, OrderStepName } from '../contracts/order-outcome';
import {
    type RefundPaymentInput,
    type RefundPaymentResult,
    RefundPaymentResultSchema,
} from '../contracts/refund-payment';
import { type ReleaseStockInput, ReleaseStockResultSchema } from '../contracts/release-stock';
import { type ReserveStockInput, type ReserveStockResult, ReserveStockResultSchema } from '../contracts/reserve-stock';
import { type SendNotificationInput, SendNotificationResultSchema } from '../contracts/send-notification';
import { type ValidateOrderResult, ValidateOrderResultSchema } from '../contracts/validate-order';
import type { Money } from '../orders/money';
import type { OrderInput } from '../orders/order';
import type { OrchestrationContextLike } from './orchestration-context';
import { notificationRetry, serviceRetry } from './retry-policies';

/**
 * The steps of order_processing's versions, each one activity call (yielded) with its custom status. Used
 * with `yield*`. A version's sequence of steps is fixed once orders of it are in flight: change a
 * step here only in a way every version can replay (the recorded-history replay tests say whether it can);
 * otherwise give the new behaviour to a new version (docs/changing-the-order-workflow.md).
 */

const self = OrchestratorNames.orderProcessing;

/** One order as its steps see it: the parsed input, and the custom status and keys of its instance. */
export interface OrderRun {
    readonly context: OrchestrationContextLike;
    readonly order: OrderInput;
    /** Sets the custom status to `step`. */
    progress(step: OrderStepName): void;
    /** Sets the custom status `done` with the outcome's status and returns the outcome. */
    finish(outcome: OrderOutcome): OrderOutcome;
    /** What a side-effecting activity of `step` gets: the order, its ledger partition and its idempotency key. */
    keyed(step: OrderStep): { order_id: string; instance_id: string; idempotency_key: string };
}

export function orderRun(context: OrchestrationContextLike, order: OrderInput): OrderRun {
    const instanceId = context.df.instanceId;
    const progress = (step: OrderStepName, outcome?: OrderOutcome['status']): void => {
        const status: OrderProgress = { step, order_id: order.order_id, ...(outcome ? { outcome } : {}) };
        context.df.setCustomStatus(status);
    };
    return {
        context,
        order,
        progress: (step) => progress(step),
        finish: (outcome) => {
            progress('done', outcome.status);
            return outcome;
        },
        keyed: (step) => ({
            order_id: order.order_id,
            instance_id: instanceId,
            idempotency_key: idempotencyKey(instanceId, step),
        }),
    };
}

/** validate_order: the business rules' verdict (no retry: it has no service to wait for). */
export function* validate(run: OrderRun): Generator<Task, ValidateOrderResult, unknown> {
    run.progress('validating');
    return parseOrThrow(
        ValidateOrderResultSchema,
        yield run.context.df.callActivity(ActivityNames.validateOrder, run.order),
        self,
        `${ActivityNames.validateOrder} result`,
    );
}

/** reserve_stock (version 2 on), retried: a hold on the order's lines, or the answer that there is no stock. */
export function* reserve(run: OrderRun): Generator<Task, ReserveStockResult, unknown> {
    run.progress('reserving');
    const input: ReserveStockInput = { ...run.keyed('reserve'), items: run.order.items };
    return parseOrThrow(
        ReserveStockResultSchema,
        yield run.context.df.callActivityWithRetry(ActivityNames.reserveStock, serviceRetry(), input),
        self,
        `${ActivityNames.reserveStock} result`,
    );
}

/** release_stock (version 2 on), retried: gives the hold back; throws when every attempt failed. */
export function* release(run: OrderRun, reservationId: string): Generator<Task, void, unknown> {
    run.progress('releasing');
    const input: ReleaseStockInput = { ...run.keyed('release'), reservation_id: reservationId };
    parseOrThrow(
        ReleaseStockResultSchema,
        yield run.context.df.callActivityWithRetry(ActivityNames.releaseStock, serviceRetry(), input),
        self,
        `${ActivityNames.releaseStock} result`,
    );
}

/** charge_customer, retried on transient failures; throws when every attempt failed. */
export function* charge(run: OrderRun, amount: Money): Generator<Task, ChargeCustomerResult, unknown> {
    run.progress('charging');
    const input: ChargeCustomerInput = { ...run.keyed('charge'), amount, payment_method: run.order.payment_method };
    return parseOrThrow(
        ChargeCustomerResultSchema,
        yield run.context.df.callActivityWithRetry(ActivityNames.chargeCustomer, serviceRetry(), input),
        self,
        `${ActivityNames.chargeCustomer} result`,
    );
}

export type Shipment =
    { readonly shipped: true; readonly tracking: string } | { readonly shipped: false; readonly reason: string };

/** fulfill_order, retried; a fulfillment that kept failing is a shipment that did not happen, with the reason. */
export function* fulfill(run: OrderRun): Generator<Task, Shipment, unknown> {
    run.progress('fulfilling');
    const input: FulfillOrderInput = { ...run.keyed('fulfil'), items: run.order.items };
    // Only the activity's failure is caught: a result that does not parse is a bug and fails the instance.
    let fulfilled: unknown;
    let fulfillError: string | undefined;
    try {
        fulfilled = yield run.context.df.callActivityWithRetry(ActivityNames.fulfillOrder, serviceRetry(), input);
    } catch (error) {
        // Every attempt failed: the goods will not go out, so the money goes back.
        fulfillError = `Fulfillment kept failing: ${errorText(error)}`;
    }
    const result =
        fulfillError === undefined
            ? parseOrThrow(FulfillOrderResultSchema, fulfilled, self, `${ActivityNames.fulfillOrder} result`)
            : ({ status: 'unfulfillable', reason: fulfillError } as const);
    return result.status === 'shipped'
        ? { shipped: true, tracking: result.tracking_number }
        : { shipped: false, reason: result.reason };
}

/** refund_payment of the whole charge, retried; throws when every attempt failed (money needs a person). */
export function* refund(
    run: OrderRun,
    charged: { readonly charge_id: string; readonly amount: Money },
): Generator<Task, RefundPaymentResult, unknown> {
    run.progress('refunding');
    const input: RefundPaymentInput = { ...run.keyed('refund'), charge_id: charged.charge_id, amount: charged.amount };
    return parseOrThrow(
        RefundPaymentResultSchema,
        yield run.context.df.callActivityWithRetry(ActivityNames.refundPayment, serviceRetry(), input),
        self,
        `${ActivityNames.refundPayment} result`,
    );
}

/** send_notification of a completed order; a notification that kept failing is `failed`, not a failure. */
export function* notify(run: OrderRun): Generator<Task, 'sent' | 'skipped' | 'failed', unknown> {
    run.progress('notifying');
    const input: SendNotificationInput = {
        ...run.keyed('notify'),
        email: run.order.email ?? null,
        status: 'completed',
    };
    let notified: unknown;
    try {
        notified = yield run.context.df.callActivityWithRetry(
            ActivityNames.sendNotification,
            notificationRetry(),
            input,
        );
    } catch {
        // The order stands; the ledger has each failed attempt for whoever follows up.
        return 'failed';
    }
    return parseOrThrow(SendNotificationResultSchema, notified, self, `${ActivityNames.sendNotification} result`)
        .status;
}

export function errorText(error: unknown): string {
    return error instanceof Error ? error.message : String(error);
}
