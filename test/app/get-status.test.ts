import { OrchestrationRuntimeStatus } from 'durable-functions';
import { describe, expect, it } from 'vitest';
import { getInstanceStatus, isInstanceNotFoundError } from '../../src/http/get-status';
import { FakeDurableClient } from '../support/app/fake-durable-client';
import { httpRequest, quietContext, readResponse } from '../support/app/http';

async function statusOf(instanceId: string, client: FakeDurableClient) {
    const request = httpRequest({
        method: 'GET',
        path: `/api/orchestrations/${instanceId}/status`,
        params: { instance_id: instanceId },
    });
    const { context, logs } = quietContext('get_status');
    return { ...(await readResponse(await getInstanceStatus(request, client, context))), logs };
}

describe('get_status', () => {
    it('answers 200 with the status in snake_case', async () => {
        const client = new FakeDurableClient();
        const output = { status: 'completed', order_id: 'A-1', charge_id: 'ch_1', tracking_number: 'TRK1' };
        client.instances.set('abc', {
            name: 'order_processing',
            instanceId: 'abc',
            runtimeStatus: OrchestrationRuntimeStatus.Completed,
            input: {},
            output,
            customStatus: undefined,
            createdTime: new Date('2026-01-02T03:04:05.000Z'),
            lastUpdatedTime: new Date('2026-01-02T03:04:06.500Z'),
        });

        const { status, contentType, body } = await statusOf('abc', client);

        expect(status).toBe(200);
        expect(contentType).toBe('application/json');
        expect(body).toEqual({
            instance_id: 'abc',
            runtime_status: 'Completed',
            output,
            custom_status: null,
            created_time: '2026-01-02T03:04:05.000Z',
            last_updated_time: '2026-01-02T03:04:06.500Z',
        });
    });

    it('reports a running instance with null output', async () => {
        const client = new FakeDurableClient();
        client.instances.set('run', {
            name: 'parallel_processing',
            instanceId: 'run',
            runtimeStatus: OrchestrationRuntimeStatus.Running,
            input: { items: [] },
            output: null,
            customStatus: { step: 2 },
            createdTime: new Date(0),
            lastUpdatedTime: new Date(1000),
        });
        const { body } = await statusOf('run', client);
        expect(body).toMatchObject({ runtime_status: 'Running', output: null, custom_status: { step: 2 } });
    });

    it("answers 404 with a problem document that keeps the recipe's error member for an unknown instance", async () => {
        const { status, contentType, body } = await statusOf('missing', new FakeDurableClient());
        expect(status).toBe(404);
        expect(contentType).toBe('application/problem+json');
        expect(body).toEqual({
            error: 'Instance not found',
            type: 'urn:order-workflows:problem:not-found',
            title: 'Instance not found',
            status: 404,
            detail: "There is no orchestration instance 'missing'.",
        });
    });

    it('answers a 502 problem, not a 404, when the backend fails otherwise', async () => {
        const client = new FakeDurableClient();
        client.statusError = new Error('DurableClient error: the Durable Functions extension replied with HTTP 500');
        const { status, contentType, logs } = await statusOf('abc', client);
        expect(status).toBe(502);
        expect(contentType).toBe('application/problem+json');
        expect(logs.some((line) => line.level === 'error')).toBe(true);
    });

    it('answers a 502 problem when the status has an unexpected shape', async () => {
        const client = new FakeDurableClient();
        client.instances.set('odd', {
            name: 'x',
            instanceId: 'odd',
            runtimeStatus: OrchestrationRuntimeStatus.Running,
            input: null,
            output: null,
            createdTime: new Date('not a date'),
            lastUpdatedTime: new Date(0),
        });
        expect((await statusOf('odd', client)).status).toBe(502);
    });
});

describe('isInstanceNotFoundError', () => {
    it.each([
        [new Error('DurableClient error: Durable Functions extension replied with HTTP 404 response. Details'), true],
        [Object.assign(new Error('not found'), { status: 404 }), true],
        [Object.assign(new Error('not found'), { statusCode: 404 }), true],
        [
            new Error('DurableClient error: the Durable Functions extension replied with an empty HTTP 400 response.'),
            false,
        ],
        [new Error('replied with HTTP 4040 response'), false],
        ['HTTP 404', false],
        [null, false],
    ])('%s → %s', (error, expected) => {
        expect(isInstanceNotFoundError(error)).toBe(expected);
    });
});
