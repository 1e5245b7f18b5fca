/**
 * Function names are the app's public contract (the Durable HTTP API, history rows and other apps refer to
 * them), so they are spelled once, here.
 */
export const OrchestratorNames = {
    orderProcessing: 'order_processing',
    parallelProcessing: 'parallel_processing',
    /** A sub-orchestration of parallel_processing (one batch of items); not startable over HTTP. */
    parallelProcessingBatch: 'parallel_processing_batch',
} as const;
export type OrchestratorName = (typeof OrchestratorNames)[keyof typeof OrchestratorNames];

export const ActivityNames = {
    validateOrder: 'validate_order',
    /** Version 2 orders: holds the order's stock before the charge. */
    reserveStock: 'reserve_stock',
    /** Version 2 orders: gives a hold back when the order will not ship. */
    releaseStock: 'release_stock',
    chargeCustomer: 'charge_customer',
    fulfillOrder: 'fulfill_order',
    refundPayment: 'refund_payment',
    sendNotification: 'send_notification',
    processItem: 'process_item',
} as const;
export type ActivityName = (typeof ActivityNames)[keyof typeof ActivityNames];
