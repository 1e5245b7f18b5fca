import { z } from 'zod';
import { MAX_PARALLEL_ITEM_JSON_CHARS, MAX_PARALLEL_ITEMS } from './input-limits';

// The limit lives in src/orders/input-limits.ts with its reason; it is also read from here.
export { MAX_PARALLEL_ITEMS };

/**
 * One parallel_processing item: any JSON value of at most MAX_PARALLEL_ITEM_JSON_CHARS as JSON text. Checked
 * where the list arrives (http_start, the orchestrators' inputs) and where one item arrives (process_item).
 */
export const ParallelItemSchema = z
    .unknown()
    .refine((item) => (JSON.stringify(item) ?? '').length <= MAX_PARALLEL_ITEM_JSON_CHARS, {
        error: `an item is at most ${MAX_PARALLEL_ITEM_JSON_CHARS} characters as JSON`,
    });

/**
 * The input of the `parallel_processing` orchestrator: any JSON values, at most MAX_PARALLEL_ITEMS. An empty
 * list is allowed and gives a summary with `total: 0`; whether one value can be processed is decided per
 * item by `process_item`.
 */
export const ParallelInputSchema = z.object({
    items: z
        .array(ParallelItemSchema, { error: 'items is required and must be an array' })
        .max(MAX_PARALLEL_ITEMS, { error: `items has more than ${MAX_PARALLEL_ITEMS} entries (the maximum)` }),
});
export type ParallelInput = z.infer<typeof ParallelInputSchema>;

/** The outcome of processing one value: a label for it, or the reason it cannot be processed. */
export type ItemOutcome =
    { readonly ok: true; readonly label: string } | { readonly ok: false; readonly error: string };

const IDENTITY_KEYS = ['id', 'sku', 'name'] as const;

/**
 * Decides whether a value is a processable item and names it. Processable: a non-blank string, a finite
 * number, or an object with a non-blank string `id`, `sku` or `name` (first one wins). Anything else
 * (null, booleans, arrays, blank strings, anonymous objects) is an item this shop cannot process. Pure.
 */
export function describeItem(item: unknown): ItemOutcome {
    if (typeof item === 'string') {
        return item.trim() === '' ? { ok: false, error: 'Item is a blank string' } : { ok: true, label: item };
    }
    if (typeof item === 'number') {
        return Number.isFinite(item) ? { ok: true, label: String(item) } : { ok: false, error: 'Item is not finite' };
    }
    if (typeof item === 'object' && item !== null && !Array.isArray(item)) {
        for (const key of IDENTITY_KEYS) {
            const value: unknown = Reflect.get(item, key);
            if (typeof value === 'string' && value.trim() !== '') {
                return { ok: true, label: value };
            }
        }
        return { ok: false, error: 'Item object has no id, sku or name' };
    }
    return {
        ok: false,
        error: `Item of type ${item === null ? 'null' : Array.isArray(item) ? 'array' : typeof item} cannot be processed`,
    };
}
