import { createHash } from 'node:crypto';

/**
 * The instance id of an order, a pure function of its `order_id`, so the same order always lands on the same
 * instance (docs/api.md "Idempotent starts"):
 * - an order_id of letters, digits, `-` and `_` (the common case) maps to `order-<order_id>`, readable in
 *   every log and URL;
 * - any other order_id (spaces, `/`, `#`, non-ASCII, ...) maps to `order~<first 40 hex digits of its
 *   SHA-256>`. `~` never appears in the first form, so the two cannot collide.
 * Both are valid instance ids (at most 146 characters, none of `/ \ ? #` or control characters) and valid
 * Table storage keys, which the ledger relies on.
 */
export function orderInstanceId(orderId: string): string {
    if (/^[A-Za-z0-9_-]+$/.test(orderId)) return `order-${orderId}`;
    return `order~${createHash('sha256').update(orderId, 'utf8').digest('hex').slice(0, 40)}`;
}
