/**
 * Orchestration versioning on Azurite through the real SDK (docs/protocol.md §16): the host's defaultVersion
 * stamps new instances and sub-orchestrations, context.df.version reads it from history, and the match and
 * failure strategies decide which instances a host runs. The `versioning` fixture's host.json sets
 * defaultVersion 1.0 (CurrentOrOlder, Reject by default); hosts on other versions are DurableRuntimes on their
 * own hubs, as a redeployed app would be.
 */
import path from 'node:path';
import { QueueServiceClient } from '@azure/storage-queue';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { controlQueueName } from '../../../../src/extensions/durable/azure-storage/hub-resources';
import { defaultStorageFactory } from '../../../../src/extensions/durable/default-storage';
import { createDurableExtension, type DurableExtension } from '../../../../src/extensions/durable/extension';
import { DEFAULT_DURABLE_CONFIG } from '../../../../src/extensions/durable/runtime/durable-config';
import { DurableRuntime } from '../../../../src/extensions/durable/runtime/durable-runtime';
import type { VersioningConfig } from '../../../../src/extensions/durable/runtime/versioning';
import type { InstanceRecord } from '../../../../src/extensions/durable/task-hub-port/task-hub-storage';
import { createViewerExtension } from '../../../../src/extensions/viewer/extension';
import { startHost, type RunningHost } from '../../../../src/host/start-host';
import { EventType, type HistoryEvent } from '../../../../src/shared/history';
import type { LoadedApp, LogEntry } from '../../../../src/shared/host-contracts';
import { pollUntil } from '../../../../src/testing/poll-until';
import { captureLogger, FIXTURES, postJson, WEBHOOK } from '../../../support/durable/durable-host';
import { silentLogger } from '../../../support/host/capture-logger';
import { serveInMemory, testFetch } from '../../../support/in-memory-fetch';
import { azuriteConnectionString, uniqueHubName } from '../../../support/storage';

const PARTITIONS = 4;
const MISMATCH = 'VersionMismatch: Orchestration version did not comply with Worker Versioning';

let host: RunningHost;
let durable: DurableExtension;
let hubName: string;
const logs: LogEntry[] = [];
const runtimes: DurableRuntime[] = [];

beforeAll(async () => {
    process.env.AzureWebJobsStorage = azuriteConnectionString();
    hubName = uniqueHubName('VerRt');
    process.env.FIXTURE_HUB = hubName;
    durable = createDurableExtension();
    host = serveInMemory(
        await startHost({
            appDir: path.join(FIXTURES, 'versioning'),
            port: 0,
            extensions: [durable, createViewerExtension({ durable })],
            logger: captureLogger(logs),
        }),
    );
});

afterAll(async () => {
    for (const runtime of runtimes) await runtime.stop();
    await host?.close();
});

function fixtureRuntime(): DurableRuntime {
    const runtime = durable.runtime;
    if (!runtime) throw new Error('the fixture host runs no Durable runtime');
    return runtime;
}

/** A host of the same app on its own hub with `versioning` (a redeployment, or its previous deployment). */
async function startRuntime(hub: string, versioning: Partial<VersioningConfig>): Promise<DurableRuntime> {
    const runtime = new DurableRuntime({
        app: host.app as unknown as LoadedApp,
        storage: await defaultStorageFactory({ env: process.env, hubName: hub, partitionCount: PARTITIONS }),
        config: {
            ...DEFAULT_DURABLE_CONFIG,
            hubName: hub,
            partitionCount: PARTITIONS,
            maxQueuePollingIntervalMs: 250,
            versioning: { ...DEFAULT_DURABLE_CONFIG.versioning, ...versioning },
        },
        logger: silentLogger,
    });
    runtimes.push(runtime);
    await runtime.start();
    return runtime;
}

async function sdkStart(body: { name: string; input?: unknown; version?: string }): Promise<string> {
    const response = await postJson(`${host.origin}/api/versioning/start`, body);
    expect(response.status).toBe(200);
    return ((await response.json()) as { id: string }).id;
}

async function finished(runtime: DurableRuntime, instanceId: string, timeoutMs = 15_000): Promise<InstanceRecord> {
    const record = await pollUntil(
        () => runtime.client.getStatus(instanceId),
        (row) => row !== undefined && ['Completed', 'Failed', 'Terminated'].includes(row.runtimeStatus),
        timeoutMs,
    );
    if (!record) throw new Error(`no instance ${instanceId}`);
    return record;
}

function startedEvent(
    history: readonly HistoryEvent[],
): Extract<HistoryEvent, { EventType: EventType.ExecutionStarted }> {
    const started = history.find((event) => event.EventType === EventType.ExecutionStarted);
    if (started?.EventType !== EventType.ExecutionStarted) throw new Error('no ExecutionStarted in history');
    return started;
}

async function controlQueueDepth(hub: string, instanceId: string, runtime: DurableRuntime): Promise<number> {
    const queue = QueueServiceClient.fromConnectionString(azuriteConnectionString()).getQueueClient(
        controlQueueName(hub, runtime.storage.partitionOf(instanceId)),
    );
    return (await queue.getProperties()).approximateMessagesCount ?? 0;
}

describe('a host with defaultVersion 1.0', () => {
    it('stamps 1.0 on a client start without a version, in the row and in ExecutionStarted, and context.df.version sees it', async () => {
        const runtime = fixtureRuntime();
        const id = await sdkStart({ name: 'reportVersion' });
        const record = await finished(runtime, id);
        expect(record.runtimeStatus).toBe('Completed');
        expect(JSON.parse(record.output ?? 'null')).toEqual({ version: '1.0' });
        expect(record.version).toBe('1.0');
        expect(startedEvent(await runtime.client.getHistory(id)).Version).toBe('1.0');
    });

    it("runs an older version a client asks for with the SDK's startNew({ version })", async () => {
        const runtime = fixtureRuntime();
        const id = await sdkStart({ name: 'reportVersion', version: '0.9' });
        const record = await finished(runtime, id);
        expect(JSON.parse(record.output ?? 'null')).toEqual({ version: '0.9' });
        expect(record.version).toBe('0.9');
    });

    it('stamps its default on a sub-orchestration started without a version, and keeps the one asked for', async () => {
        const runtime = fixtureRuntime();
        const id = await sdkStart({ name: 'versionParent', version: '0.8' });
        const record = await finished(runtime, id);
        expect(JSON.parse(record.output ?? 'null')).toEqual({
            own: '0.8',
            byDefault: { version: '1.0' },
            pinned: { version: '0.5' },
        });
        const created = (await runtime.client.getHistory(id)).filter(
            (event) => event.EventType === EventType.SubOrchestrationInstanceCreated,
        );
        expect(created.map((event) => ('Version' in event ? event.Version : undefined))).toEqual(['1.0', '0.5']);
    });

    it("keeps the instance's version across ContinueAsNew", async () => {
        const runtime = fixtureRuntime();
        const id = await sdkStart({ name: 'continueOnce', version: '0.7' });
        const record = await finished(runtime, id);
        expect(JSON.parse(record.output ?? 'null')).toEqual({ generation: 1, version: '0.7' });
    });

    it('answers 400 with a problem document for a version with control characters or over 100 characters', async () => {
        for (const version of ['1.0%0A', 'x'.repeat(101)]) {
            const response = await postJson(`${host.origin}${WEBHOOK}/orchestrators/reportVersion?version=${version}`);
            expect(response.status).toBe(400);
            expect(response.headers.get('content-type')).toBe('application/problem+json');
            expect(await response.json()).toMatchObject({ status: 400, title: 'Invalid version' });
        }
    });

    it('does not run a 2.0 instance with Reject: it stays Pending with no history, its start waiting on the control queue, and the viewer says why', async () => {
        const runtime = fixtureRuntime();
        const response = await postJson(`${host.origin}${WEBHOOK}/orchestrators/reportVersion?version=2.0`);
        expect(response.status).toBe(202);
        const id = ((await response.json()) as { id: string }).id;
        const rejection = await pollUntil(
            () => Promise.resolve(runtime.versionGate.rejection(id)),
            (value) => value !== undefined,
        );
        expect(rejection?.reason).toBe(
            "Orchestration version '2.0' does not match: this host runs versions up to '1.0' (versionMatchStrategy CurrentOrOlder).",
        );
        // Long enough for the start to come back from the queue and be turned away again.
        await new Promise((resolve) => setTimeout(resolve, 3000));
        const record = await runtime.client.getStatus(id);
        expect(record?.runtimeStatus).toBe('Pending');
        expect(await runtime.client.getHistory(id)).toEqual([]);
        expect(await controlQueueDepth(hubName, id, runtime)).toBeGreaterThanOrEqual(1);

        const summary = (await (await testFetch(`${host.origin}/_devhost/api/hub`)).json()) as {
            versions: Record<string, string>;
            versioning: { defaultVersion: string; rejected: Array<{ instanceId: string }> };
        };
        expect(summary.versions[id]).toBe('2.0');
        expect(summary.versioning.defaultVersion).toBe('1.0');
        expect(summary.versioning.rejected.map((item) => item.instanceId)).toContain(id);
        const detail = (await (await testFetch(`${host.origin}/_devhost/api/instances/${id}`)).json()) as {
            instance: { version: string; runtimeStatus: string };
            waiting?: { reason: string };
        };
        expect(detail.instance).toMatchObject({ version: '2.0', runtimeStatus: 'Pending' });
        expect(detail.waiting?.reason).toContain("'2.0' does not match");
    });
});

describe('versionFailureStrategy Fail', () => {
    it("fails a 2.0 instance on a 1.0 host with the extension's VersionMismatch failure, without running it", async () => {
        const runtime = await startRuntime(uniqueHubName('VerFail'), {
            defaultVersion: '1.0',
            failureStrategy: 'Fail',
        });
        const record = await runtime.client.startNew('reportVersion', { version: '2.0' });
        const done = await finished(runtime, record.instanceId);
        expect(done.runtimeStatus).toBe('Failed');
        expect(done.output).toBe(MISMATCH);
        const history = await runtime.client.getHistory(record.instanceId);
        const completed = history.find((event) => event.EventType === EventType.ExecutionCompleted);
        expect(completed).toMatchObject({
            FailureDetails: {
                ErrorType: 'VersionMismatch',
                ErrorMessage: 'Orchestration version did not comply with Worker Versioning',
                IsNonRetriable: true,
            },
        });
        // The orchestrator never ran: it would have scheduled nothing and completed with its version.
        expect(history.some((event) => event.EventType === EventType.TaskScheduled)).toBe(false);
    });

    it('runs a matching instance as usual with Fail', async () => {
        const runtime = await startRuntime(uniqueHubName('VerFailOk'), {
            defaultVersion: '1.0',
            failureStrategy: 'Fail',
        });
        const record = await runtime.client.startNew('reportVersion', {});
        const done = await finished(runtime, record.instanceId);
        expect(JSON.parse(done.output ?? 'null')).toEqual({ version: '1.0' });
    });
});

describe('moving a hub from defaultVersion 1.0 to 2.0', () => {
    it('runs the waiting 2.0 instance, finishes a 1.0 instance in flight as 1.0, and stamps 2.0 on new ones', async () => {
        const hub = uniqueHubName('VerMove');
        const old = await startRuntime(hub, { defaultVersion: '1.0' });
        const inFlight = await old.client.startNew('reportVersion', { input: JSON.stringify({ wait: true }) });
        expect(inFlight.version).toBe('1.0');
        await pollUntil(
            () => old.client.getStatus(inFlight.instanceId),
            (row) => row?.runtimeStatus === 'Running',
        );
        const newer = await old.client.startNew('reportVersion', { version: '2.0' });
        await pollUntil(
            () => Promise.resolve(old.versionGate.rejection(newer.instanceId)),
            (value) => value !== undefined,
        );
        expect((await old.client.getStatus(newer.instanceId))?.runtimeStatus).toBe('Pending');
        await old.stop();

        const current = await startRuntime(hub, { defaultVersion: '2.0' });
        // The rejected start comes back from the queue after the provider's back-off (a few seconds).
        const ranNewer = await finished(current, newer.instanceId, 30_000);
        expect(ranNewer.runtimeStatus).toBe('Completed');
        expect(JSON.parse(ranNewer.output ?? 'null')).toEqual({ version: '2.0' });

        await current.client.raiseEvent(inFlight.instanceId, 'Go', 'true');
        const ranInFlight = await finished(current, inFlight.instanceId);
        expect(JSON.parse(ranInFlight.output ?? 'null')).toEqual({ version: '1.0' });
        expect(ranInFlight.version).toBe('1.0');

        const fresh = await current.client.startNew('reportVersion', {});
        expect(fresh.version).toBe('2.0');
        expect(JSON.parse((await finished(current, fresh.instanceId)).output ?? 'null')).toEqual({ version: '2.0' });
        expect(current.versionGate.rejected).toEqual([]);
    }, 90_000);
});
