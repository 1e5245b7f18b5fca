import { describe, expect, it } from 'vitest';
import { orderProcessing } from '../../src/workflows/order-processing';
import { expectActivity, expectResult, OrchestratorRun } from './support/fake-orchestration';

const threeItems = {
    order_id: 'A-1001',
    items: [{ sku: 'MUG' }, { sku: 'TEE', quantity: 1 }, { name: 'Sticker pack' }],
    email: 'ada@example.com',
};
/** The same lines after the boundary schema: quantity defaults to 1. */
const threeItemsParsed = [
    { sku: 'MUG', quantity: 1 },
    { sku: 'TEE', quantity: 1 },
    { name: 'Sticker pack', quantity: 1 },
];
const total = { cents: 8997, decimal: 89.97 };

describe('order_processing', () => {
    it('validates, charges, fulfils and notifies in that order, then reports the ids', () => {
        const run = new OrchestratorRun(orderProcessing, threeItems);

        const validate = expectActivity(run.start());
        expect(validate.name).toBe('validate_order');
        // The parsed input goes on, not the raw one.
        expect(validate.input).toEqual({ order_id: 'A-1001', items: threeItemsParsed, email: 'ada@example.com' });

        const charge = expectActivity(run.resolve({ valid: true, amount: total }));
        expect(charge).toEqual({ name: 'charge_customer', input: { order_id: 'A-1001', amount: total } });

        const fulfil = expectActivity(run.resolve({ charge_id: 'ch_1', amount: total }));
        expect(fulfil.name).toBe('fulfill_order');
        expect(fulfil.input).toEqual({ order_id: 'A-1001', items: threeItemsParsed });

        const notify = expectActivity(run.resolve({ tracking_number: 'TRK1' }));
        expect(notify).toEqual({
            name: 'send_notification',
            input: { order_id: 'A-1001', email: 'ada@example.com', status: 'completed' },
        });

        const result = expectResult(run.resolve({ sent: true, message_id: 'm-1' }));
        expect(result).toEqual({
            status: 'completed',
            order_id: 'A-1001',
            charge_id: 'ch_1',
            tracking_number: 'TRK1',
            amount: total,
        });
        expect(run.unyieldedActivities()).toEqual([]);
    });

    it('still notifies, with a null email, when the order has no email', () => {
        const run = new OrchestratorRun(orderProcessing, { order_id: 'A-2', items: [{ sku: 'MUG' }] });
        run.start();
        const price = { cents: 2999, decimal: 29.99 };
        run.resolve({ valid: true, amount: price });
        run.resolve({ charge_id: 'ch_2', amount: price });
        const notify = expectActivity(run.resolve({ tracking_number: 'TRK2' }));
        expect(notify.input).toEqual({ order_id: 'A-2', email: null, status: 'completed' });
        expect(expectResult(run.resolve({ sent: false, message_id: null }))).toMatchObject({ status: 'completed' });
    });

    it('returns the rejection and schedules nothing else when validate_order rejects', () => {
        const run = new OrchestratorRun(orderProcessing, { order_id: 'A-3', items: [] });
        expect(expectActivity(run.start()).name).toBe('validate_order');

        const result = expectResult(run.resolve({ valid: false, reason: 'No items in order' }));

        expect(result).toEqual({ status: 'rejected', order_id: 'A-3', reason: 'No items in order' });
        expect(run.created.map((task) => task.scheduled)).toEqual([
            expect.objectContaining({ kind: 'activity', name: 'validate_order' }),
        ]);
    });

    it.each([
        ['charge_customer', 1],
        ['fulfill_order', 2],
        ['send_notification', 3],
    ])('fails with the error of %s and schedules nothing after it', (failing, position) => {
        const run = new OrchestratorRun(orderProcessing, threeItems);
        const results = [
            { valid: true, amount: total },
            { charge_id: 'ch_1', amount: total },
            { tracking_number: 'TRK1' },
        ];
        let step = run.start();
        for (const result of results.slice(0, position)) {
            step = run.resolve(result);
        }
        expect(expectActivity(step).name).toBe(failing);

        const failure = new Error(`${failing} exploded`);
        expect(() => run.fail(failure)).toThrow(failure);
        expect(run.created).toHaveLength(position + 1);
    });

    it('fails the instance, before scheduling anything, for input that misses its schema', () => {
        const run = new OrchestratorRun(orderProcessing, { items: 'not a list' });
        expect(() => run.start()).toThrow(/order_processing: invalid input: .*order_id.*items/);
        expect(run.created).toEqual([]);
    });

    it('fails rather than guess when an activity result has the wrong shape', () => {
        const run = new OrchestratorRun(orderProcessing, threeItems);
        run.start();
        expect(() => run.resolve({ valid: true, amount: { cents: 8997, decimal: 89.9 } })).toThrow(
            /validate_order result: amount.decimal/,
        );
    });
});
