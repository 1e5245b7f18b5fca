import * as df from 'durable-functions';
import {
    createInProcessFulfilmentService,
    createInProcessNotifier,
    createInProcessPaymentGateway,
} from '../orders/in-process-adapters';
import { createChargeCustomer } from '../workflows/charge-customer';
import { createFulfillOrder } from '../workflows/fulfill-order';
import { ActivityNames } from '../workflows/names';
import { createSendNotification } from '../workflows/send-notification';
import { validateOrder } from '../workflows/validate-order';

// The activities of order_processing, wired to the in-process adapters. Swapping in real services means
// changing these three lines, not the activities.
const payments = createInProcessPaymentGateway();
const fulfilment = createInProcessFulfilmentService();
const notifier = createInProcessNotifier();

df.app.activity(ActivityNames.validateOrder, { handler: validateOrder });
df.app.activity(ActivityNames.chargeCustomer, { handler: createChargeCustomer(payments) });
df.app.activity(ActivityNames.fulfillOrder, { handler: createFulfillOrder(fulfilment) });
df.app.activity(ActivityNames.sendNotification, { handler: createSendNotification(notifier) });
