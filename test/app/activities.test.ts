import { InvocationContext } from '@azure/functions';
import { beforeAll, describe, expect, it } from 'vitest';
import { createChargeCustomer } from '../../src/activities/charge-customer';
import { createFulfillOrder } from '../../src/activities/fulfill-order';
import { processItem } from '../../src/activities/process-item';
import { createRefundPayment } from '../../src/activities/refund-payment';
import { createSendNotification } from '../../src/activities/send-notification';
import { validateOrder } from '../../src/activities/validate-order';
import { WorkflowInputError } from '../../src/contracts/boundary';
import { tableClientFactory } from '../../src/ledger/table-connection';
import { createTableKeyRegister, createTableLedger } from '../../src/ledger/table-ledger';
import { orderTableNames } from '../../src/ledger/table-names';
import type { OrderLedger } from '../../src/orders/ledger';
import type { Money } from '../../src/orders/money';
import type { PaymentGateway } from '../../src/orders/ports';
import {
    createTestModeFulfillmentService,
    createTestModeNotifier,
    createTestModePaymentGateway,
} from '../../src/orders/test-mode-services';
import { azuriteConnectionString, uniqueHubName } from '../support/storage';

/**
 * The activities with the test-mode services and the real Table storage ledger (the run's Azurite, tables of
 * this file's own prefix). Each test uses its own order, so its own ledger partition.
 */
const context = () => new InvocationContext({ functionName: 'activity-test', logHandler: () => undefined });
const total: Money = { cents: 8997, decimal: 89.97 };
let ledger: OrderLedger;
let payments: PaymentGateway;

beforeAll(() => {
    const tables = tableClientFactory({ AzureWebJobsStorage: azuriteConnectionString() });
    const names = orderTableNames({ ORDERS_TABLE_PREFIX: uniqueHubName('Act') });
    ledger = createTableLedger(tables, names);
    payments = createTestModePaymentGateway(createTableKeyRegister(tables, names));
});

let orders = 0;
function step(name: string) {
    orders += 1;
    const instance = `order-T${orders}`;
    return { order_id: `T${orders}`, instance_id: instance, idempotency_key: `${instance}:${name}` };
}

/** A gateway that counts its calls around the test-mode one. */
function countingGateway(): PaymentGateway & { calls: number } {
    const counted = {
        calls: 0,
        charge: (request: Parameters<PaymentGateway['charge']>[0]) => {
            counted.calls += 1;
            return payments.charge(request);
        },
        refund: (request: Parameters<PaymentGateway['refund']>[0]) => {
            counted.calls += 1;
            return payments.refund(request);
        },
    };
    return counted;
}

describe('validate_order', () => {
    it('accepts three items at exactly 89.97, SKU strings included', async () => {
        const input = { order_id: 'A-1', items: ['A', { sku: 'B' }, { name: 'C' }] };
        expect(await validateOrder(input, context())).toEqual({ valid: true, amount: total });
    });

    it('rejects an order with no items', async () => {
        expect(await validateOrder({ order_id: 'A-1', items: [] }, context())).toEqual({
            valid: false,
            reason: 'No items in order',
        });
    });

    it('throws a WorkflowInputError naming the activity for malformed input', async () => {
        await expect(validateOrder({ order_id: 7 }, context())).rejects.toBeInstanceOf(WorkflowInputError);
        await expect(validateOrder({ order_id: 7 }, context())).rejects.toThrow(
            /^validate_order: invalid input: order_id/,
        );
    });
});

describe('charge_customer', () => {
    it('charges once and records the charge; running again returns the same charge without asking the gateway', async () => {
        const gateway = countingGateway();
        const charge = createChargeCustomer(gateway, ledger);
        const input = { ...step('charge'), amount: total, payment_method: 'pm_card_visa' };
        const first = await charge(input, context());
        expect(first).toEqual({ status: 'charged', charge_id: expect.stringMatching(/^ch_/), amount: total });
        expect(await charge(input, context())).toEqual(first);
        expect(gateway.calls).toBe(1);
        const records = await ledger.read(input.instance_id);
        expect(records).toEqual([
            {
                kind: 'charge',
                id: first.status === 'charged' ? first.charge_id : '',
                amount_cents: 8997,
                at: expect.any(String),
            },
        ]);
    });

    it('two runs racing record one charge (the gateway answers the same key with the same charge)', async () => {
        const charge = createChargeCustomer(payments, ledger);
        const input = { ...step('charge'), amount: total, payment_method: 'pm_card_visa' };
        const [a, b] = await Promise.all([charge(input, context()), charge(input, context())]);
        expect(a).toEqual(b);
        expect((await ledger.read(input.instance_id)).filter((r) => r.kind === 'charge')).toHaveLength(1);
    });

    it('answers a decline as a result and records nothing', async () => {
        const input = { ...step('charge'), amount: total, payment_method: 'pm_card_declined' };
        expect(await createChargeCustomer(payments, ledger)(input, context())).toEqual({
            status: 'declined',
            reason: 'Your card was declined.',
        });
        expect(await ledger.read(input.instance_id)).toEqual([]);
    });

    it('pm_card_flaky: throws on the first attempt of an order only', async () => {
        const charge = createChargeCustomer(payments, ledger);
        const input = { ...step('charge'), amount: total, payment_method: 'pm_card_flaky' };
        await expect(charge(input, context())).rejects.toThrow(/timed out/);
        expect(await ledger.read(input.instance_id)).toEqual([]);
        expect(await charge(input, context())).toMatchObject({ status: 'charged' });
        const other = { ...step('charge'), amount: total, payment_method: 'pm_card_flaky' };
        await expect(charge(other, context())).rejects.toThrow(/timed out/);
    });

    it('charges nothing for a zero, inconsistent or missing amount', async () => {
        const gateway = countingGateway();
        const charge = createChargeCustomer(gateway, ledger);
        const base = { ...step('charge'), payment_method: 'pm_card_visa' };
        await expect(charge({ ...base, amount: { cents: 0, decimal: 0 } }, context())).rejects.toThrow(/positive/);
        await expect(charge({ ...base, amount: { cents: 8997, decimal: 89 } }, context())).rejects.toThrow(
            /amount.decimal/,
        );
        await expect(charge(base, context())).rejects.toThrow(/amount/);
        expect(gateway.calls).toBe(0);
    });
});

describe('refund_payment', () => {
    it('refunds once and records the refund against the charge', async () => {
        const gateway = countingGateway();
        const refund = createRefundPayment(gateway, ledger);
        const input = { ...step('refund'), charge_id: 'ch_x', amount: total };
        const first = await refund(input, context());
        expect(first.refund_id).toMatch(/^re_/);
        expect(await refund(input, context())).toEqual(first);
        expect(gateway.calls).toBe(1);
        expect(await ledger.read(input.instance_id)).toEqual([
            { kind: 'refund', id: first.refund_id, charge_id: 'ch_x', amount_cents: 8997, at: expect.any(String) },
        ]);
    });
});

describe('fulfill_order', () => {
    const fulfill = () => createFulfillOrder(createTestModeFulfillmentService(), ledger);

    it('ships once and records the tracking number', async () => {
        const input = { ...step('fulfil'), items: [{ sku: 'MUG', quantity: 2 }] };
        const first = await fulfill()(input, context());
        expect(first).toEqual({ status: 'shipped', tracking_number: expect.stringMatching(/^TRK[0-9A-F]{12}$/) });
        expect(await fulfill()(input, context())).toEqual(first);
        expect((await ledger.read(input.instance_id)).map((r) => r.kind)).toEqual(['shipment']);
    });

    it('answers TEST-OUT-OF-STOCK as unfulfillable and records no shipment (version 1 orders get this far)', async () => {
        const input = {
            ...step('fulfil'),
            items: [
                { sku: 'MUG', quantity: 1 },
                { sku: 'TEST-OUT-OF-STOCK', quantity: 1 },
            ],
        };
        expect(await fulfill()(input, context())).toEqual({
            status: 'unfulfillable',
            reason: 'TEST-OUT-OF-STOCK is out of stock',
        });
        expect(await ledger.read(input.instance_id)).toEqual([]);
    });

    it('answers TEST-WAREHOUSE-DOWN as unfulfillable (the warehouse is down) and records no shipment', async () => {
        const input = { ...step('fulfil'), items: [{ sku: 'TEST-WAREHOUSE-DOWN', quantity: 1 }] };
        expect(await fulfill()(input, context())).toEqual({
            status: 'unfulfillable',
            reason: 'The warehouse cannot ship TEST-WAREHOUSE-DOWN (test mode: the warehouse is down)',
        });
        expect(await ledger.read(input.instance_id)).toEqual([]);
    });

    it('refuses to ship an empty order', async () => {
        await expect(fulfill()({ ...step('fulfil'), items: [] }, context())).rejects.toThrow(
            /fulfill_order: invalid input: items/,
        );
    });
});

describe('send_notification', () => {
    const notify = () => createSendNotification(createTestModeNotifier(), ledger);

    it('mails the customer once and records the attempt', async () => {
        const input = { ...step('notify'), email: 'ada@example.com', status: 'completed' };
        const first = await notify()(input, context());
        expect(first).toEqual({ status: 'sent', message_id: expect.stringMatching(/^msg_/) });
        expect(await notify()(input, context())).toEqual(first);
        expect(await ledger.read(input.instance_id)).toEqual([
            expect.objectContaining({ kind: 'notification', to: 'ada@example.com', outcome: 'sent' }),
        ]);
    });

    it('records every bounced attempt and throws so the orchestrator retries', async () => {
        const input = { ...step('notify'), email: 'x@bounce.test', status: 'completed' };
        await expect(notify()(input, context())).rejects.toThrow(/bounced/);
        await expect(notify()(input, context())).rejects.toThrow(/bounced/);
        expect(
            (await ledger.read(input.instance_id)).map((r) => (r.kind === 'notification' ? r.outcome : r.kind)),
        ).toEqual(['failed', 'failed']);
    });

    it('sends nothing without an email', async () => {
        const input = { ...step('notify'), email: null, status: 'completed' };
        expect(await notify()(input, context())).toEqual({ status: 'skipped' });
        expect(await ledger.read(input.instance_id)).toEqual([]);
    });

    it('rejects an unknown status or a bad address', async () => {
        await expect(notify()({ ...step('notify'), email: null, status: 'lost' }, context())).rejects.toThrow(/status/);
        await expect(notify()({ ...step('notify'), email: 'nope', status: 'completed' }, context())).rejects.toThrow(
            /email/,
        );
    });
});

describe('process_item', () => {
    it('processes a named item', async () => {
        expect(await processItem({ index: 3, item: { sku: 'MUG' } }, context())).toEqual({
            status: 'success',
            ok: true,
            index: 3,
            item: { sku: 'MUG' },
            result: 'Processed MUG',
        });
    });

    it('reports an item it cannot process as a result, not an error', async () => {
        expect(await processItem({ index: 0, item: null }, context())).toEqual({
            status: 'failed',
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
