/**
 * "Waiting for" and the entities list, the viewer's read routes for the instance page and the entities page:
 * first the rules on hand-made history (what is open, what an answer closes, which waits are current), then the
 * routes over a real host running the basic fixture (an orchestration waiting for an event, one for a timer,
 * entities signalled and deleted through the Durable HTTP API).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { matchViewerRoute } from '../../../src/extensions/viewer/viewer-routes';
import { waitingFor, type WaitingForInput } from '../../../src/extensions/viewer/waiting-for';
import type { RunningHost } from '../../../src/host/start-host';
import { EventType, type HistoryEvent } from '../../../src/shared/history';
import { postJson, startOrchestration, waitUntil, WEBHOOK } from '../../support/durable/durable-host';
import { testFetch } from '../../support/in-memory-fetch';
import { uniqueHubName } from '../../support/storage';
import { instanceRecord } from '../../support/task-hub/instance-record';
import { startViewerHost } from '../../support/viewer/viewer-host';

const T0 = '2024-01-01T10:00:00.000Z';
const base = (id: number) => ({ EventId: id, IsPlayed: true, Timestamp: T0 });
const event = (fields: Record<string, unknown>) => fields as unknown as HistoryEvent;

function input(history: HistoryEvent[], overrides: Partial<WaitingForInput> = {}): WaitingForInput {
    return {
        record: instanceRecord('i1', { executionId: 'e1' }),
        history,
        now: new Date('2024-01-01T10:00:05.000Z'),
        runtime: { eventWaits: undefined, held: [], rejection: undefined },
        queued: [],
        ...overrides,
    };
}

describe('waitingFor (rules)', () => {
    it('lists scheduled activities and sub-orchestrations until their answer, timers until they fire', () => {
        const result = waitingFor(
            input([
                event({ ...base(0), EventType: EventType.TaskScheduled, Name: 'done', Version: null, Input: null }),
                event({ ...base(-1), EventType: EventType.TaskCompleted, TaskScheduledId: 0, Result: '1' }),
                event({ ...base(1), EventType: EventType.TaskScheduled, Name: 'slow', Version: null, Input: null }),
                event({
                    ...base(2),
                    EventType: EventType.SubOrchestrationInstanceCreated,
                    Name: 'child',
                    Version: null,
                    InstanceId: 'c1',
                    Input: null,
                }),
                event({ ...base(3), EventType: EventType.TimerCreated, FireAt: '2024-01-01T10:01:00.000Z' }),
                event({ ...base(4), EventType: EventType.TimerCreated, FireAt: '2024-01-01T10:00:01.000Z' }),
                event({
                    ...base(-1),
                    EventType: EventType.TimerFired,
                    TimerId: 4,
                    FireAt: '2024-01-01T10:00:01.000Z',
                }),
            ]),
        );
        expect(result.tasks.map((task) => [task.kind, task.name, task.taskId])).toEqual([
            ['activity', 'slow', 1],
            ['subOrchestration', 'child', 2],
        ]);
        expect(result.tasks[1]?.instanceId).toBe('c1');
        expect(result.timers).toEqual([{ timerId: 3, fireAt: '2024-01-01T10:01:00.000Z', createdTime: T0 }]);
    });

    it('lists entity calls and lock requests without an answer, but not signals', () => {
        const sent = (id: number, request: Record<string, unknown>) =>
            event({
                ...base(id),
                EventType: EventType.EventSent,
                Name: 'op',
                InstanceId: '@counter@a',
                Input: JSON.stringify(request),
            });
        const result = waitingFor(
            input(
                [
                    sent(0, { id: 'r-answered', op: 'add' }),
                    event({ ...base(-1), EventType: EventType.EventRaised, Name: 'r-answered', Input: '1' }),
                    sent(1, { id: 'r-signal', op: 'add', signal: true }),
                    sent(2, { id: 'r-open', op: 'get' }),
                    sent(3, { id: 'r-lock', lockset: [{ name: 'counter', key: 'a' }] }),
                ],
                {
                    runtime: {
                        eventWaits: { executionId: 'e1', names: ['r-open', 'r-lock', 'Approval'], asOf: T0 },
                        held: [],
                        rejection: undefined,
                    },
                },
            ),
        );
        expect(result.entities.map((entity) => [entity.requestId, entity.operation])).toEqual([
            ['r-open', 'get'],
            ['r-lock', null],
        ]);
        // The entity answers are listed with the entities, not as external events.
        expect(result.events).toEqual({ known: true, asOf: T0, names: [{ name: 'Approval', waiters: 1 }] });
    });

    it('says the events are unknown when the last replay it knows was of another execution, or none', () => {
        const stale = waitingFor(
            input([], {
                runtime: {
                    eventWaits: { executionId: 'older', names: ['Approval'], asOf: T0 },
                    held: [],
                    rejection: undefined,
                },
            }),
        );
        expect(stale.events.known).toBe(false);
        expect(stale.events.known ? '' : stale.events.reason).toMatch(/^unknown until the orchestrator runs again/);
        const notStarted = waitingFor(input([], { record: instanceRecord('i1', { runtimeStatus: 'Pending' }) }));
        expect(notStarted.events).toEqual({ known: false, reason: 'none yet: the orchestrator has not run.' });
        const noRuntime = waitingFor({ ...input([]), runtime: undefined });
        expect(noRuntime.notRunning).toContain('This devhost does not run this task hub: another host has to.');
    });

    it('explains why the devhost does not run it: version, suspension, a scheduled start, failing episodes', () => {
        const result = waitingFor(
            input([], {
                record: instanceRecord('i1', {
                    runtimeStatus: 'Pending',
                    scheduledStartTime: new Date('2024-01-01T11:00:00.000Z'),
                }),
                runtime: {
                    eventWaits: undefined,
                    held: [],
                    rejection: {
                        instanceId: 'i1',
                        version: '2.0',
                        reason: "Version '2.0' is newer than this host's '1.0'.",
                        since: T0,
                        retryAt: '2024-01-01T10:00:10.000Z',
                    },
                    failing: { attempts: 3, error: 'table unreachable' },
                },
            }),
        );
        expect(result.notRunning).toHaveLength(3);
        expect(result.notRunning[0]).toContain("Version '2.0' is newer");
        expect(result.notRunning[1]).toContain('2024-01-01T11:00:00.000Z');
        expect(result.notRunning[2]).toContain('table unreachable');
        const suspended = waitingFor(input([], { record: instanceRecord('i1', { runtimeStatus: 'Suspended' }) }));
        expect(suspended.notRunning).toEqual(['It is suspended: nothing runs until it is resumed.']);
    });

    it('lists the messages held in memory before the ones still on the queue', () => {
        const result = waitingFor(
            input([], {
                runtime: {
                    eventWaits: undefined,
                    rejection: undefined,
                    held: [
                        {
                            Event: event({
                                ...base(-1),
                                EventType: EventType.EventRaised,
                                Name: 'Approval',
                                Input: null,
                            }),
                            SequenceNumber: 0,
                            OrchestrationInstance: { InstanceId: 'i1', ExecutionId: null },
                        },
                    ],
                },
                queued: [{ where: 'queue', eventType: 'TimerFired', insertedOn: T0 }],
            }),
        );
        expect(result.messages).toEqual([
            { where: 'held', eventType: 'EventRaised', name: 'Approval' },
            { where: 'queue', eventType: 'TimerFired', insertedOn: T0 },
        ]);
    });
});

describe('viewer routes for waiting and entities', () => {
    it('routes the waiting endpoint, the entity endpoints and the entities pages', () => {
        expect(matchViewerRoute('/_devhost/api/instances/a%2Fb/waiting')).toEqual({
            kind: 'waitingFor',
            instanceId: 'a/b',
        });
        expect(matchViewerRoute('/_devhost/api/entities')).toEqual({ kind: 'entityList' });
        expect(matchViewerRoute('/_devhost/api/entities/%40counter%40a')).toEqual({
            kind: 'entity',
            instanceId: '@counter@a',
        });
        expect(matchViewerRoute('/_devhost/entities')).toEqual({ kind: 'page' });
        expect(matchViewerRoute('/_devhost/entities/%40counter%40a')).toEqual({ kind: 'page' });
        expect(matchViewerRoute('/_devhost/entities/a/b')).toEqual({ kind: 'notFound' });
    });
});

describe('waiting and entities over a running host', () => {
    let host: RunningHost;

    beforeAll(async () => {
        ({ host } = await startViewerHost(uniqueHubName('ViewerWait')));
    });

    afterAll(async () => {
        await host?.close();
    });

    async function waiting(instanceId: string) {
        const response = await testFetch(
            `${host.origin}/_devhost/api/instances/${encodeURIComponent(instanceId)}/waiting`,
        );
        expect(response.status).toBe(200);
        return (await response.json()) as ReturnType<typeof waitingFor> & { runtimeStatus: string };
    }

    it('names the external event a running orchestration waits for, and nothing once it is raised', async () => {
        const started = await startOrchestration(host.origin, 'waitForApproval');
        await waitUntil(started.statusQueryGetUri, (status) => status.customStatus === 'waiting');
        const before = await waiting(started.id);
        expect(before.runtimeStatus).toBe('Running');
        expect(before.events).toMatchObject({ known: true, names: [{ name: 'Approval', waiters: 1 }] });
        expect(before.tasks).toEqual([]);

        await postJson(started.sendEventPostUri.replace('{eventName}', 'Approval'), true);
        await waitUntil(started.statusQueryGetUri, (status) => status.runtimeStatus === 'Completed');
        const after = await waiting(started.id);
        expect(after.events).toEqual({ known: false, reason: expect.stringMatching(/^unknown/) as string });
    });

    it('gives a timer its fire time', async () => {
        const started = await startOrchestration(host.origin, 'timer', 60_000);
        await waitUntil(started.statusQueryGetUri, (status) => status.runtimeStatus === 'Running');
        let result = await waiting(started.id);
        for (let i = 0; i < 100 && result.timers.length === 0; i++) {
            await new Promise((resolve) => setTimeout(resolve, 20));
            result = await waiting(started.id);
        }
        expect(result.timers).toHaveLength(1);
        const timer = result.timers[0]!;
        expect(Date.parse(timer.fireAt) - Date.parse(timer.createdTime)).toBe(60_000);
        expect(result.events).toMatchObject({ known: true, names: [] });
        await postJson(started.terminatePostUri.replace('{text}', 'done'));
    });

    it('answers 404 with a problem document for an instance that does not exist', async () => {
        const response = await testFetch(`${host.origin}/_devhost/api/instances/nope/waiting`);
        expect(response.status).toBe(404);
        expect(response.headers.get('content-type')).toBe('application/problem+json');
    });

    it('lists entities by name with state and last operation, deleted ones as empty, one with its whole state', async () => {
        const signal = (key: string, op: string, body?: unknown) =>
            postJson(`${host.origin}${WEBHOOK}/entities/counterEntity/${key}?op=${op}`, body);
        expect((await signal('kept', 'add', 5)).status).toBe(202);
        expect((await signal('gone', 'add', 1)).status).toBe(202);
        expect((await signal('gone', 'delete')).status).toBe(202);
        type Listed = {
            entities: Array<{
                key: string;
                name: string;
                exists: boolean;
                state: string | null;
                empty: boolean;
                lastOperationTime: string;
            }>;
        };
        let listed: Listed;
        const deadline = Date.now() + 10_000;
        for (;;) {
            listed = (await (await testFetch(`${host.origin}/_devhost/api/entities?name=COUNTER`)).json()) as Listed;
            const kept = listed.entities.find((entity) => entity.key === 'kept');
            const gone = listed.entities.find((entity) => entity.key === 'gone');
            if (kept?.state === '5' && gone && !gone.exists) break;
            if (Date.now() > deadline) throw new Error(`entities not as expected: ${JSON.stringify(listed)}`);
            await new Promise((resolve) => setTimeout(resolve, 20));
        }
        expect(listed.entities.map((entity) => [entity.name, entity.key, entity.exists, entity.empty])).toEqual([
            ['counterentity', 'gone', false, true],
            ['counterentity', 'kept', true, false],
        ]);
        expect(Number.isNaN(Date.parse(listed.entities[1]!.lastOperationTime))).toBe(false);

        const none = (await (await testFetch(`${host.origin}/_devhost/api/entities?name=nobody`)).json()) as Listed;
        expect(none.entities).toEqual([]);

        const one = await testFetch(
            `${host.origin}/_devhost/api/entities/${encodeURIComponent('@counterentity@kept')}`,
        );
        expect(await one.json()).toMatchObject({ key: 'kept', exists: true, state: '5', stateTruncated: false });
        const missing = await testFetch(`${host.origin}/_devhost/api/entities/not-an-entity`);
        expect(missing.status).toBe(404);
        expect(missing.headers.get('content-type')).toBe('application/problem+json');
    });
});
