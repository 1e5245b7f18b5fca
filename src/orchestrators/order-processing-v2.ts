import type { Task } from 'durable-functions';
import type { ChargeCustomerResult } from '../contracts/charge-customer';
import type { OrderOutcome } from '../contracts/order-outcome';
import { charge, fulfill, notify, type OrderRun, refund, release, reserve, validate } from './order-steps';

/**
 * order_processing version 2 (`"2.x"`): the stock is reserved before the charge, so an order the warehouse
 * cannot supply is rejected without ever being charged. validate → reserve stock → charge → fulfill → notify.
 * - rejected: validation failed, or there is no stock (`reserve_stock` answered `out_of_stock`); nothing
 *   reserved, nothing charged.
 * - payment_declined: the gateway declined; the stock is released; nothing charged.
 * - failed: fulfillment failed for good (or kept failing) after the charge; the charge is refunded, then the
 *   stock released (compensation in reverse order).
 * - completed: reserved, charged and shipped; `notification` as in version 1.
 * A charge that keeps failing releases the stock, then fails the instance with the charge's error; a
 * reservation, refund or release that keeps failing fails the instance. Every side effect carries the
 * idempotency key of instance and step, so a re-run acts once.
 */
export function* orderProcessingV2(run: OrderRun): Generator<Task, OrderOutcome, unknown> {
    const { order_id } = run.order;
    const verdict = yield* validate(run);
    if (!verdict.valid) return run.finish({ status: 'rejected', order_id, reason: verdict.reason });

    const held = yield* reserve(run);
    if (held.status === 'out_of_stock') return run.finish({ status: 'rejected', order_id, reason: held.reason });

    let charged: ChargeCustomerResult;
    try {
        charged = yield* charge(run, verdict.amount);
    } catch (error) {
        // Every attempt failed: nothing was charged, so give the stock back before the instance fails.
        yield* release(run, held.reservation_id);
        throw error;
    }
    if (charged.status === 'declined') {
        yield* release(run, held.reservation_id);
        return run.finish({ status: 'payment_declined', order_id, reason: charged.reason });
    }

    const shipment = yield* fulfill(run);
    if (!shipment.shipped) {
        const { refund_id } = yield* refund(run, charged);
        yield* release(run, held.reservation_id);
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
