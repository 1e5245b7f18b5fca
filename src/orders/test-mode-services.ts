import { createHash } from 'node:crypto';
import type { KeyRegister } from './ledger';
import { type FulfilmentService, type Notifier, type PaymentGateway, TransientServiceError } from './ports';
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

export function createTestModeFulfilmentService(): FulfilmentService {
    return {
        async ship({ idempotencyKey, items }) {
            const missing = items.find((item) => item.sku === TestMode.outOfStockSku);
            if (missing !== undefined) {
                return { kind: 'unfulfillable', reason: `${TestMode.outOfStockSku} is out of stock` };
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
