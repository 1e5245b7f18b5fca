import type { InvocationContext } from '@azure/functions';
import { parseOrThrow } from '../contracts/boundary';
import { ActivityNames } from '../contracts/names';
import { ReserveStockInputSchema, type ReserveStockResult } from '../contracts/reserve-stock';
import type { OrderLedger } from '../orders/ledger';
import type { StockService } from '../orders/ports';

/**
 * Activity `reserve_stock` (version 2 orders): holds the order's lines in the warehouse once, before anything
 * is charged. A reservation already in the ledger is the answer (this is a re-run); otherwise the warehouse is
 * asked with the step's idempotency key (so a hold made by a run that died before recording it is returned,
 * not made twice) and the hold is recorded. Stock the warehouse does not have is a result, recorded nowhere;
 * a transient failure throws, for the orchestrator's retry policy.
 */
export function createReserveStock(stock: StockService, ledger: OrderLedger) {
    return async (input: unknown, context: InvocationContext): Promise<ReserveStockResult> => {
        const request = parseOrThrow(ReserveStockInputSchema, input, ActivityNames.reserveStock, 'input');
        const recorded = await ledger.find(request.instance_id, 'reservation');
        if (recorded !== undefined) return { status: 'reserved', reservation_id: recorded.id };
        const outcome = await stock.reserve({
            idempotencyKey: request.idempotency_key,
            orderId: request.order_id,
            items: request.items,
        });
        if (outcome.kind === 'out_of_stock') {
            context.log(`Order ${request.order_id}: no stock to reserve: ${outcome.reason}`);
            return { status: 'out_of_stock', reason: outcome.reason };
        }
        const stored = await ledger.recordOnce(request.instance_id, request.order_id, {
            kind: 'reservation',
            id: outcome.reservationId,
            at: new Date().toISOString(),
        });
        context.log(`Stock reserved for order ${request.order_id} (${stored.id})`);
        return { status: 'reserved', reservation_id: stored.id };
    };
}
