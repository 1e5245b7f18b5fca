import type { InvocationContext } from '@azure/functions';
import { parseOrThrow } from '../contracts/boundary';
import { FulfillOrderInputSchema, type FulfillOrderResult } from '../contracts/fulfill-order';
import { ActivityNames } from '../contracts/names';
import type { OrderLedger } from '../orders/ledger';
import type { FulfillmentService } from '../orders/ports';

/**
 * Activity `fulfill_order`: ships the order's lines once (a shipment in the ledger is the answer on a re-run)
 * and records the tracking number. Goods the warehouse cannot supply are a result, not a throw.
 */
export function createFulfillOrder(fulfillment: FulfillmentService, ledger: OrderLedger) {
    return async (input: unknown, context: InvocationContext): Promise<FulfillOrderResult> => {
        const request = parseOrThrow(FulfillOrderInputSchema, input, ActivityNames.fulfillOrder, 'input');
        const recorded = await ledger.find(request.instance_id, 'shipment');
        if (recorded !== undefined) return { status: 'shipped', tracking_number: recorded.tracking_number };
        const outcome = await fulfillment.ship({
            idempotencyKey: request.idempotency_key,
            orderId: request.order_id,
            items: request.items,
        });
        if (outcome.kind === 'unfulfillable') {
            context.log(`Order ${request.order_id} cannot be fulfilled: ${outcome.reason}`);
            return { status: 'unfulfillable', reason: outcome.reason };
        }
        const stored = await ledger.recordOnce(request.instance_id, request.order_id, {
            kind: 'shipment',
            tracking_number: outcome.trackingNumber,
            at: new Date().toISOString(),
        });
        context.log(`Order ${request.order_id} shipped (${stored.tracking_number})`);
        return { status: 'shipped', tracking_number: stored.tracking_number };
    };
}
