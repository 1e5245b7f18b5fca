import { InvocationContext } from '@azure/functions';
import { describe, expect, it } from 'vitest';
import { processItem } from '../../src/activities/process-item';
import { validateOrder } from '../../src/activities/validate-order';
import { ParallelBatchInputSchema } from '../../src/contracts/parallel-processing';
import { ReserveStockInputSchema } from '../../src/contracts/reserve-stock';
import { startOrchestration } from '../../src/http/start-orchestration';
import { parallelProcessing } from '../../src/orchestrators/parallel-processing';
import {
    MAX_EMAIL_CHARS,
    MAX_FIELD_ERRORS,
    MAX_ITEM_NAME_CHARS,
    MAX_ORDER_ID_CHARS,
    MAX_ORDER_LINES,
    MAX_PARALLEL_ITEM_JSON_CHARS,
    MAX_PARALLEL_ITEMS,
    MAX_QUANTITY,
    MAX_REQUEST_BODY_BYTES,
    MAX_SKU_CHARS,
} from '../../src/orders/input-limits';
import { FakeDurableClient } from '../support/app/fake-durable-client';
import { OrchestratorRun } from '../support/app/fake-orchestration';
import { httpRequest, quietContext, readResponse } from '../support/app/http';

async function start(functionName: string, body: string, headers: Record<string, string> = {}) {
    const client = new FakeDurableClient();
    const { context } = quietContext('http_start');
    const request = httpRequest({
        method: 'POST',
        path: `/api/orchestrations/${functionName}`,
        params: { function_name: functionName },
        body,
        headers: { 'content-type': 'application/json', ...headers },
    });
    return { ...(await readResponse(await startOrchestration(request, client, context))), client };
}

const activityContext = () => new InvocationContext({ functionName: 'limits-test', logHandler: () => undefined });

/** A string of exactly `length` characters. */
const text = (length: number, char = 'x') => char.repeat(length);

describe('the reference recipe and real orders stay well inside the limits', () => {
    it('starts the recipe request verbatim', async () => {
        const { status, client } = await start(
            'order_processing',
            '{"order_id": "12345", "items": ["widget-a", "widget-b"]}',
        );
        expect(status).toBe(202);
        expect(client.started[0]?.options).toMatchObject({
            instanceId: 'order-12345',
            input: { order_id: '12345', items: [{ sku: 'widget-a' }, { sku: 'widget-b' }] },
        });
    });

    it.each([
        [
            'the recipe body (parallel_processing reads its items)',
            '{"order_id": "12345", "items": ["widget-a", "widget-b"]}',
        ],
        ['the documented example', '{"items": ["apple", {"sku": "PEAR"}, null]}'],
    ])('starts parallel_processing with %s', async (_what, body) => {
        const { status, client } = await start('parallel_processing', body);
        expect(status).toBe(202);
        expect(client.started).toHaveLength(1);
    });

    it('starts the largest order the schema takes: every line and field at its limit fits in the body limit', async () => {
        const line = { sku: text(MAX_SKU_CHARS, 's'), name: text(MAX_ITEM_NAME_CHARS, 'n'), quantity: MAX_QUANTITY };
        const order = {
            order_id: text(MAX_ORDER_ID_CHARS, 'o'),
            items: Array.from({ length: MAX_ORDER_LINES }, () => line),
            email: `${text(MAX_EMAIL_CHARS - '@example.com'.length, 'e')}@example.com`,
        };
        const body = JSON.stringify(order);
        expect(Buffer.byteLength(body)).toBeLessThan(MAX_REQUEST_BODY_BYTES);
        const { status } = await start('order_processing', body);
        expect(status).toBe(202);
    });

    it('starts the longest parallel list of the largest items: it fits in the body limit', async () => {
        const item = text(MAX_PARALLEL_ITEM_JSON_CHARS - 2); // a JSON string: two quotes around it
        const body = JSON.stringify({ items: Array.from({ length: MAX_PARALLEL_ITEMS }, () => item) });
        expect(Buffer.byteLength(body)).toBeLessThan(MAX_REQUEST_BODY_BYTES);
        const { status } = await start('parallel_processing', body);
        expect(status).toBe(202);
    });
});

describe('a body over the limit is refused with 413 before it is parsed', () => {
    it('refuses an order with a 20 MB SKU and starts nothing', async () => {
        const order = { order_id: 'big', items: [text(20 * 1024 * 1024)] };
        const { status, contentType, body, client } = await start('order_processing', JSON.stringify(order));
        expect(status).toBe(413);
        expect(contentType).toBe('application/problem+json');
        expect(body).toEqual({
            type: 'urn:order-workflows:problem:payload-too-large',
            title: 'Request body too large',
            status: 413,
            detail: `The request body is larger than ${MAX_REQUEST_BODY_BYTES} bytes, the most an orchestration input may be.`,
            max_body_bytes: MAX_REQUEST_BODY_BYTES,
        });
        expect(client.started).toEqual([]);
    });

    it('refuses a body one byte over the limit, even one that is not JSON (it is never parsed)', async () => {
        const { status } = await start('parallel_processing', text(MAX_REQUEST_BODY_BYTES + 1, '{'));
        expect(status).toBe(413);
        const atLimit = await start('parallel_processing', text(MAX_REQUEST_BODY_BYTES, '{'));
        expect(atLimit.status).toBe(400);
    });

    it('counts bytes, not characters: multi-byte text over the limit in UTF-8 is refused', async () => {
        const sku = text(Math.ceil(MAX_REQUEST_BODY_BYTES / 3), '€'); // 3 bytes each in UTF-8
        const { status } = await start('order_processing', JSON.stringify({ order_id: '1', items: [sku] }));
        expect(status).toBe(413);
    });

    it('refuses by a declared Content-Length over the limit without reading the body', async () => {
        const { status } = await start('order_processing', '{"order_id": "1", "items": ["a"]}', {
            'content-length': String(MAX_REQUEST_BODY_BYTES + 1),
        });
        expect(status).toBe(413);
    });
});

describe('an input over a size limit is a 400 problem naming the field', () => {
    it.each([
        [
            'a SKU string',
            { order_id: '1', items: ['ok', text(MAX_SKU_CHARS + 1)] },
            'items[1]',
            `a SKU is at most ${MAX_SKU_CHARS} characters`,
        ],
        [
            'an object sku',
            { order_id: '1', items: [{ sku: text(MAX_SKU_CHARS + 1) }] },
            'items[0].sku',
            `a SKU is at most ${MAX_SKU_CHARS} characters`,
        ],
        [
            'a name',
            { order_id: '1', items: [{ name: text(MAX_ITEM_NAME_CHARS + 1) }] },
            'items[0].name',
            `name is at most ${MAX_ITEM_NAME_CHARS} characters`,
        ],
        [
            'too many items',
            { order_id: '1', items: Array(MAX_ORDER_LINES + 1).fill('a') },
            'items',
            `an order has at most ${MAX_ORDER_LINES} items`,
        ],
        [
            'an order_id',
            { order_id: text(MAX_ORDER_ID_CHARS + 1), items: ['a'] },
            'order_id',
            `order_id must be at most ${MAX_ORDER_ID_CHARS} characters`,
        ],
        [
            'an email',
            { order_id: '1', items: ['a'], email: `${text(MAX_EMAIL_CHARS)}@example.com` },
            'email',
            `email must be at most ${MAX_EMAIL_CHARS} characters`,
        ],
    ])('order_processing: %s', async (_what, order, field, message) => {
        const { status, contentType, body, client } = await start('order_processing', JSON.stringify(order));
        expect(status).toBe(400);
        expect(contentType).toBe('application/problem+json');
        expect(body).toMatchObject({ type: 'urn:order-workflows:problem:invalid-input', status: 400 });
        expect(body).toHaveProperty('errors', [{ field, message }]);
        expect(client.started).toEqual([]);
    });

    it('parallel_processing: an item over the JSON size limit', async () => {
        const items = ['ok', { sku: 'PEAR', note: text(MAX_PARALLEL_ITEM_JSON_CHARS) }];
        const { status, body, client } = await start('parallel_processing', JSON.stringify({ items }));
        expect(status).toBe(400);
        expect(body).toHaveProperty('errors', [
            { field: 'items[1]', message: `an item is at most ${MAX_PARALLEL_ITEM_JSON_CHARS} characters as JSON` },
        ]);
        expect(client.started).toEqual([]);
    });

    it(`lists the first ${MAX_FIELD_ERRORS} invalid fields and says how many there were`, async () => {
        const order = { order_id: '1', items: Array(MAX_ORDER_LINES).fill(7) };
        const { status, body } = await start('order_processing', JSON.stringify(order));
        expect(status).toBe(400);
        const problem = body as { detail: string; errors: { field: string }[] };
        expect(problem.errors).toHaveLength(MAX_FIELD_ERRORS);
        expect(problem.errors[0]).toEqual({ field: 'items[0]', message: 'an item is a SKU string or an object' });
        expect(problem.detail).toContain(`The first ${MAX_FIELD_ERRORS} of ${MAX_ORDER_LINES} invalid fields`);
    });
});

describe('the same limits hold where the workflows read their inputs', () => {
    it('validate_order refuses an order with an oversized SKU', async () => {
        await expect(
            validateOrder({ order_id: '1', items: [text(MAX_SKU_CHARS + 1)] }, activityContext()),
        ).rejects.toThrow(`validate_order: invalid input: items[0]: a SKU is at most ${MAX_SKU_CHARS} characters`);
    });

    it('process_item refuses an oversized item and processes one at the limit', async () => {
        await expect(
            processItem({ index: 3, item: text(MAX_PARALLEL_ITEM_JSON_CHARS - 1) }, activityContext()),
        ).rejects.toThrow(/process_item: invalid input: item: an item is at most/);
        await expect(
            processItem({ index: 3, item: text(MAX_PARALLEL_ITEM_JSON_CHARS - 2) }, activityContext()),
        ).resolves.toMatchObject({ status: 'success', index: 3 });
    });

    it('parallel_processing and its batches refuse an oversized item in their input', () => {
        const items = [text(MAX_PARALLEL_ITEM_JSON_CHARS)];
        expect(() => new OrchestratorRun(parallelProcessing, { items }).start()).toThrow(
            /parallel_processing: invalid input: items\[0\]/,
        );
        expect(ParallelBatchInputSchema.safeParse({ offset: 0, items }).success).toBe(false);
    });

    it('reserve_stock refuses more lines than an order may have', () => {
        const step = { order_id: '1', instance_id: 'order-1', idempotency_key: 'order-1:reserve' };
        const lines = (count: number) => Array.from({ length: count }, () => ({ sku: 'MUG', quantity: 1 }));
        expect(ReserveStockInputSchema.safeParse({ ...step, items: lines(MAX_ORDER_LINES) }).success).toBe(true);
        expect(ReserveStockInputSchema.safeParse({ ...step, items: lines(MAX_ORDER_LINES + 1) }).success).toBe(false);
    });
});
