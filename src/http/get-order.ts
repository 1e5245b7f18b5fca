import { type HttpRequest, HttpResponse, type InvocationContext } from '@azure/functions';
import type { DurableClient } from 'durable-functions';
import { z } from 'zod';
import type { LedgerRecord, OrderLedger } from '../orders/ledger';
import { orderInstanceId } from '../orders/order-instance-id';
import { isInstanceNotFoundError } from './get-status';
import { problemResponse, ProblemType } from './problem';

export type OrderStatusClient = Pick<DurableClient, 'getStatus'>;

/** The body of a 200 from `GET /api/orders/{order_id}`. */
export interface OrderView {
    readonly order_id: string;
    readonly instance_id: string;
    readonly runtime_status: string | null;
    /** The orchestration output once it has completed, else null. */
    readonly outcome: unknown;
    /** Money movements, oldest first. */
    readonly ledger: readonly { kind: 'charge' | 'refund'; id: string; amount_cents: number; at: string }[];
    readonly shipment: { tracking_number: string; at: string } | null;
    readonly notifications: readonly {
        to: string;
        outcome: 'sent' | 'failed';
        message_id: string | null;
        error: string | null;
        at: string;
    }[];
}

const StatusSchema = z.object({ runtimeStatus: z.string(), output: z.unknown() });

/**
 * `GET /api/orders/{order_id}`: the order's instance status and outcome with what the ledger recorded.
 * 404 (problem document) when there is neither an instance nor a ledger record for the order.
 */
export async function getOrder(
    request: HttpRequest,
    client: OrderStatusClient,
    ledger: OrderLedger,
    context: InvocationContext,
): Promise<HttpResponse> {
    const orderId = request.params['order_id'] ?? '';
    const instanceId = orderInstanceId(orderId);
    let status: z.infer<typeof StatusSchema> | undefined;
    let records: LedgerRecord[];
    try {
        status = await readStatus(client, instanceId);
        records = await ledger.read(instanceId);
    } catch (error) {
        context.error(`Reading order ${orderId} (${instanceId}) failed:`, error);
        return problemResponse({
            type: ProblemType.upstreamFailure,
            title: 'Order unavailable',
            status: 502,
            detail: `Order '${orderId}' could not be read. Try again later.`,
        });
    }
    if (status === undefined && records.length === 0) {
        return problemResponse({
            type: ProblemType.notFound,
            title: 'Order not found',
            status: 404,
            detail: `There is no order '${orderId}'.`,
        });
    }
    const view: OrderView = {
        order_id: orderId,
        instance_id: instanceId,
        runtime_status: status?.runtimeStatus ?? null,
        outcome: status?.runtimeStatus === 'Completed' ? (status.output ?? null) : null,
        ledger: records.flatMap((record) =>
            record.kind === 'charge' || record.kind === 'refund'
                ? [{ kind: record.kind, id: record.id, amount_cents: record.amount_cents, at: record.at }]
                : [],
        ),
        shipment:
            records
                .filter((record) => record.kind === 'shipment')
                .map((record) => ({ tracking_number: record.tracking_number, at: record.at }))[0] ?? null,
        notifications: records.flatMap((record) =>
            record.kind === 'notification'
                ? [
                      {
                          to: record.to,
                          outcome: record.outcome,
                          message_id: record.message_id,
                          error: record.error,
                          at: record.at,
                      },
                  ]
                : [],
        ),
    };
    return new HttpResponse({ status: 200, jsonBody: view });
}

async function readStatus(
    client: OrderStatusClient,
    instanceId: string,
): Promise<z.infer<typeof StatusSchema> | undefined> {
    try {
        const status: unknown = await client.getStatus(instanceId, { showInput: false });
        if (status === undefined || status === null) return undefined;
        return StatusSchema.parse(status);
    } catch (error) {
        if (isInstanceNotFoundError(error)) return undefined;
        throw error;
    }
}
