import { z } from 'zod';
import { type Money, moneyFromCents, UNIT_PRICE_CENTS } from './money';

/**
 * The largest quantity one line may carry. It keeps every order total a safe integer of cents (and is
 * more than any real basket needs); bigger numbers are a type error at the boundary, not a business rule.
 */
export const MAX_QUANTITY = 10_000;

/**
 * One order line. Both `sku` and `name` are optional at the boundary so a caller can name an item either
 * way; that a line names *something* is a business rule checked by `validate_order`. `quantity` defaults
 * to 1. Unknown keys are dropped.
 */
export const OrderItemSchema = z.object({
    sku: z.string().trim().min(1, { error: 'sku must not be empty' }).optional(),
    name: z.string().trim().min(1, { error: 'name must not be empty' }).optional(),
    quantity: z
        .int({ error: 'quantity must be a whole number' })
        .min(1, { error: 'quantity must be at least 1' })
        .max(MAX_QUANTITY, { error: `quantity must be at most ${MAX_QUANTITY}` })
        .default(1),
});
export type OrderItem = z.infer<typeof OrderItemSchema>;

/**
 * An item as a SKU string, the reference recipe's shape (`"items": ["widget-a", "widget-b"]`), read as
 * `{sku, quantity: 1}` so everything after the boundary sees one shape.
 */
const SkuStringSchema = z
    .string()
    .trim()
    .min(1, { error: 'an item given as a string is a SKU and must not be empty' })
    .transform((sku): OrderItem => ({ sku, quantity: 1 }));

/** The most lines one order may have: far above a real basket, low enough to bound one activity's input. */
export const MAX_ORDER_LINES = 1_000;

/** The payment method when the order names none: the gateway's always-successful test card. */
export const DEFAULT_PAYMENT_METHOD = 'pm_card_visa';

/**
 * The input of the `order_processing` orchestrator. The boundary checks shapes and types only: an empty
 * `items` list passes here and is rejected by `validate_order` ("No items in order"). The parsed value is
 * canonical (string items become objects, defaults are filled in): it is what the instance is started with
 * and what a repeated POST is compared against.
 */
export const OrderInputSchema = z.object({
    order_id: z
        .string({ error: 'order_id is required and must be a string' })
        .trim()
        .min(1, { error: 'order_id must not be empty' })
        .max(100, { error: 'order_id must be at most 100 characters' }),
    items: z
        .array(z.union([SkuStringSchema, OrderItemSchema], { error: 'an item is a SKU string or an object' }), {
            error: 'items is required and must be an array',
        })
        .max(MAX_ORDER_LINES, { error: `an order has at most ${MAX_ORDER_LINES} items` }),
    email: z.email({ error: 'email must be a valid email address' }).optional(),
    payment_method: z
        .string({ error: 'payment_method must be a string' })
        .trim()
        .min(1, { error: 'payment_method must not be empty' })
        .max(100, { error: 'payment_method must be at most 100 characters' })
        .default(DEFAULT_PAYMENT_METHOD),
});
export type OrderInput = z.infer<typeof OrderInputSchema>;

/** What the business rules say about an order: accepted with its total, or rejected with a reason. */
export type OrderCheck = { readonly ok: true; readonly total: Money } | { readonly ok: false; readonly reason: string };

/** Rejection reasons, kept as data so tests and docs quote the same text. */
export const RejectionReason = {
    noItems: 'No items in order',
    unnamedItem: (position: number) => `Item ${position} has neither a sku nor a name`,
} as const;

/** The business rules of an order: at least one line, every line identifies an item. Pure. */
export function checkOrder(order: OrderInput): OrderCheck {
    if (order.items.length === 0) {
        return { ok: false, reason: RejectionReason.noItems };
    }
    const unnamed = order.items.findIndex((item) => item.sku === undefined && item.name === undefined);
    if (unnamed !== -1) {
        return { ok: false, reason: RejectionReason.unnamedItem(unnamed + 1) };
    }
    return { ok: true, total: orderTotal(order.items) };
}

/** The total of the lines at the shop's unit price, summed in cents. */
export function orderTotal(items: readonly OrderItem[]): Money {
    const cents = items.reduce((sum, item) => sum + item.quantity * UNIT_PRICE_CENTS, 0);
    return moneyFromCents(cents);
}
