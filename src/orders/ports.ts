import type { Money } from './money';
import type { OrderItem } from './order';

/**
 * The outside world an order touches, as the activities see it. Activities receive these ports so tests can
 * hand in fakes; the function app wires the in-process adapters (in-process-adapters.ts) until real
 * services exist.
 */

export interface PaymentGateway {
    /** Charges the customer for an order; resolves with the gateway's id for the charge. */
    charge(request: { readonly orderId: string; readonly amount: Money }): Promise<{ readonly chargeId: string }>;
}

export interface FulfilmentService {
    /** Hands the order's lines to the warehouse; resolves with the carrier's tracking number. */
    ship(request: {
        readonly orderId: string;
        readonly items: readonly OrderItem[];
    }): Promise<{ readonly trackingNumber: string }>;
}

export interface Notifier {
    /** Sends one message to a customer; resolves with the provider's message id. */
    send(message: {
        readonly to: string;
        readonly subject: string;
        readonly body: string;
    }): Promise<{ readonly messageId: string }>;
}
