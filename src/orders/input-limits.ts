/**
 * How big anything a client sends in may be, in one place (docs/api.md "Limits"). The Functions host bounds a
 * request only at 100 MB (FUNCTIONS_REQUEST_BODY_SIZE_LIMIT's default); without bounds of its own the app
 * would start an instance with a 20 MB SKU and carry it through history, queue messages, the ledger and every
 * replay. Each number is far above a real order and far below what would strain storage or memory. The
 * reference recipe's requests (`{"order_id": "12345", "items": ["widget-a", "widget-b"]}`) are tiny next to
 * every one of them. Lengths are counted in UTF-16 code units (JavaScript's `length`), as zod counts them.
 */

/**
 * Request body of `POST /api/orchestrations/{function_name}`, in bytes, checked before the body is parsed
 * (413 above it). 8 MiB holds the largest valid order (1,000 lines of the longest SKU and name: about 0.3 MB,
 * under 1 MB in non-Latin scripts) and the longest valid parallel list in plain text (10,000 items of 512
 * characters: about 5.1 MB), while refusing anything near the host's 100 MB before it is read into memory.
 */
export const MAX_REQUEST_BODY_BYTES = 8 * 1024 * 1024;

/**
 * `order_id`: order numbers are short; 100 characters also keeps the derived instance id (at most 146
 * characters, src/orders/order-instance-id.ts) well inside Durable's 256 and a readable log line.
 */
export const MAX_ORDER_ID_CHARS = 100;

/**
 * An item's SKU (a string item, or `sku` of an object item). Retail SKUs are codes of 8 to 12 characters and
 * a GTIN has 14 digits; 64 leaves room for vendor prefixes and variant suffixes. A SKU is repeated in ledger
 * records and rejection reasons, so it should stay a code, not a document.
 */
export const MAX_SKU_CHARS = 64;

/** An item's `name`: a product title. Large marketplaces cap titles at 200 characters; so does this shop. */
export const MAX_ITEM_NAME_CHARS = 200;

/** Lines per order: far above a real basket, low enough to bound one activity's input (about 0.3 MB). */
export const MAX_ORDER_LINES = 1_000;

/**
 * The largest quantity one line may carry. It keeps every order total a safe integer of cents (and is more
 * than any real basket needs); bigger numbers are a type error at the boundary, not a business rule.
 */
export const MAX_QUANTITY = 10_000;

/** `email`: 254 characters is the longest address SMTP can deliver to (RFC 5321's 256-octet path, minus `<>`). */
export const MAX_EMAIL_CHARS = 254;

/** `payment_method`: a payment method id (`pm_card_visa`, a gateway's 27-character ids); 100 is plenty. */
export const MAX_PAYMENT_METHOD_CHARS = 100;

/**
 * Items of one parallel_processing run: 40 waves of 250-item batches, about 4 s on the devhost. The run's
 * output echoes every item, so this and MAX_PARALLEL_ITEM_JSON_CHARS together bound the instance's output.
 */
export const MAX_PARALLEL_ITEMS = 10_000;

/**
 * One parallel_processing item, as JSON text. An item is one thing to process (a SKU, an id, a small object
 * naming it); 512 characters fits an object with an id, a SKU, a 200-character name and a few attributes.
 * Each item travels alone as a process_item input and comes back in the output.
 */
export const MAX_PARALLEL_ITEM_JSON_CHARS = 512;

/**
 * Ids inside the workflow (instance ids, idempotency keys): Durable's instance ids are at most 256 characters,
 * and an idempotency key is an instance id plus `:` and a step name.
 */
export const MAX_INSTANCE_ID_CHARS = 256;
export const MAX_IDEMPOTENCY_KEY_CHARS = MAX_INSTANCE_ID_CHARS + 16;

/**
 * Field errors listed in one 400 problem document. A body of 8 MiB can hold a hundred thousand invalid items;
 * the first 50 say what is wrong without answering with megabytes (the `detail` says how many there were).
 */
export const MAX_FIELD_ERRORS = 50;
