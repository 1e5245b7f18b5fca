import type { Task } from 'durable-functions';
import type { OrderOutcome } from '../contracts/order-outcome';
import { charge, fulfill, notify, type OrderRun, refund, validate } from './order-steps';

/**
 * order_processing version 1 (`""` or `"1.x"`: every order started before versioning): validate → charge →
 * fulfill → notify, with a refund when fulfillment fails. FROZEN while version 1 orders may be in flight: their
 * histories replay through exactly these steps (test/app/replay/), so nothing here may change its calls or
 * their order. Delete it when no version 1 order is left (docs/changing-the-order-workflow.md).
 * - rejected: validation failed; nothing charged.
 * - payment_declined: the gateway declined; nothing charged, nothing shipped (declines are not retried).
 * - failed: fulfillment failed for good (or kept failing) after the charge; the charge is refunded.
 * - completed: charged and shipped; `notification` says whether the customer was told.
 * A charge that keeps failing, or a refund that does, fails the instance.
 */
export function* orderProcessingV1(run: OrderRun): Generator<Task, OrderOutcome, unknown> {
    const { order_id } = run.order;
    const verdict = yield* validate(run);
    if (!verdict.valid) return run.finish({ status: 'rejected', order_id, reason: verdict.reason });

    const charged = yield* charge(run, verdict.amount);
    if (charged.status === 'declined')
        return run.finish({ status: 'payment_declined', order_id, reason: charged.reason });

    const shipment = yield* fulfill(run);
    if (!shipment.shipped) {
        const { refund_id } = yield* refund(run, charged);
        return run.finish({ status: 'failed', order_id, reason: shipment.reason, refunded: true, refund_id });
    }

    const notification = yield* notify(run);
    return run.finish({
        status: 'completed',
        order_id,
        charge_id: charged.charge_id,
        tracking_number: shipment.tracking,
        amount: charged.amount,
        notification,
    });
}
