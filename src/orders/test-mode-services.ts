import { createHash } from 'node:crypto';
import type { KeyRegister } from './ledger';
import {
    type FulfillmentService,
    type Notifier,
    type PaymentGateway,
    type StockService,
    TransientServiceError,
} from './ports';
import { DECLINE_REASON, TestMode } from './test-mode';

/**
 * Stand-ins for a payment gateway, a warehouse and a mail service, in "test mode": they succeed unless the
 * input names one of the test-mode failures (test-mode.ts). Ids are derived from the idempotency key, so
 * asking again with the same key answers with the same charge, refund, shipment or message, as a real
 * gateway does for a repeated `Idempotency-Key`. Nothing here is random, and nothing here is money.
 */

function idFor(prefix: string, idempotencyKey: string, length: number): string {
    return `${prefix}${createHash('sha256').update(idempotencyKey).digest('hex').slice(0, length)}`;
}

export function createTestModePaymentGateway(seenKeys: KeyRegister): PaymentGateway {
    return {
        async charge({ idempotencyKey, paymentMethod }) {
            if (paymentMethod === TestMode.declinedCard) {
                return { kind: 'declined', reason: DECLINE_REASON };
            }
            if (paymentMethod === TestMode.flakyCard && (await seenKeys.registerFirstUse(idempotencyKey))) {
                throw new TransientServiceError('The payment gateway timed out (test mode: pm_card_flaky)');
            }
            return { kind: 'charged', chargeId: idFor('ch_', idempotencyKey, 24) };
        },
        async refund({ idempotencyKey }) {
            return { refundId: idFor('re_', idempotencyKey, 24) };
        },
    };
}

/** The reason the test-mode warehouse gives for TEST-OUT-OF-STOCK, when reserving and when shipping. */
export const OUT_OF_STOCK_REASON = `${TestMode.outOfStockSku} is out of stock`;

export function createTestModeStockService(): StockService {
    return {
        async reserve({ idempotencyKey, items }) {
            if (items.some((item) => item.sku === TestMode.outOfStockSku)) {
                return { kind: 'out_of_stock', reason: OUT_OF_STOCK_REASON };
            }
            return { kind: 'reserved', reservationId: idFor('rs_', idempotencyKey, 24) };
        },
        async release() {
            // A test-mode hold is only an id: releasing it (again) changes nothing.
        },
    };
}

export function createTestModeFulfillmentService(): FulfillmentService {
    return {
        async ship({ idempotencyKey, items }) {
            // Version 1 orders still reach fulfillment with TEST-OUT-OF-STOCK (version 2 rejects it at reservation).
            if (items.some((item) => item.sku === TestMode.outOfStockSku)) {
                return { kind: 'unfulfillable', reason: OUT_OF_STOCK_REASON };
            }
            if (items.some((item) => item.sku === TestMode.warehouseDownSku)) {
                return {
                    kind: 'unfulfillable',
                    reason: `The warehouse cannot ship ${TestMode.warehouseDownSku} (test mode: the warehouse is down)`,
                };
            }
            return { kind: 'shipped', trackingNumber: idFor('TRK', idempotencyKey, 12).toUpperCase() };
        },
    };
}

export function createTestModeNotifier(): Notifier {
    return {
        async send({ idempotencyKey, to }) {
            if (to.toLowerCase().endsWith(`@${TestMode.bouncingDomain}`)) {
                throw new TransientServiceError(`The message to ${to} bounced (test mode: ${TestMode.bouncingDomain})`);
            }
            return { messageId: idFor('msg_', idempotencyKey, 24) };
        },
    };
}
