/**
 * The inputs that make the test-mode services fail, deterministically, like a payment gateway's test cards
 * (docs/api.md "Test mode"). Everything else succeeds.
 */
export const TestMode = {
    /** The gateway declines the charge: the order ends `payment_declined`, nothing is retried. */
    declinedCard: 'pm_card_declined',
    /** The first charge attempt of each order fails transiently; the retry succeeds. */
    flakyCard: 'pm_card_flaky',
    /**
     * The warehouse has none of this SKU. A version 2 order is rejected when its stock is reserved, before any
     * charge; a version 1 order (started before versioning) is charged, fails fulfillment and is refunded.
     */
    outOfStockSku: 'TEST-OUT-OF-STOCK',
    /** The SKU is in stock but the warehouse cannot ship it: fulfillment fails after the charge, which is refunded. */
    warehouseDownSku: 'TEST-WAREHOUSE-DOWN',
    /** Every message to an address at this domain bounces: the order completes with `notification: "failed"`. */
    bouncingDomain: 'bounce.test',
} as const;

export const DECLINE_REASON = 'Your card was declined.';
