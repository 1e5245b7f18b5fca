import type { Task } from 'durable-functions';
import type { Money } from '../orders/money';
import { OrderInputSchema } from '../orders/order';
import { parseOrThrow } from './boundary';
import { ChargeCustomerResultSchema, type ChargeCustomerInput } from './charge-customer';
import { FulfillOrderResultSchema, type FulfillOrderInput } from './fulfill-order';
import { ActivityNames, OrchestratorNames } from './names';
import type { OrchestrationContextLike } from './orchestration-context';
import { SendNotificationResultSchema, type SendNotificationInput } from './send-notification';
import { ValidateOrderResultSchema } from './validate-order';

export type OrderOutcome =
    | { readonly status: 'rejected'; readonly order_id: string; readonly reason: string }
    | {
          readonly status: 'completed';
          readonly order_id: string;
          readonly charge_id: string;
          readonly tracking_number: string;
          readonly amount: Money;
      };

const self = OrchestratorNames.orderProcessing;

/**
 * Orchestrator `order_processing`: validate, charge, fulfil, notify. A rejected order ends early with the
 * reason; a failing activity is not caught, so the instance fails with that activity's error (there is no
 * compensation yet: a fulfilment failure after a successful charge leaves the charge in place).
 * Deterministic: every value it uses comes from its input or from yielded activity results.
 */
export function* orderProcessing(context: OrchestrationContextLike): Generator<Task, OrderOutcome, unknown> {
    const order = parseOrThrow(OrderInputSchema, context.df.getInput(), self, 'input');

    const verdict = parseOrThrow(
        ValidateOrderResultSchema,
        yield context.df.callActivity(ActivityNames.validateOrder, order),
        self,
        `${ActivityNames.validateOrder} result`,
    );
    if (!verdict.valid) {
        return { status: 'rejected', order_id: order.order_id, reason: verdict.reason };
    }

    const chargeInput: ChargeCustomerInput = { order_id: order.order_id, amount: verdict.amount };
    const charge = parseOrThrow(
        ChargeCustomerResultSchema,
        yield context.df.callActivity(ActivityNames.chargeCustomer, chargeInput),
        self,
        `${ActivityNames.chargeCustomer} result`,
    );

    const fulfilInput: FulfillOrderInput = { order_id: order.order_id, items: order.items };
    const shipment = parseOrThrow(
        FulfillOrderResultSchema,
        yield context.df.callActivity(ActivityNames.fulfillOrder, fulfilInput),
        self,
        `${ActivityNames.fulfillOrder} result`,
    );

    const notification: SendNotificationInput = {
        order_id: order.order_id,
        email: order.email ?? null,
        status: 'completed',
    };
    parseOrThrow(
        SendNotificationResultSchema,
        yield context.df.callActivity(ActivityNames.sendNotification, notification),
        self,
        `${ActivityNames.sendNotification} result`,
    );

    return {
        status: 'completed',
        order_id: order.order_id,
        charge_id: charge.charge_id,
        tracking_number: shipment.tracking_number,
        amount: charge.amount,
    };
}
