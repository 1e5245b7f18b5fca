import { randomBytes, randomUUID } from 'node:crypto';
import type { FulfilmentService, Notifier, PaymentGateway } from './ports';

/**
 * Stand-ins for real payment, warehouse and mail services: they succeed at once and make random ids the way
 * the real services would. Randomness lives here, in activities' dependencies, never in orchestrators.
 */

export function createInProcessPaymentGateway(): PaymentGateway {
    return {
        charge: async () => ({ chargeId: `ch_${randomBytes(12).toString('hex')}` }),
    };
}

export function createInProcessFulfilmentService(): FulfilmentService {
    return {
        ship: async () => ({ trackingNumber: `TRK${randomBytes(6).toString('hex').toUpperCase()}` }),
    };
}

export function createInProcessNotifier(): Notifier {
    return {
        send: async () => ({ messageId: randomUUID() }),
    };
}
