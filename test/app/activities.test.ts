import { InvocationContext } from '@azure/functions';
import { describe, expect, it } from 'vitest';
import {
    createInProcessFulfilmentService,
    createInProcessNotifier,
    createInProcessPaymentGateway,
} from '../../src/orders/in-process-adapters';
import type { Money } from '../../src/orders/money';
import type { FulfilmentService, Notifier, PaymentGateway } from '../../src/orders/ports';
import { WorkflowInputError } from '../../src/workflows/boundary';
import { createChargeCustomer } from '../../src/workflows/charge-customer';
import { createFulfillOrder } from '../../src/workflows/fulfill-order';
import { processItem } from '../../src/workflows/process-item';
import { createSendNotification } from '../../src/workflows/send-notification';
import { validateOrder } from '../../src/workflows/validate-order';

const context = () => new InvocationContext({ functionName: 'activity-test', logHandler: () => undefined });
const total: Money = { cents: 8997, decimal: 89.97 };

/** A payment gateway that records what it was asked to charge. */
function recordingPayments(): PaymentGateway & { charges: { orderId: string; amount: Money }[] } {
    const charges: { orderId: string; amount: Money }[] = [];
    return {
        charges,
        charge: async (request) => {
            charges.push(request);
            return { chargeId: `ch_${charges.length}` };
        },
    };
}

describe('validate_order', () => {
    it('accepts three items at exactly 89.97', async () => {
        const input = { order_id: 'A-1', items: [{ sku: 'A' }, { sku: 'B' }, { sku: 'C' }] };
        expect(await validateOrder(input, context())).toEqual({ valid: true, amount: total });
    });

    it('rejects an order with no items', async () => {
        expect(await validateOrder({ order_id: 'A-1', items: [] }, context())).toEqual({
            valid: false,
            reason: 'No items in order',
        });
    });

    it('throws a WorkflowInputError naming the activity for malformed input', async () => {
        const failure = validateOrder({ order_id: 7 }, context());
        await expect(failure).rejects.toBeInstanceOf(WorkflowInputError);
        await expect(validateOrder({ order_id: 7 }, context())).rejects.toThrow(
            /^validate_order: invalid input: order_id/,
        );
    });
});

describe('charge_customer', () => {
    it('charges the given amount through the gateway and returns its charge id', async () => {
        const payments = recordingPayments();
        const result = await createChargeCustomer(payments)({ order_id: 'A-1', amount: total }, context());
        expect(result).toEqual({ charge_id: 'ch_1', amount: total });
        expect(payments.charges).toEqual([{ orderId: 'A-1', amount: total }]);
    });

    it('charges nothing for a zero, inconsistent or missing amount', async () => {
        const payments = recordingPayments();
        const charge = createChargeCustomer(payments);
        await expect(charge({ order_id: 'A-1', amount: { cents: 0, decimal: 0 } }, context())).rejects.toThrow(
            /positive/,
        );
        await expect(charge({ order_id: 'A-1', amount: { cents: 8997, decimal: 89 } }, context())).rejects.toThrow(
            /amount.decimal/,
        );
        await expect(charge({ order_id: 'A-1' }, context())).rejects.toThrow(/amount/);
        expect(payments.charges).toEqual([]);
    });

    it('lets a gateway failure fail the activity', async () => {
        const declining: PaymentGateway = { charge: async () => Promise.reject(new Error('card declined')) };
        await expect(createChargeCustomer(declining)({ order_id: 'A-1', amount: total }, context())).rejects.toThrow(
            'card declined',
        );
    });
});

describe('fulfill_order', () => {
    it('ships the lines and returns the tracking number', async () => {
        const shipped: unknown[] = [];
        const warehouse: FulfilmentService = {
            ship: async (request) => {
                shipped.push(request);
                return { trackingNumber: 'TRK9' };
            },
        };
        const items = [{ sku: 'MUG', quantity: 2 }];
        expect(await createFulfillOrder(warehouse)({ order_id: 'A-1', items }, context())).toEqual({
            tracking_number: 'TRK9',
        });
        expect(shipped).toEqual([{ orderId: 'A-1', items }]);
    });

    it('refuses to ship an empty order', async () => {
        const warehouse: FulfilmentService = { ship: async () => ({ trackingNumber: 'never' }) };
        await expect(createFulfillOrder(warehouse)({ order_id: 'A-1', items: [] }, context())).rejects.toThrow(
            /fulfill_order: invalid input: items/,
        );
    });
});

describe('send_notification', () => {
    function recordingNotifier(): Notifier & { sent: { to: string; subject: string }[] } {
        const sent: { to: string; subject: string }[] = [];
        return {
            sent,
            send: async ({ to, subject }) => {
                sent.push({ to, subject });
                return { messageId: `m-${sent.length}` };
            },
        };
    }

    it('mails the customer that the order is completed', async () => {
        const notifier = recordingNotifier();
        const input = { order_id: 'A-1', email: 'ada@example.com', status: 'completed' };
        expect(await createSendNotification(notifier)(input, context())).toEqual({ sent: true, message_id: 'm-1' });
        expect(notifier.sent).toEqual([{ to: 'ada@example.com', subject: 'Your order A-1 is completed' }]);
    });

    it('sends nothing without an email', async () => {
        const notifier = recordingNotifier();
        const input = { order_id: 'A-1', email: null, status: 'completed' };
        expect(await createSendNotification(notifier)(input, context())).toEqual({ sent: false, message_id: null });
        expect(notifier.sent).toEqual([]);
    });

    it('rejects an unknown status or a bad address', async () => {
        const send = createSendNotification(recordingNotifier());
        await expect(send({ order_id: 'A-1', email: null, status: 'lost' }, context())).rejects.toThrow(/status/);
        await expect(send({ order_id: 'A-1', email: 'nope', status: 'completed' }, context())).rejects.toThrow(/email/);
    });
});

describe('process_item', () => {
    it('processes a named item', async () => {
        expect(await processItem({ index: 3, item: { sku: 'MUG' } }, context())).toEqual({
            ok: true,
            index: 3,
            item: { sku: 'MUG' },
            result: 'Processed MUG',
        });
    });

    it('reports an item it cannot process as a result, not an error', async () => {
        expect(await processItem({ index: 0, item: null }, context())).toEqual({
            ok: false,
            index: 0,
            item: null,
            error: 'Item of type null cannot be processed',
        });
    });

    it('throws for input that is not an indexed item', async () => {
        await expect(processItem({ index: -1, item: 'a' }, context())).rejects.toThrow(
            /process_item: invalid input: index/,
        );
    });
});

describe('in-process adapters', () => {
    it('make a fresh id on every call', async () => {
        const payments = createInProcessPaymentGateway();
        const fulfilment = createInProcessFulfilmentService();
        const notifier = createInProcessNotifier();
        const charges = await Promise.all([1, 2].map(() => payments.charge({ orderId: 'A', amount: total })));
        const shipments = await Promise.all([1, 2].map(() => fulfilment.ship({ orderId: 'A', items: [] })));
        const messages = await Promise.all([1, 2].map(() => notifier.send({ to: 'a@b.co', subject: 's', body: 'b' })));
        expect(charges[0]?.chargeId).toMatch(/^ch_[0-9a-f]{24}$/);
        expect(shipments[0]?.trackingNumber).toMatch(/^TRK[0-9A-F]{12}$/);
        expect(new Set(charges.map((c) => c.chargeId)).size).toBe(2);
        expect(new Set(shipments.map((s) => s.trackingNumber)).size).toBe(2);
        expect(new Set(messages.map((m) => m.messageId)).size).toBe(2);
    });
});
