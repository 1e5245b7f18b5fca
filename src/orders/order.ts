import { z } from 'zod';
import {
    MAX_EMAIL_CHARS,
    MAX_ITEM_NAME_CHARS,
    MAX_ORDER_ID_CHARS,
    MAX_ORDER_LINES,
    MAX_PAYMENT_METHOD_CHARS,
    MAX_QUANTITY,
    MAX_SKU_CHARS,
} from './input-limits';
import { type Money, moneyFromCents, UNIT_PRICE_CENTS } from './money';

// The limits live in src/orders/input-limits.ts with the reason for each; these two are also read from here.
export { MAX_ORDER_LINES, MAX_QUANTITY };

const SKU_TOO_LONG = `a SKU is at most ${MAX_SKU_CHARS} characters`;

/**
 * One order line. Both `sku` and `name` are optional at the boundary so a caller can name an item either
 * way; that a line names *something* is a business rule checked by `validate_order`. `quantity` defaults
 * to 1. Unknown keys are dropped.
 */
export const OrderItemSchema = z.object({
    sku: z
        .string()
        .trim()
        .min(1, { error: 'sku must not be empty' })
        .max(MAX_SKU_CHARS, { error: SKU_TOO_LONG })
        .optional(),
    name: z
        .string()
        .trim()
        .min(1, { error: 'name must not be empty' })
        .max(MAX_ITEM_NAME_CHARS, { error: `name is at most ${MAX_ITEM_NAME_CHARS} characters` })
        .optional(),
    quantity: z
        .int({ error: 'quantity must be a whole number' })
        .min(1, { error: 'quantity must be at least 1' })
        .max(MAX_QUANTITY, { error: `quantity must be at most ${MAX_QUANTITY}` })
        .default(1),
});
export type OrderItem = z.infer<typeof OrderItemSchema>;

/** An item as a SKU string, the reference recipe's shape (`"items": ["widget-a", "widget-b"]`). */
const SkuStringSchema = z
    .string()
    .trim()
    .min(1, { error: 'an item given as a string is a SKU and must not be empty' })
    .max(MAX_SKU_CHARS, { error: SKU_TOO_LONG });

/**
 * One order line as a client may write it, read as `{sku, quantity, ...}` so everything after the boundary
 * sees one shape (a SKU string becomes `{sku, quantity: 1}`). The string is turned into an object after the
 * union, not inside it: a transform inside would hide why a string failed (too long, blank) behind the
 * union's "an item is a SKU string or an object".
 */
const OrderLineSchema = z
    .union([SkuStringSchema, OrderItemSchema], { error: 'an item is a SKU string or an object' })
    .transform((line): OrderItem => (typeof line === 'string' ? { sku: line, quantity: 1 } : line));

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
        .max(MAX_ORDER_ID_CHARS, { error: `order_id must be at most ${MAX_ORDER_ID_CHARS} characters` }),
    items: z
        .array(OrderLineSchema, { error: 'items is required and must be an array' })
        .max(MAX_ORDER_LINES, { error: `an order has at most ${MAX_ORDER_LINES} items` }),
    email: z
        .email({ error: 'email must be a valid email address' })
        .max(MAX_EMAIL_CHARS, { error: `email must be at most ${MAX_EMAIL_CHARS} characters` })
        .optional(),
    payment_method: z
        .string({ error: 'payment_method must be a string' })
        .trim()
        .min(1, { error: 'payment_method must not be empty' })
        .max(MAX_PAYMENT_METHOD_CHARS, {
            error: `payment_method must be at most ${MAX_PAYMENT_METHOD_CHARS} characters`,
        })
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
