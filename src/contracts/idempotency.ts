/**
 * The side-effecting steps of an order, each done at most once per order. `reserve` and `release` (the stock
 * hold) are steps of version 2 orders only (src/orchestrators/order-processing-v2.ts).
 */
// `fulfil` (one l) is part of the keys already in ledgers and in the histories of orders in flight: renamed,
// a retried shipment would not find its first attempt and could ship twice. The code otherwise says "fulfill".
export type OrderStep = 'reserve' | 'charge' | 'fulfil' | 'refund' | 'release' | 'notify';

/**
 * The idempotency key of one step of one order: the instance id (itself derived from the order id, see
 * src/orders/order-instance-id.ts) and the step. The same for every attempt and every replay, so a service
 * that sees it twice acts once.
 */
export function idempotencyKey(instanceId: string, step: OrderStep): string {
    return `${instanceId}:${step}`;
}
