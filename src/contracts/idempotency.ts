/** The side-effecting steps of an order, each done at most once per order. */
export type OrderStep = 'charge' | 'fulfil' | 'refund' | 'notify';

/**
 * The idempotency key of one step of one order: the instance id (itself derived from the order id, see
 * src/orders/order-instance-id.ts) and the step. The same for every attempt and every replay, so a service
 * that sees it twice acts once.
 */
export function idempotencyKey(instanceId: string, step: OrderStep): string {
    return `${instanceId}:${step}`;
}
