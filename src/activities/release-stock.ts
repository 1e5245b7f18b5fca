import type { InvocationContext } from '@azure/functions';
import { parseOrThrow } from '../contracts/boundary';
import { ActivityNames } from '../contracts/names';
import { ReleaseStockInputSchema, type ReleaseStockResult } from '../contracts/release-stock';
import type { OrderLedger } from '../orders/ledger';
import type { StockService } from '../orders/ports';

/**
 * Activity `release_stock` (version 2 orders): gives an order's stock hold back when the order will not ship
 * (the charge was declined or kept failing, or fulfillment failed). Once: a release in the ledger is the
 * answer; otherwise the warehouse is asked with the step's idempotency key and the release is recorded.
 */
export function createReleaseStock(stock: StockService, ledger: OrderLedger) {
    return async (input: unknown, context: InvocationContext): Promise<ReleaseStockResult> => {
        const request = parseOrThrow(ReleaseStockInputSchema, input, ActivityNames.releaseStock, 'input');
        const recorded = await ledger.find(request.instance_id, 'release');
        if (recorded !== undefined) return { status: 'released', reservation_id: recorded.reservation_id };
        await stock.release({ idempotencyKey: request.idempotency_key, reservationId: request.reservation_id });
        const stored = await ledger.recordOnce(request.instance_id, request.order_id, {
            kind: 'release',
            reservation_id: request.reservation_id,
            at: new Date().toISOString(),
        });
        context.log(`Stock hold ${stored.reservation_id} of order ${request.order_id} released`);
        return { status: 'released', reservation_id: stored.reservation_id };
    };
}
