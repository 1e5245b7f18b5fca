import * as df from 'durable-functions';
import { createChargeCustomer } from '../activities/charge-customer';
import { createFulfillOrder } from '../activities/fulfill-order';
import { createRefundPayment } from '../activities/refund-payment';
import { createReleaseStock } from '../activities/release-stock';
import { createReserveStock } from '../activities/reserve-stock';
import { createSendNotification } from '../activities/send-notification';
import { validateOrder } from '../activities/validate-order';
import { ActivityNames } from '../contracts/names';
import { orderLedger, testGatewayKeys } from '../ledger/app-tables';
import {
    createTestModeFulfillmentService,
    createTestModeNotifier,
    createTestModePaymentGateway,
    createTestModeStockService,
} from '../orders/test-mode-services';

// The activities of order_processing, wired to the test-mode services and the Table storage ledger.
// Swapping in real services means changing these four lines, not the activities.
const payments = createTestModePaymentGateway(testGatewayKeys());
const stock = createTestModeStockService();
const fulfillment = createTestModeFulfillmentService();
const notifier = createTestModeNotifier();

df.app.activity(ActivityNames.validateOrder, { handler: validateOrder });
df.app.activity(ActivityNames.reserveStock, { handler: createReserveStock(stock, orderLedger()) });
df.app.activity(ActivityNames.releaseStock, { handler: createReleaseStock(stock, orderLedger()) });
df.app.activity(ActivityNames.chargeCustomer, { handler: createChargeCustomer(payments, orderLedger()) });
df.app.activity(ActivityNames.fulfillOrder, { handler: createFulfillOrder(fulfillment, orderLedger()) });
df.app.activity(ActivityNames.refundPayment, { handler: createRefundPayment(payments, orderLedger()) });
df.app.activity(ActivityNames.sendNotification, { handler: createSendNotification(notifier, orderLedger()) });
