import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pollUntilDone, startDevhost, type DevhostProcess } from '../support/e2e/devhost-process';
import { azuriteConnectionString, uniqueHubName } from '../support/storage';

/**
 * The README's curl flows, over real HTTP, against the built app served by the devhost process the way
 * `npm start` runs it (here on a random port, with the run's in-memory Azurite and a task hub of its own).
 */
let devhost: DevhostProcess;

beforeAll(async () => {
    devhost = await startDevhost({
        env: {
            AzureWebJobsStorage: azuriteConnectionString(),
            TASKHUB_NAME: uniqueHubName('E2e'),
            ORDERS_TABLE_PREFIX: uniqueHubName('E2e'),
        },
    });
});

afterAll(async () => {
    expect(await devhost.stop()).toBe(0);
});

interface CheckStatus {
    id: string;
    statusQueryGetUri: string;
    sendEventPostUri: string;
    terminatePostUri: string;
    purgeHistoryDeleteUri: string;
}

async function start(name: string, body: string): Promise<{ response: Response; payload: CheckStatus }> {
    const response = await fetch(`${devhost.origin}/api/orchestrations/${name}`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body,
    });
    expect(response.status).toBe(202);
    return { response, payload: (await response.json()) as CheckStatus };
}

describe('README flows on the devhost', () => {
    it('lists the app functions at start-up as func start does', () => {
        expect(devhost.output()).toMatch(
            /http_start: \[POST\] http:\/\/localhost:\d+\/api\/orchestrations\/\{function_name\}/,
        );
        expect(devhost.output()).toMatch(/order_processing: orchestrationTrigger/);
    });

    it('runs an order to Completed through statusQueryGetUri', async () => {
        const order = {
            order_id: 'A-1001',
            items: [{ sku: 'MUG' }, { sku: 'TEE' }, { name: 'Sticker pack' }],
            email: 'ada@example.com',
        };
        const { response, payload } = await start('order_processing', JSON.stringify(order));
        expect(response.headers.get('location')).toBe(payload.statusQueryGetUri);
        expect(
            payload.statusQueryGetUri.startsWith(
                `${devhost.origin}/runtime/webhooks/durabletask/instances/${payload.id}`,
            ),
        ).toBe(true);

        const status = await pollUntilDone(payload.statusQueryGetUri);
        expect(status.runtimeStatus).toBe('Completed');
        const output = status.output as Record<string, unknown>;
        expect(output).toMatchObject({ status: 'completed', order_id: 'A-1001', amount: { cents: 3 * 2999 } });
        expect(output.charge_id).toEqual(expect.any(String));
        expect(output.tracking_number).toEqual(expect.any(String));

        const compact = await fetch(`${devhost.origin}/api/orchestrations/${payload.id}/status`);
        expect(compact.status).toBe(200);
        expect(await compact.json()).toMatchObject({ instance_id: payload.id, runtime_status: 'Completed', output });
    });

    it('completes an order without items as rejected', async () => {
        const { payload } = await start('order_processing', JSON.stringify({ order_id: 'A-1002', items: [] }));
        const status = await pollUntilDone(payload.statusQueryGetUri);
        expect(status.runtimeStatus).toBe('Completed');
        expect(status.output).toMatchObject({ status: 'rejected', reason: 'No items in order' });
    });

    it('fans out parallel_processing over three items', async () => {
        const { payload } = await start(
            'parallel_processing',
            JSON.stringify({ items: ['apple', { sku: 'PEAR' }, 7] }),
        );
        const status = await pollUntilDone(payload.statusQueryGetUri);
        expect(status.runtimeStatus).toBe('Completed');
        const output = status.output as { total: number; successful: number; failed: number; results: unknown[] };
        expect(output).toMatchObject({ total: 3, successful: 3, failed: 0 });
        expect(output.results).toHaveLength(3);
    });

    it('answers 404 for an unknown instance on the status endpoint', async () => {
        const response = await fetch(`${devhost.origin}/api/orchestrations/no-such-instance/status`);
        expect(response.status).toBe(404);
        // The recipe's body, as part of a problem document.
        expect(await response.json()).toMatchObject({ error: 'Instance not found', status: 404 });
    });

    it('answers 404 with the orchestrator list for an unknown orchestrator or an activity', async () => {
        for (const name of ['no_such_orchestrator', 'validate_order']) {
            const response = await fetch(`${devhost.origin}/api/orchestrations/${name}`, {
                method: 'POST',
                body: '{}',
            });
            expect(response.status).toBe(404);
            expect(response.headers.get('content-type')).toContain('application/problem+json');
            const problem = (await response.json()) as { status: number; detail: string };
            expect(problem.status).toBe(404);
            expect(problem.detail).toContain('order_processing');
        }
    });

    it('answers 400 with a problem document for malformed JSON and starts nothing', async () => {
        const response = await fetch(`${devhost.origin}/api/orchestrations/order_processing`, {
            method: 'POST',
            headers: { 'Content-Type': 'application/json' },
            body: '{"order_id": "A-1",',
        });
        expect(response.status).toBe(400);
        expect(response.headers.get('content-type')).toContain('application/problem+json');
        const problem = (await response.json()) as { status: number; title: string };
        expect(problem.status).toBe(400);
        expect(devhost.output()).not.toMatch(/at .*\(.*\.js:\d+:\d+\)/);
    });

    it('answers 400 with one message per invalid field', async () => {
        const response = await fetch(`${devhost.origin}/api/orchestrations/order_processing`, {
            method: 'POST',
            body: JSON.stringify({ order_id: 42, items: 'none' }),
        });
        expect(response.status).toBe(400);
        const problem = (await response.json()) as { errors: { field: string }[] };
        expect(problem.errors.map((e) => e.field).sort()).toEqual(['items', 'order_id']);
    });
});
