import { describe, expect, it } from 'vitest';
import { describeItem, ParallelInputSchema } from '../../src/orders/items';
import { moneyFromCents, MoneySchema, UNIT_PRICE_CENTS } from '../../src/orders/money';
import { checkOrder, MAX_ORDER_LINES, MAX_QUANTITY, OrderInputSchema, orderTotal } from '../../src/orders/order';
import { orderInstanceId } from '../../src/orders/order-instance-id';

describe('money', () => {
    it('keeps cents exact where summing decimal prices drifts', () => {
        const sevenUnits = orderTotal([{ sku: 'MUG', quantity: 7 }]);
        expect(sevenUnits.cents).toBe(7 * UNIT_PRICE_CENTS);
        expect(JSON.stringify(sevenUnits)).toBe('{"cents":20993,"decimal":209.93}');
        // The reason for cents: the naive float product is not the price on the receipt.
        expect(29.99 * 7).not.toBe(209.93);
    });

    it('prices three single items at exactly 89.97', () => {
        const total = orderTotal([
            { sku: 'A', quantity: 1 },
            { sku: 'B', quantity: 1 },
            { sku: 'C', quantity: 1 },
        ]);
        expect(total).toEqual({ cents: 8997, decimal: 89.97 });
    });

    it('refuses cents that are fractional, negative or unsafe', () => {
        expect(() => moneyFromCents(1.5)).toThrow(RangeError);
        expect(() => moneyFromCents(-1)).toThrow(RangeError);
        expect(() => moneyFromCents(2 ** 53)).toThrow(RangeError);
    });

    it('reads back only money whose decimal agrees with its cents', () => {
        expect(MoneySchema.safeParse({ cents: 8997, decimal: 89.97 }).success).toBe(true);
        expect(MoneySchema.safeParse({ cents: 8997, decimal: 89.96 }).success).toBe(false);
        expect(MoneySchema.safeParse({ cents: 89.97, decimal: 0.8997 }).success).toBe(false);
    });
});

describe('order input schema', () => {
    it('accepts an order with an empty item list (the rule lives in validate_order)', () => {
        expect(OrderInputSchema.parse({ order_id: 'A-1', items: [] })).toEqual({
            order_id: 'A-1',
            items: [],
            payment_method: 'pm_card_visa',
        });
    });

    it("reads the reference recipe's SKU strings as items of quantity 1", () => {
        expect(OrderInputSchema.parse({ order_id: '12345', items: ['widget-a', ' widget-b '] })).toEqual({
            order_id: '12345',
            items: [
                { sku: 'widget-a', quantity: 1 },
                { sku: 'widget-b', quantity: 1 },
            ],
            payment_method: 'pm_card_visa',
        });
        const blank = OrderInputSchema.safeParse({ order_id: '1', items: [' '] });
        expect(blank.error?.issues.map((issue) => issue.path.join('.'))).toEqual(['items.0']);
    });

    it('keeps a given payment_method and bounds the number of lines', () => {
        expect(
            OrderInputSchema.parse({ order_id: '1', items: [], payment_method: 'pm_card_declined' }).payment_method,
        ).toBe('pm_card_declined');
        expect(OrderInputSchema.safeParse({ order_id: '1', items: [], payment_method: '' }).success).toBe(false);
        const tooMany = OrderInputSchema.safeParse({ order_id: '1', items: Array(MAX_ORDER_LINES + 1).fill('a') });
        expect(tooMany.error?.issues[0]?.message).toBe(`an order has at most ${MAX_ORDER_LINES} items`);
    });

    it('defaults quantity to 1, trims ids and drops unknown keys', () => {
        const order = OrderInputSchema.parse({
            order_id: ' A-1 ',
            items: [{ sku: 'MUG', colour: 'red' }],
            coupon: 'X',
        });
        expect(order).toEqual({
            order_id: 'A-1',
            items: [{ sku: 'MUG', quantity: 1 }],
            payment_method: 'pm_card_visa',
        });
    });

    it('reports every wrong field with its path', () => {
        const result = OrderInputSchema.safeParse({
            order_id: '',
            items: [{ sku: 'MUG', quantity: 0 }, 7, { name: 'x', quantity: MAX_QUANTITY + 1 }],
            email: 'not-an-email',
        });
        expect(result.success).toBe(false);
        const paths = result.error?.issues.map((issue) => issue.path.join('.'));
        expect(paths).toEqual(
            expect.arrayContaining(['order_id', 'items.0.quantity', 'items.1', 'items.2.quantity', 'email']),
        );
    });

    it('requires order_id and items', () => {
        const result = OrderInputSchema.safeParse({});
        expect(result.error?.issues.map((issue) => issue.path.join('.'))).toEqual(['order_id', 'items']);
    });
});

describe('order rules', () => {
    it('rejects an order without items', () => {
        expect(checkOrder(OrderInputSchema.parse({ order_id: 'A', items: [] }))).toEqual({
            ok: false,
            reason: 'No items in order',
        });
    });

    it('rejects a line that names nothing, counting lines from 1', () => {
        const order = OrderInputSchema.parse({ order_id: 'A', items: [{ sku: 'MUG' }, { quantity: 2 }] });
        expect(checkOrder(order)).toEqual({ ok: false, reason: 'Item 2 has neither a sku nor a name' });
    });

    it('accepts a named order with its total, quantities included', () => {
        const order = OrderInputSchema.parse({ order_id: 'A', items: [{ sku: 'MUG', quantity: 2 }, { name: 'Tee' }] });
        expect(checkOrder(order)).toEqual({ ok: true, total: { cents: 8997, decimal: 89.97 } });
    });
});

describe('order instance ids', () => {
    it('are readable for plain order ids and hashed for anything else, never colliding', () => {
        expect(orderInstanceId('12345')).toBe('order-12345');
        expect(orderInstanceId('A-1001_b')).toBe('order-A-1001_b');
        const odd = orderInstanceId('Bestellung #7/ä?');
        expect(odd).toMatch(/^order~[0-9a-f]{40}$/);
        expect(orderInstanceId('Bestellung #7/ä?')).toBe(odd);
        expect(orderInstanceId('Bestellung #7/ä!')).not.toBe(odd);
    });

    it('are valid instance ids and table keys for every order_id the schema accepts', () => {
        for (const orderId of ['x', 'a'.repeat(100), 'ü'.repeat(100), 'a/b\\c?d#e', '\u0001ctl', '@lead']) {
            const id = orderInstanceId(orderId);
            expect(id.length).toBeLessThanOrEqual(256);
            // Only letters, digits and the separators the mapping uses: none of / \ ? # or control characters.
            expect(id).toMatch(/^order[-~][A-Za-z0-9_-]+$/);
            expect(id.startsWith('@')).toBe(false);
        }
    });
});

describe('parallel input and items', () => {
    it('accepts any list up to 10,000 items, the empty one included, and nothing else', () => {
        expect(ParallelInputSchema.safeParse({ items: Array(10_000).fill(1) }).success).toBe(true);
        expect(ParallelInputSchema.safeParse({ items: Array(10_001).fill(1) }).success).toBe(false);
        expect(ParallelInputSchema.safeParse({ items: [] }).success).toBe(true);
        expect(ParallelInputSchema.safeParse({ items: [1, 'a', null, {}] }).success).toBe(true);
        expect(ParallelInputSchema.safeParse({ items: 'a' }).success).toBe(false);
        expect(ParallelInputSchema.safeParse(null).success).toBe(false);
    });

    it.each([
        ['a non-blank string', 'widget', 'widget'],
        ['a number', 42, '42'],
        ['an object with an id', { id: 'X-1', sku: 'ignored' }, 'X-1'],
        ['an object with a sku', { sku: 'MUG' }, 'MUG'],
        ['an object with a name', { name: 'Mug' }, 'Mug'],
    ])('processes %s', (_what, item, label) => {
        expect(describeItem(item)).toEqual({ ok: true, label });
    });

    it.each([
        ['null', null],
        ['a boolean', true],
        ['a blank string', '  '],
        ['an array', ['a']],
        ['an anonymous object', { colour: 'red' }],
        ['an object with a blank name', { name: ' ' }],
    ])('cannot process %s', (_what, item) => {
        expect(describeItem(item)).toMatchObject({ ok: false, error: expect.any(String) });
    });
});
