import type { Money } from './money';
import type { OrderItem } from './order';

/**
 * The outside world an order touches, as the activities see it. Activities receive these ports so tests can
 * hand in fakes; the function app wires the test-mode adapters (test-mode-services.ts) until real services
 * exist. Every call that changes something carries an idempotency key: activities run at least once, and a
 * service that sees the same key again must answer as it did the first time instead of acting twice (as
 * payment gateways do with an `Idempotency-Key` header).
 */

/**
 * A failure worth trying again (a timeout, a 503, a soft bounce): activities let it propagate so the
 * orchestrator's retry policy runs the activity again. Permanent failures are results, not throws.
 */
export class TransientServiceError extends Error {
    override readonly name = 'TransientServiceError';
}

export type ChargeOutcome =
    { readonly kind: 'charged'; readonly chargeId: string } | { readonly kind: 'declined'; readonly reason: string };

export interface PaymentGateway {
    /** Charges the customer once per key; a decline is an answer, a transient failure throws. */
    charge(request: {
        readonly idempotencyKey: string;
        readonly orderId: string;
        readonly amount: Money;
        readonly paymentMethod: string;
    }): Promise<ChargeOutcome>;
    /** Refunds a charge in full, once per key. */
    refund(request: {
        readonly idempotencyKey: string;
        readonly chargeId: string;
        readonly amount: Money;
    }): Promise<{ readonly refundId: string }>;
}

export type ReservationOutcome =
    | { readonly kind: 'reserved'; readonly reservationId: string }
    | { readonly kind: 'out_of_stock'; readonly reason: string };

export interface StockService {
    /** Holds the order's lines in the warehouse once per key; a line it does not have is an answer. */
    reserve(request: {
        readonly idempotencyKey: string;
        readonly orderId: string;
        readonly items: readonly OrderItem[];
    }): Promise<ReservationOutcome>;
    /** Gives a hold back, once per key; releasing a hold already released is not an error. */
    release(request: { readonly idempotencyKey: string; readonly reservationId: string }): Promise<void>;
}

export type ShipmentOutcome =
    | { readonly kind: 'shipped'; readonly trackingNumber: string }
    | { readonly kind: 'unfulfillable'; readonly reason: string };

export interface FulfillmentService {
    /** Hands the order's lines to the warehouse once per key; a line it cannot supply is an answer. */
    ship(request: {
        readonly idempotencyKey: string;
        readonly orderId: string;
        readonly items: readonly OrderItem[];
    }): Promise<ShipmentOutcome>;
}

export interface Notifier {
    /** Sends one message to a customer; resolves with the provider's message id, throws when it bounces. */
    send(message: {
        readonly idempotencyKey: string;
        readonly to: string;
        readonly subject: string;
        readonly body: string;
    }): Promise<{ readonly messageId: string }>;
}
