/**
 * The exactly-once windows, in process on Azurite through the real SDK, each with the fault that
 * opens it: concurrent starts of one id, a parent episode that runs again after its child finished, an event
 * redelivered across ContinueAsNew, and function names in another case.
 */
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { BlobServiceClient } from '@azure/storage-blob';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultStorageFactory } from '../../../../src/extensions/durable/default-storage';
import { DEFAULT_DURABLE_CONFIG } from '../../../../src/extensions/durable/runtime/durable-config';
import { DurableRuntime } from '../../../../src/extensions/durable/runtime/durable-runtime';
import {
    CheckpointConflictError,
    type InstanceRecord,
} from '../../../../src/extensions/durable/task-hub-port/task-hub-storage';
import { EventType } from '../../../../src/shared/history';
import type { LoadedApp } from '../../../../src/shared/host-contracts';
import { hubStorage, startOnHub } from '../../../support/durable/crash';
import {
    postJson,
    startOrchestration,
    waitForStatus,
    waitUntil,
    WEBHOOK,
    type DurableTestHost,
} from '../../../support/durable/durable-host';
import { faultyStorage, queuedMessages, type Faults } from '../../../support/durable/exactly-once';
import { silentLogger } from '../../../support/host/capture-logger';
import { testFetch } from '../../../support/in-memory-fetch';
import { azuriteConnectionString, uniqueHubName } from '../../../support/storage';

let t: DurableTestHost;
const faults: Faults = {};
const checkpoints: InstanceRecord[] = [];

const activityLog = path.join(mkdtempSync(path.join(tmpdir(), 'once-')), 'activities.log');

beforeAll(async () => {
    process.env.ACTIVITY_LOG = activityLog;
    t = await startOnHub(uniqueHubName('Once'), {
        createStorage: async (request) => faultyStorage(await defaultStorageFactory(request), faults),
        onCheckpoint: (record) => checkpoints.push(record),
        config: { messageLeaseSeconds: 2, maxDequeueCount: 2 },
    });
});

afterAll(async () => {
    await t?.close();
});

function unique(prefix: string): string {
    return `${prefix}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 6)}`;
}

describe('concurrent starts of one instance id', () => {
    it('exactly one start wins; the others get 409; the winner runs once with its own input', async () => {
        // An orchestrator that waits for events stays Running, so a start that arrives late still meets a live
        // instance (a finished one may legitimately be replaced, as the extension allows).
        const id = unique('race');
        const responses = await Promise.all(
            [0, 1, 2, 3, 4, 5, 6, 7].map((n) =>
                postJson(`${t.origin}${WEBHOOK}/orchestrators/twoEvents/${id}`, `n${n}`),
            ),
        );
        const statuses = responses.map((r) => r.status);
        expect(statuses.filter((s) => s === 202)).toHaveLength(1);
        expect(statuses.filter((s) => s === 409)).toHaveLength(7);
        const winnerIndex = statuses.indexOf(202);
        const body = (await responses[winnerIndex]?.json()) as { statusQueryGetUri: string; sendEventPostUri: string };
        for (const [event, data] of [
            ['First', 'a'],
            ['Second', 'b'],
        ] as const) {
            const raised = await postJson(body.sendEventPostUri.replace('{eventName}', event), data);
            expect(raised.status).toBe(202);
        }
        const done = await waitForStatus(body.statusQueryGetUri);
        expect(done.runtimeStatus).toBe('Completed');
        expect(done.input).toBe(`n${winnerIndex}`);
        expect(done.output).toEqual(['a', 'b']);
        const history = await hubStorage(t.hubName).readHistory(id);
        expect(history.events.filter((e) => e.EventType === EventType.ExecutionStarted)).toHaveLength(1);
        expect(await queuedMessages(t.hubName)).toBe(0);
    });
});

describe('a parent episode that runs again after its child completed', () => {
    it('does not start the completed child again', async () => {
        const id = unique('parent');
        const childId = `${id}-child`;
        let lost = false;
        faults.beforeAppend = async (append, storage) => {
            if (lost || append.instanceId !== id) return;
            if (!append.events.some((e) => e.EventType === EventType.SubOrchestrationInstanceCreated)) return;
            lost = true;
            // The child's start was sent before this commit; let the child finish, then lose the race.
            const deadline = Date.now() + 10_000;
            while ((await storage.readInstance(childId))?.runtimeStatus !== 'Completed' && Date.now() < deadline)
                await new Promise((resolve) => setTimeout(resolve, 50));
            throw new CheckpointConflictError(id);
        };
        try {
            const started = await startOrchestration(t.origin, 'parentOfGreet', 'kid', id);
            const done = await waitForStatus(started.statusQueryGetUri, 20_000);
            expect(lost).toBe(true);
            expect(done).toMatchObject({ runtimeStatus: 'Completed', output: 'Hello, kid!' });
            // Give a second child run time to show itself, then count the child's completions.
            await new Promise((resolve) => setTimeout(resolve, 1_500));
            const childCompletions = checkpoints.filter(
                (r) => r.instanceId === childId && r.runtimeStatus === 'Completed',
            );
            expect(childCompletions).toHaveLength(1);
            const childHistory = await hubStorage(t.hubName).readHistory(childId);
            expect(childHistory.executionId).toBe(childCompletions[0]?.executionId);
            expect(childHistory.events.filter((e) => e.EventType === EventType.TaskScheduled)).toHaveLength(1);
            expect(await queuedMessages(t.hubName)).toBe(0);
        } finally {
            delete faults.beforeAppend;
        }
    }, 40_000);
});

describe('an event redelivered after ContinueAsNew', () => {
    it('is applied to the generation that consumed it, never to the next one', async () => {
        const id = unique('accumulate');
        let kept = false;
        // The checkpoint that consumed Add(1) and continued as new commits; the process "dies" before the delete.
        faults.failDelete = (message) => {
            const event = message.message.Event;
            if (kept || message.message.OrchestrationInstance.InstanceId !== id) return false;
            if (event.EventType !== EventType.EventRaised || event.Input !== '1') return false;
            kept = true;
            return true;
        };
        try {
            const started = await startOrchestration(t.origin, 'accumulate', undefined, id);
            await waitUntil(started.statusQueryGetUri, (s) => s.runtimeStatus === 'Running');
            expect((await postJson(`${t.origin}${WEBHOOK}/instances/${id}/raiseEvent/Add`, 1)).status).toBe(202);
            await waitUntil(started.statusQueryGetUri, (s) => JSON.stringify(s.input) === '{"sum":1,"rounds":1}');
            // The kept message reappears after its lease (2 s) and must be discarded.
            await new Promise((resolve) => setTimeout(resolve, 4_500));
            expect(kept).toBe(true);
            const status = (await (await testFetch(started.statusQueryGetUri)).json()) as { runtimeStatus: string };
            expect(status.runtimeStatus).toBe('Running');
            expect((await postJson(`${t.origin}${WEBHOOK}/instances/${id}/raiseEvent/Add`, 10)).status).toBe(202);
            expect(await waitForStatus(started.statusQueryGetUri)).toMatchObject({
                runtimeStatus: 'Completed',
                output: 11,
            });
            expect(await queuedMessages(t.hubName)).toBe(0);
        } finally {
            delete faults.failDelete;
        }
    }, 30_000);
});

describe('function names ignore case, as in the extension', () => {
    it('starts an orchestrator named in another case, which calls an activity named in another case', async () => {
        const started = await startOrchestration(t.origin, 'MIXEDCASECALL', 'Ada');
        expect(await waitForStatus(started.statusQueryGetUri)).toMatchObject({
            runtimeStatus: 'Completed',
            output: 'Hello, Ada!',
        });
    });
});

describe('a lease renewal that fails once', () => {
    it('keeps renewing: a long activity keeps its work item hidden from every poller and runs once', async () => {
        // Work items on the queue (in-process work items hold no queue message and need no lease): a runtime of
        // its own on another hub (one app per process, so no second host).
        const hubName = uniqueHubName('Renew');
        const q = new DurableRuntime({
            app: t.host.app as unknown as LoadedApp,
            storage: faultyStorage(
                await defaultStorageFactory({ env: process.env, hubName, partitionCount: 4 }),
                faults,
            ),
            config: {
                ...DEFAULT_DURABLE_CONFIG,
                hubName,
                messageLeaseSeconds: 2,
                maxDequeueCount: 2,
                inProcessWorkItems: false,
            },
            logger: silentLogger,
        });
        await q.start();
        const id = unique('renew');
        let failed = false;
        let receivedAgain = 0;
        faults.onWorkItemReceived = (message) => {
            if (message.message.OrchestrationInstance.InstanceId === id) receivedAgain++;
        };
        faults.failRelease = (message, delaySeconds) => {
            // A renewal asks for at least the lease (2 s here; renewals may double it); other releases ask less.
            if (failed || !message.queueName.endsWith('-workitems') || delaySeconds < 2) return false;
            failed = true;
            return true;
        };
        try {
            await q.client.startNew('slowFanOut', {
                instanceId: id,
                input: JSON.stringify({ count: 1, delayMs: 5_000 }),
            });
            let record = await q.storage.readInstance(id);
            for (let i = 0; i < 400 && record?.runtimeStatus !== 'Completed'; i++) {
                await new Promise((resolve) => setTimeout(resolve, 50));
                record = await q.storage.readInstance(id);
            }
            expect(record).toMatchObject({ runtimeStatus: 'Completed', output: '0' });
            expect(failed).toBe(true);
            const runs = existsSync(activityLog)
                ? readFileSync(activityLog, 'utf8')
                      .split('\n')
                      .filter((line) => line === 'slowSquare 0 done')
                : [];
            expect(runs).toHaveLength(1);
            // Handed over in-process when sent, and never visible to a poller since.
            expect(receivedAgain).toBe(0);
            expect(await queuedMessages(hubName)).toBe(0);
        } finally {
            delete faults.failRelease;
            delete faults.onWorkItemReceived;
            await q.stop();
        }
    }, 30_000);
});

describe('poison policy', () => {
    it('counts only failed episodes: a lost ETag race and then one storage fault do not poison', async () => {
        const id = unique('transient');
        const faultsSeen: string[] = [];
        faults.beforeAppend = (append) => {
            if (append.instanceId !== id || faultsSeen.length >= 2) return Promise.resolve();
            faultsSeen.push(faultsSeen.length === 0 ? 'conflict' : 'fault');
            return Promise.reject(
                faultsSeen.length === 1 ? new CheckpointConflictError(id) : new Error('simulated storage fault'),
            );
        };
        try {
            const started = await startOrchestration(t.origin, 'greet', 'again', id);
            expect(await waitForStatus(started.statusQueryGetUri, 20_000)).toMatchObject({
                runtimeStatus: 'Completed',
                output: 'Hello, again!',
            });
            expect(faultsSeen).toEqual(['conflict', 'fault']);
        } finally {
            delete faults.beforeAppend;
        }
    }, 30_000);

    it('a child set aside as poison fails, and its parent hears of it', async () => {
        const id = unique('poisoned-parent');
        const childId = `${id}-child`;
        // Every checkpoint of the child fails, except the record of its failure.
        faults.beforeAppend = (append) =>
            append.instanceId === childId && !append.events.some((e) => e.EventType === EventType.ExecutionCompleted)
                ? Promise.reject(new Error('simulated storage fault'))
                : Promise.resolve();
        try {
            const started = await startOrchestration(t.origin, 'parentOfGreet', 'kid', id);
            const parent = await waitForStatus(started.statusQueryGetUri, 20_000);
            expect(parent.runtimeStatus).toBe('Failed');
            expect(String(parent.output)).toContain('set aside');
            // The parent is told before the child's failure is written (outbound messages go first, as in every
            // checkpoint), so the child's row may say Failed a moment after the parent's does.
            const child = await waitUntil(
                `${t.origin}${WEBHOOK}/instances/${childId}`,
                (status) => status.runtimeStatus === 'Failed',
                5_000,
            );
            expect(child.runtimeStatus).toBe('Failed');
        } finally {
            delete faults.beforeAppend;
        }
    }, 30_000);
});

describe('purge of a running instance', () => {
    it('stays purged: a deferred status row does not bring it back', async () => {
        const id = unique('purged');
        const started = await startOrchestration(t.origin, 'twoEvents', undefined, id);
        await waitUntil(started.statusQueryGetUri, (s) => s.runtimeStatus === 'Running');
        const storage = hubStorage(t.hubName);
        expect((await postJson(`${t.origin}${WEBHOOK}/instances/${id}/raiseEvent/First`, 1)).status).toBe(202);
        // The checkpoint of First is committed; its row (only lastUpdatedTime moves on) waits up to 1 s.
        const deadline = Date.now() + 5_000;
        while (!(await storage.readHistory(id)).events.some((e) => e.EventType === EventType.EventRaised)) {
            if (Date.now() > deadline) throw new Error('First was not checkpointed');
            await new Promise((resolve) => setTimeout(resolve, 5));
        }
        expect((await testFetch(`${t.origin}${WEBHOOK}/instances/${id}`, { method: 'DELETE' })).status).toBe(200);
        await new Promise((resolve) => setTimeout(resolve, 1_500));
        expect(await storage.readInstance(id)).toBeUndefined();
        expect((await testFetch(started.statusQueryGetUri)).status).toBe(404);
    });
});

describe('large-payload blobs of replaced executions', () => {
    it('ContinueAsNew with a large input leaves only the blobs the final history and row name', async () => {
        const id = unique('bigchain');
        const text = 'x'.repeat(200 * 1024);
        const started = await startOrchestration(t.origin, 'bigChain', { text, round: 0 }, id);
        expect(await waitForStatus(started.statusQueryGetUri, 20_000)).toMatchObject({
            runtimeStatus: 'Completed',
            output: { round: 3, length: text.length + 3 },
        });
        const container = BlobServiceClient.fromConnectionString(azuriteConnectionString()).getContainerClient(
            `${t.hubName.toLowerCase()}-largemessages`,
        );
        const listBlobs = async (): Promise<string[]> => {
            const names: string[] = [];
            for await (const blob of container.listBlobsFlat({ prefix: `${id}/history-` })) names.push(blob.name);
            return names;
        };
        // The final episode collects orphans after it writes the Completed row: give it a moment, no more.
        let listed = await listBlobs();
        for (const deadline = Date.now() + 5_000; listed.length > 2 && Date.now() < deadline;) {
            await new Promise((resolve) => setTimeout(resolve, 50));
            listed = await listBlobs();
        }
        const storage = hubStorage(t.hubName);
        const history = await storage.readHistory(id);
        expect(history.events.filter((e) => e.EventType === EventType.ExecutionStarted)).toHaveLength(1);
        // One generation's worth: its ExecutionStarted input (history) and the row's input; no more.
        expect(listed.length).toBeGreaterThan(0);
        expect(listed.length).toBeLessThanOrEqual(2);
        // And the instance still reads whole.
        const status = (await (await testFetch(`${started.statusQueryGetUri}&showHistory=true`)).json()) as {
            input: { text: string };
        };
        expect(status.input.text).toHaveLength(text.length + 3);
    }, 30_000);
});
