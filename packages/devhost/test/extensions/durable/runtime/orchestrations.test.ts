/**
 * Orchestrations of every action type run end to end on the devhost: real HTTP, the real durable-functions
 * SDK, the engine, and the task hub in Azurite. Asserts outputs, failure strings and the stored layout.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { TableClient } from '@azure/data-tables';
import { QueueServiceClient } from '@azure/storage-queue';
import { describe, expect, it } from 'vitest';
import type { InstanceRecord } from '../../../../src/extensions/durable/task-hub-port/task-hub-storage';
import {
    useDurableHost,
    startOrchestration,
    waitForStatus,
    skipOnMemoryHub,
} from '../../../support/durable/durable-host';
import { azuriteConnectionString } from '../../../support/storage';

/** Terminal checkpoints seen so far, and waiters for the others (no storage polling involved). */
const finished = new Map<string, InstanceRecord>();
const waiters = new Map<string, (record: InstanceRecord) => void>();

const t = useDurableHost('basic', {
    onCheckpoint: (record) => {
        if (!['Completed', 'Failed', 'Terminated'].includes(record.runtimeStatus)) return;
        finished.set(record.instanceId, record);
        waiters.get(record.instanceId)?.(record);
    },
});

function completion(instanceId: string): Promise<InstanceRecord> {
    const seen = finished.get(instanceId);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve) => waiters.set(instanceId, resolve));
}

async function run(
    name: string,
    input?: unknown,
): Promise<{ id: string; status: Awaited<ReturnType<typeof waitForStatus>>; ms: number }> {
    const started = Date.now();
    const check = await startOrchestration(t.origin, name, input);
    const status = await waitForStatus(check.statusQueryGetUri);
    return { id: check.id, status, ms: Date.now() - started };
}

describe('orchestrations on the devhost', () => {
    it('runs an activity sequence to Completed with its output', async () => {
        const { status } = await run('sequence');
        expect(status.runtimeStatus).toBe('Completed');
        expect(status.output).toEqual(['Hello, Tokyo!', 'Hello, Seattle!', 'Hello, London!', 'Hello, Cairo!']);
        expect(status.input).toBeNull();
    });

    it('fans out and in', async () => {
        const { status } = await run('fanOut', 40);
        expect(status.runtimeStatus).toBe('Completed');
        expect(status.output).toBe((39 * 40) / 2);
    });

    it('fails the orchestration with the extension text when an activity throws', async () => {
        const { status } = await run('failingActivity');
        expect(status.runtimeStatus).toBe('Failed');
        expect(status.output).toMatch(
            /^Orchestrator function 'failingActivity' failed: Activity function 'explode' failed: {2}boom: x/,
        );
    });

    it('lets the orchestrator catch an activity failure', async () => {
        const { status } = await run('catchingActivity');
        expect(status.runtimeStatus).toBe('Completed');
        expect((status.output as { caught: string }).caught).toMatch(/^Activity function 'explode' failed: {2}boom: y/);
    });

    it('reports a throwing orchestrator as Failed with its message', async () => {
        const { status } = await run('throwing');
        expect(status.runtimeStatus).toBe('Failed');
        expect(status.output).toBe("Orchestrator function 'throwing' failed: kaboom");
    });

    it('fails clearly when the activity does not exist', async () => {
        const { status } = await run('missingActivity');
        expect(status.runtimeStatus).toBe('Failed');
        expect(status.output).toContain(
            "The function 'doesNotExist' doesn't exist, is disabled, or is not an activity function.",
        );
    });

    it('fires a short durable timer no earlier than asked', async () => {
        const { status, ms } = await run('timer', 300);
        expect(status.runtimeStatus).toBe('Completed');
        expect(status.output).toBe('fired');
        expect(ms).toBeGreaterThanOrEqual(300);
        expect(ms).toBeLessThan(5000);
    });

    it('runs sub-orchestrations and reports a failing child to the parent', async () => {
        const { status } = await run('parent', 'Kyoto');
        expect(status.runtimeStatus).toBe('Completed');
        const output = status.output as { child: string; failure: string };
        expect(output.child).toBe('child says Hello, Kyoto!');
        expect(output.failure).toMatch(
            /^Orchestrator function 'failingActivity' failed: Activity function 'explode' failed: {2}boom: x/,
        );
    });

    it('continues as new until done', async () => {
        const { status } = await run('counter', 0);
        expect(status.runtimeStatus).toBe('Completed');
        expect(status.output).toBe(3);
        expect(status.input).toBe(3);
    });

    it('calls HTTP endpoints with callHttp', async () => {
        const server = http.createServer((request, response) => {
            response.writeHead(200, { 'Content-Type': 'text/plain' });
            response.end(`you asked for ${request.url}`);
        });
        await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
        try {
            const { port } = server.address() as AddressInfo;
            const { status } = await run('callHttp', `http://127.0.0.1:${port}/thing`);
            expect(status.runtimeStatus).toBe('Completed');
            expect(status.output).toEqual({ status: 200, body: 'you asked for /thing' });
        } finally {
            server.close();
        }
    });

    // Reads the tables and queues on Azurite with the Storage SDKs: the provider's layout, which the memory hub
    // (rows as values) does not have; that it leaves no message behind is memory-runtime.test.ts's.
    skipOnMemoryHub('reads the Azure Storage tables and queues themselves')(
        'stores the provider layout and leaves no messages behind',
        async () => {
            const { id, status } = await run('sequence', ['A', 'B']);
            expect(status.runtimeStatus).toBe('Completed');
            const connection = azuriteConnectionString();
            const options = { allowInsecureConnection: true };
            const instances = TableClient.fromConnectionString(connection, `${t.hubName}Instances`, options);
            const row = await instances.getEntity<Record<string, unknown>>(id, '');
            expect(row.RuntimeStatus).toBe('Completed');
            expect(row.Name).toBe('sequence');
            expect(row.Output).toBe('["Hello, A!","Hello, B!"]');
            const historyTable = TableClient.fromConnectionString(connection, `${t.hubName}History`, options);
            const rows: Array<Record<string, unknown>> = [];
            for await (const entity of historyTable.listEntities<Record<string, unknown>>({
                queryOptions: { filter: `PartitionKey eq '${id}'` },
            })) {
                rows.push(entity);
            }
            const types = rows.filter((r) => r.rowKey !== 'sentinel').map((r) => r.EventType);
            expect(types).toEqual([
                'OrchestratorStarted',
                'ExecutionStarted',
                'TaskScheduled',
                'OrchestratorCompleted',
                'OrchestratorStarted',
                'TaskCompleted',
                'TaskScheduled',
                'OrchestratorCompleted',
                'OrchestratorStarted',
                'TaskCompleted',
                'ExecutionCompleted',
                'OrchestratorCompleted',
            ]);
            expect(rows.some((r) => r.rowKey === 'sentinel')).toBe(true);
            expect(rows.find((r) => r.rowKey === '0000000000000000')?.EventType).toBe('OrchestratorStarted');

            // Deletes run off the critical path: give them a moment, then every queue of the hub is empty.
            const queues = QueueServiceClient.fromConnectionString(connection);
            const names = [0, 1, 2, 3]
                .map((n) => `${t.hubName.toLowerCase()}-control-0${n}`)
                .concat(`${t.hubName.toLowerCase()}-workitems`);
            let counts: number[] = [];
            for (let attempt = 0; attempt < 50; attempt++) {
                counts = await Promise.all(
                    names.map(
                        async (name) =>
                            (await queues.getQueueClient(name).getProperties()).approximateMessagesCount ?? -1,
                    ),
                );
                if (counts.every((c) => c === 0)) break;
                await new Promise((resolve) => setTimeout(resolve, 100));
            }
            expect(counts).toEqual([0, 0, 0, 0, 0]);
        },
    );

    it('measures a 4-activity orchestration: wall time and storage calls', async () => {
        await run('sequence'); // warm-up (connections, JIT)
        const storage = t.durable.runtime?.storage as unknown as {
            stats?: { total: number; reset(): void; toJSON(): unknown };
        };
        const samples: Array<{ ms: number; callsAtCompletion: number | undefined; totalCalls: number | undefined }> =
            [];
        for (let i = 0; i < 5; i++) {
            storage.stats?.reset();
            const started = performance.now();
            const check = await startOrchestration(t.origin, 'sequence');
            const record = await completion(check.id);
            const ms = performance.now() - started;
            const callsAtCompletion = storage.stats?.total;
            await new Promise((resolve) => setTimeout(resolve, 300)); // trailing deletes
            expect(record.output).toBe('["Hello, Tokyo!","Hello, Seattle!","Hello, London!","Hello, Cairo!"]');
            samples.push({ ms: Math.round(ms * 10) / 10, callsAtCompletion, totalCalls: storage.stats?.total });
        }
        // Printed for the report; not asserted beyond sanity (benchmarks are not tests).
        console.log(`4-activity orchestration: ${JSON.stringify(samples)}`);
        expect(samples.every((s) => s.ms < 5000)).toBe(true);
    });
});
