import { OrchestrationRuntimeStatus } from 'durable-functions';
import { describe, expect, it } from 'vitest';
import { startOrchestration } from '../../src/http/start-orchestration';
import { FakeDurableClient } from '../support/app/fake-durable-client';
import { httpRequest, quietContext, readResponse } from '../support/app/http';

function post(functionName: string, body?: string) {
    return httpRequest({
        method: 'POST',
        path: `/api/orchestrations/${functionName}`,
        params: { function_name: functionName },
        ...(body === undefined ? {} : { body, headers: { 'content-type': 'application/json' } }),
    });
}

async function start(functionName: string, body?: string, client = new FakeDurableClient()) {
    const { context, logs } = quietContext('http_start');
    const response = await readResponse(await startOrchestration(post(functionName, body), client, context));
    return { ...response, client, logs };
}

describe('http_start', () => {
    it('starts order_processing with the parsed order and answers 202 with the management payload', async () => {
        const order = {
            order_id: 'A-1',
            items: [{ sku: 'MUG' }, { sku: 'TEE', quantity: 2 }],
            email: 'ada@example.com',
        };
        const { status, body, client } = await start('order_processing', JSON.stringify(order));

        expect(status).toBe(202);
        expect(client.started).toEqual([
            {
                name: 'order_processing',
                options: {
                    instanceId: 'order-A-1',
                    input: {
                        ...order,
                        items: [
                            { sku: 'MUG', quantity: 1 },
                            { sku: 'TEE', quantity: 2 },
                        ],
                        payment_method: 'pm_card_visa',
                    },
                },
            },
        ]);
        expect(body).toMatchObject({
            id: 'order-A-1',
            statusQueryGetUri: expect.stringContaining('/instances/order-A-1'),
        });
    });

    describe('order_processing starts idempotently under the order id', () => {
        const order = { order_id: 'A-9', items: ['MUG'] };

        it('answers the same body again with 202 and the same instance, starting nothing', async () => {
            const client = new FakeDurableClient();
            const first = await start('order_processing', JSON.stringify(order), client);
            const again = await start('order_processing', JSON.stringify(order), client);
            expect(again.status).toBe(202);
            expect(again.body).toEqual(first.body);
            expect(client.started).toHaveLength(1);
        });

        it('treats the same order written another way (SKU string or object, defaults) as the same body', async () => {
            const client = new FakeDurableClient();
            await start('order_processing', JSON.stringify(order), client);
            const again = await start(
                'order_processing',
                JSON.stringify({
                    items: [{ quantity: 1, sku: 'MUG' }],
                    payment_method: 'pm_card_visa',
                    order_id: 'A-9',
                }),
                client,
            );
            expect(again.status).toBe(202);
            expect(client.started).toHaveLength(1);
        });

        it('answers another body under the same order id with a 409 problem, starting nothing', async () => {
            const client = new FakeDurableClient();
            await start('order_processing', JSON.stringify(order), client);
            const other = await start('order_processing', JSON.stringify({ ...order, items: ['TEE'] }), client);
            expect(other.status).toBe(409);
            expect(other.contentType).toBe('application/problem+json');
            expect(other.body).toMatchObject({
                type: 'urn:order-workflows:problem:conflict',
                status: 409,
                instance_id: 'order-A-9',
            });
            expect(client.started).toHaveLength(1);
        });

        it.each(['Failed', 'Terminated'] as const)('starts an order that ended %s again', async (ending) => {
            const client = new FakeDurableClient();
            await start('order_processing', JSON.stringify(order), client);
            const stored = client.instances.get('order-A-9');
            if (!stored) throw new Error('not stored');
            client.instances.set('order-A-9', { ...stored, runtimeStatus: OrchestrationRuntimeStatus[ending] });
            const again = await start('order_processing', JSON.stringify(order), client);
            expect(again.status).toBe(202);
            expect(client.started).toHaveLength(2);
        });

        it('does not start a Completed order again, whatever its outcome', async () => {
            const client = new FakeDurableClient();
            await start('order_processing', JSON.stringify(order), client);
            const stored = client.instances.get('order-A-9');
            if (!stored) throw new Error('not stored');
            client.instances.set('order-A-9', { ...stored, runtimeStatus: OrchestrationRuntimeStatus.Completed });
            expect((await start('order_processing', JSON.stringify(order), client)).status).toBe(202);
            expect(client.started).toHaveLength(1);
        });

        it('answers a start that lost a race from what the winner started', async () => {
            const client = new FakeDurableClient();
            // The status read finds nothing, then another request starts the instance before this one does.
            const winnerInput = {
                order_id: 'A-9',
                items: [{ sku: 'MUG', quantity: 1 }],
                payment_method: 'pm_card_visa',
            };
            const realGetStatus = client.getStatus.bind(client);
            let reads = 0;
            client.getStatus = async (instanceId) => {
                reads += 1;
                if (reads === 1) {
                    await client.startNew('order_processing', { instanceId, input: winnerInput });
                    throw new Error('Durable Functions extension replied with HTTP 404 response.');
                }
                return realGetStatus(instanceId);
            };
            const answer = await start('order_processing', JSON.stringify(order), client);
            expect(answer.status).toBe(202);
            expect(client.started).toHaveLength(1);
        });
    });

    it('passes on the Location and Retry-After headers of createCheckStatusResponse', async () => {
        const { context } = quietContext('http_start');
        const response = await startOrchestration(
            post('parallel_processing', '{"items":[1]}'),
            new FakeDurableClient(),
            context,
        );
        expect(response.headers.get('location')).toContain('/instances/instance-1');
        expect(response.headers.get('retry-after')).toBe('10');
    });

    it('starts parallel_processing with an empty list', async () => {
        const { status, client } = await start('parallel_processing', '{"items": []}');
        expect(status).toBe(202);
        expect(client.started).toEqual([{ name: 'parallel_processing', options: { input: { items: [] } } }]);
    });

    it('starts an order with no items (validate_order rejects it later, not the starter)', async () => {
        const { status } = await start('order_processing', '{"order_id": "A-1", "items": []}');
        expect(status).toBe(202);
    });

    it.each(['validate_order', 'process_item', 'http_start', 'nope', 'constructor'])(
        'answers 404 listing the orchestrators for %s',
        async (name) => {
            const { status, contentType, body, client } = await start(name, '{}');
            expect(status).toBe(404);
            expect(contentType).toBe('application/problem+json');
            expect(body).toMatchObject({
                status: 404,
                title: 'Unknown orchestrator',
                type: expect.any(String),
                detail: expect.stringContaining('order_processing, parallel_processing'),
                orchestrators: ['order_processing', 'parallel_processing'],
            });
            expect(client.started).toEqual([]);
        },
    );

    it.each(['{"order_id": ', 'not json', '{"order_id": "A-1",}'])(
        'answers 400 for malformed JSON %j',
        async (text) => {
            const { status, contentType, body, client } = await start('order_processing', text);
            expect(status).toBe(400);
            expect(contentType).toBe('application/problem+json');
            expect(body).toMatchObject({
                status: 400,
                title: 'Malformed JSON',
                detail: expect.stringContaining('not valid JSON'),
            });
            expect(client.started).toEqual([]);
        },
    );

    it('answers 400 with one message per invalid field', async () => {
        const order = { order_id: '', items: [{ sku: 'MUG', quantity: 0 }, 7], email: 'nope' };
        const { status, contentType, body, client } = await start('order_processing', JSON.stringify(order));

        expect(status).toBe(400);
        expect(contentType).toBe('application/problem+json');
        expect(body).toMatchObject({ status: 400, title: 'Invalid orchestration input', type: expect.any(String) });
        expect(body).toHaveProperty('errors', [
            { field: 'order_id', message: 'order_id must not be empty' },
            { field: 'items[0].quantity', message: 'quantity must be at least 1' },
            { field: 'items[1]', message: 'an item is a SKU string or an object' },
            { field: 'email', message: 'email must be a valid email address' },
        ]);
        expect(client.started).toEqual([]);
    });

    it('treats an empty body as null input, which order_processing refuses at the root', async () => {
        const { status, body } = await start('order_processing');
        expect(status).toBe(400);
        expect(body).toHaveProperty('errors', [{ field: '(root)', message: expect.stringContaining('received null') }]);
    });

    it('gives a 502 problem without internals when the backend cannot start the instance', async () => {
        const client = new FakeDurableClient();
        client.startError = new Error('connect ECONNREFUSED 127.0.0.1:7071 at secret/stack/frame.js:1:1');
        const { status, contentType, body, logs } = await start('parallel_processing', '{"items":[]}', client);

        expect(status).toBe(502);
        expect(contentType).toBe('application/problem+json');
        expect(JSON.stringify(body)).not.toContain('ECONNREFUSED');
        expect(logs.some((line) => line.level === 'error' && line.text.includes('ECONNREFUSED'))).toBe(true);
    });
});
