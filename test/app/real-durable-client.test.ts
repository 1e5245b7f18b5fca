import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { InvocationContext } from '@azure/functions';
import * as df from 'durable-functions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getInstanceStatus } from '../../src/http/get-status';
import { startOrchestration } from '../../src/http/start-orchestration';
import { httpRequest, readResponse } from '../support/app/http';

/**
 * The handlers with the SDK's real DurableClient, talking HTTP to a stub of the Durable extension's
 * webhook API on 127.0.0.1. This pins what the fakes assume: the client's URLs and payload, and above all
 * the error the real client throws for an unknown instance, which get_status must turn into a 404.
 */
const started: { path: string; body: string }[] = [];
let server: Server;
let base = '';

function stubExtension(request: IncomingMessage, response: ServerResponse): void {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
        const path = new URL(request.url ?? '/', 'http://stub').pathname;
        const reply = (status: number, body?: unknown) => {
            response.writeHead(status, { 'content-type': 'application/json' });
            response.end(body === undefined ? '' : JSON.stringify(body));
        };
        if (request.method === 'POST' && path.startsWith('/durabletask/orchestrators/')) {
            started.push({ path, body: Buffer.concat(chunks).toString('utf8') });
            return reply(202, { id: 'abc123' });
        }
        if (request.method === 'GET' && path === '/durabletask/instances/abc123') {
            return reply(200, {
                name: 'parallel_processing',
                instanceId: 'abc123',
                runtimeStatus: 'Completed',
                input: { items: [] },
                customStatus: null,
                output: { total: 0, successful: 0, failed: 0, results: [] },
                createdTime: '2026-01-02T03:04:05Z',
                lastUpdatedTime: '2026-01-02T03:04:06Z',
            });
        }
        return reply(404);
    });
}

/** An InvocationContext carrying the durableClient binding data the extension would send. */
function contextWithDurableClient(functionName: string): InvocationContext {
    const clientInput = df.input.durableClient();
    const context = new InvocationContext({
        functionName,
        logHandler: () => undefined,
        options: { extraInputs: [clientInput] },
    });
    const webhooks = `${base}/runtime/webhooks/durabletask`;
    const query = 'taskHub=TestHub&connection=Storage';
    context.extraInputs.set(clientInput, {
        taskHubName: 'TestHub',
        creationUrls: {
            createNewInstancePostUri: `${webhooks}/orchestrators/{functionName}[/{instanceId}]?${query}`,
            createAndWaitOnNewInstancePostUri: `${webhooks}/orchestrators/{functionName}[/{instanceId}]?timeout={timeoutInSeconds}&pollingInterval={intervalInSeconds}&${query}`,
        },
        managementUrls: {
            id: 'INSTANCEID',
            statusQueryGetUri: `${webhooks}/instances/INSTANCEID?${query}`,
            sendEventPostUri: `${webhooks}/instances/INSTANCEID/raiseEvent/{eventName}?${query}`,
            terminatePostUri: `${webhooks}/instances/INSTANCEID/terminate?reason={text}&${query}`,
            rewindPostUri: `${webhooks}/instances/INSTANCEID/rewind?reason={text}&${query}`,
            purgeHistoryDeleteUri: `${webhooks}/instances/INSTANCEID?${query}`,
            restartPostUri: `${webhooks}/instances/INSTANCEID/restart?${query}`,
            suspendPostUri: `${webhooks}/instances/INSTANCEID/suspend?reason={text}&${query}`,
            resumePostUri: `${webhooks}/instances/INSTANCEID/resume?reason={text}&${query}`,
        },
        baseUrl: webhooks,
        requiredQueryStringParameters: query,
        rpcBaseUrl: `${base}/durabletask/`,
    });
    return context;
}

beforeAll(async () => {
    server = createServer(stubExtension);
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
    server.close();
    await once(server, 'close');
});

describe('handlers with the real DurableClient', () => {
    it('http_start posts the parsed input to the extension and answers with its management payload', async () => {
        const context = contextWithDurableClient('http_start');
        const request = httpRequest({
            method: 'POST',
            path: '/api/orchestrations/parallel_processing',
            params: { function_name: 'parallel_processing' },
            body: '{"items": ["a", 2]}',
        });

        const response = await readResponse(await startOrchestration(request, df.getClient(context), context));

        expect(started).toEqual([
            { path: '/durabletask/orchestrators/parallel_processing', body: '{"items":["a",2]}' },
        ]);
        expect(response.status).toBe(202);
        expect(response.body).toMatchObject({
            id: 'abc123',
            statusQueryGetUri: expect.stringMatching(/\/runtime\/webhooks\/durabletask\/instances\/abc123\?/),
        });
    });

    it('get_status reads a known instance', async () => {
        const context = contextWithDurableClient('get_status');
        const request = httpRequest({
            method: 'GET',
            path: '/api/orchestrations/abc123/status',
            params: { instance_id: 'abc123' },
        });
        const response = await readResponse(await getInstanceStatus(request, df.getClient(context), context));
        expect(response).toMatchObject({
            status: 200,
            body: { instance_id: 'abc123', runtime_status: 'Completed', created_time: '2026-01-02T03:04:05.000Z' },
        });
    });

    it('get_status turns the real client error for an unknown instance into a 404', async () => {
        const context = contextWithDurableClient('get_status');
        const request = httpRequest({
            method: 'GET',
            path: '/api/orchestrations/nope/status',
            params: { instance_id: 'nope' },
        });
        const response = await readResponse(await getInstanceStatus(request, df.getClient(context), context));
        expect(response).toMatchObject({
            status: 404,
            contentType: 'application/problem+json',
            body: { error: 'Instance not found', type: 'urn:order-workflows:problem:not-found', status: 404 },
        });
    });
});
