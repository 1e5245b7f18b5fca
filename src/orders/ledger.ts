import { z } from 'zod';

/**
 * The order ledger: what happened to an order's money, goods and messages, written by the activities as it
 * happens, read by `GET /api/orders/{order_id}`. One order's records live together under the order's key
 * (its instance id). Charges, refunds, shipments, stock reservations and releases happen at most once per
 * order: the first record of a kind wins, so an activity that runs again records nothing new. Notification
 * attempts are each recorded.
 */
export const LedgerRecordSchema = z.discriminatedUnion('kind', [
    z.object({ kind: z.literal('charge'), id: z.string(), amount_cents: z.int().nonnegative(), at: z.iso.datetime() }),
    z.object({
        kind: z.literal('refund'),
        id: z.string(),
        amount_cents: z.int().nonnegative(),
        charge_id: z.string(),
        at: z.iso.datetime(),
    }),
    z.object({ kind: z.literal('shipment'), tracking_number: z.string(), at: z.iso.datetime() }),
    /** Version 2 orders: the stock held for the order, and its release when the order did not ship. */
    z.object({ kind: z.literal('reservation'), id: z.string(), at: z.iso.datetime() }),
    z.object({ kind: z.literal('release'), reservation_id: z.string(), at: z.iso.datetime() }),
    z.object({
        kind: z.literal('notification'),
        to: z.string(),
        outcome: z.enum(['sent', 'failed']),
        message_id: z.string().nullable(),
        error: z.string().nullable(),
        at: z.iso.datetime(),
    }),
]);
export type LedgerRecord = z.infer<typeof LedgerRecordSchema>;
export type OnceRecord = Extract<LedgerRecord, { kind: 'charge' | 'refund' | 'shipment' | 'reservation' | 'release' }>;
export type NotificationRecord = Extract<LedgerRecord, { kind: 'notification' }>;

export interface OrderLedger {
    /** The order's record of `kind`, if there is one. */
    find<K extends OnceRecord['kind']>(
        orderKey: string,
        kind: K,
    ): Promise<Extract<OnceRecord, { kind: K }> | undefined>;
    /** Stores the order's one record of its kind unless one exists; resolves with the stored record. */
    recordOnce<R extends OnceRecord>(orderKey: string, orderId: string, record: R): Promise<R>;
    /** Adds one notification attempt. */
    appendNotification(orderKey: string, orderId: string, record: NotificationRecord): Promise<void>;
    /** Every record of the order, charges first, then refunds, shipment, notifications by time. */
    read(orderKey: string): Promise<LedgerRecord[]>;
}

/**
 * Keys a service has seen: what a payment gateway keeps to honour idempotency keys. The test-mode gateway
 * uses it to fail the first attempt of a flaky card exactly once per order, across processes and restarts.
 */
export interface KeyRegister {
    /** True the first time `key` is registered, false ever after. */
    registerFirstUse(key: string): Promise<boolean>;
}
