/**
 * Function names are the app's public contract (the Durable HTTP API, history rows and other apps refer to
 * them), so they are spelled once, here.
 */
export const OrchestratorNames = {
    orderProcessing: 'order_processing',
    parallelProcessing: 'parallel_processing',
} as const;
export type OrchestratorName = (typeof OrchestratorNames)[keyof typeof OrchestratorNames];

export const ActivityNames = {
    validateOrder: 'validate_order',
    chargeCustomer: 'charge_customer',
    fulfillOrder: 'fulfill_order',
    sendNotification: 'send_notification',
    processItem: 'process_item',
} as const;
export type ActivityName = (typeof ActivityNames)[keyof typeof ActivityNames];
