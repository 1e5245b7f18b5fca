/**
 * The entity batch as a pure function (engine/entity-episode.ts): what goes to the entity function, what comes
 * out (responses, signals, the next SchedulerState) and how a redelivered request is recognized.
 */
import { describe, expect, it } from 'vitest';
import type { EpisodeResult } from '../../../../src/extensions/durable/engine';
import {
    runEntityEpisode,
    type EntityBatchRequest,
    type EntityCallResult,
    type InvokeEntity,
} from '../../../../src/extensions/durable/engine/entity-episode';
import { entityRequestMessage, requestMessageText } from '../../../../src/extensions/durable/engine/entity-protocol';
import { EventType, type TaskMessage } from '../../../../src/shared/history';

const now = new Date('2024-01-01T00:00:00.000Z');
let guids = 0;
const newGuid = (): string => `exec${++guids}`;

function request(id: string, op: string, options: { input?: string; parent?: string; signal?: boolean } = {}) {
    return entityRequestMessage(
        '@counter@k',
        requestMessageText({
            id,
            operation: op,
            signal: options.signal ?? options.parent === undefined,
            input: options.input,
            parent: options.parent ?? null,
            parentExecution: options.parent === undefined ? null : 'e1',
        }),
        now,
    );
}

function recorder(answer: (req: EntityBatchRequest) => EntityCallResult): {
    calls: EntityBatchRequest[];
    invoke: InvokeEntity;
} {
    const calls: EntityBatchRequest[] = [];
    return {
        calls,
        invoke: (_name, req) => {
            calls.push(req);
            return Promise.resolve(answer(req));
        },
    };
}

function eventOf(message: TaskMessage | undefined): { name: string; input: unknown } {
    const event = message?.Event;
    if (event?.EventType !== EventType.EventRaised) throw new Error('not an EventRaised message');
    return { name: event.Name, input: JSON.parse(event.Input ?? 'null') };
}

/** The same messages again after `done` committed (a crash between its commit and its deletes). */
function redeliverAfter(done: EpisodeResult, incoming: TaskMessage[], invoke: InvokeEntity): Promise<EpisodeResult> {
    return runEntityEpisode(
        {
            instanceId: '@counter@k',
            past: done.appended,
            incoming,
            now,
            newGuid,
            consumedBefore: done.consumedBefore ?? [],
        },
        invoke,
    );
}

describe('runEntityEpisode', () => {
    it('runs the batch in one call and answers callers, forwards signals and stores the state', async () => {
        const { calls, invoke } = recorder(() => ({
            kind: 'result',
            value: {
                entityExists: true,
                entityState: '1',
                results: [
                    { isError: false, duration: 0 },
                    { isError: false, duration: 1, result: '1' },
                ],
                signals: [{ target: { name: 'Other', key: 'x' }, name: 'ping', input: '' }],
            },
        }));
        const result = await runEntityEpisode(
            {
                instanceId: '@counter@k',
                past: [],
                incoming: [request('r1', 'add', { input: '1' }), request('r2', 'get', { parent: 'orch' })],
                now,
                newGuid,
            },
            invoke,
        );
        expect(calls).toEqual([
            {
                self: { name: 'counter', key: 'k' },
                exists: false,
                state: null,
                batch: [
                    { name: 'add', input: '1', isSignal: true },
                    { name: 'get', input: null, isSignal: false },
                ],
            },
        ]);
        expect(result.newExecution).toBe(true);
        expect(result.appended.map((e) => EventType[e.EventType])).toEqual([
            'OrchestratorStarted',
            'ExecutionStarted',
            'OrchestratorCompleted',
        ]);
        // The entity's sorter keeps its last send to each entity (the signal's timestamp), for its next request.
        const signalTimestamp = (eventOf(result.outbound[1]?.message).input as { Timestamp: string }).Timestamp;
        expect(JSON.parse(result.instance.input ?? 'null')).toEqual({
            exists: true,
            state: '1',
            sorter: { LastSentToInstance: { '@other@x': signalTimestamp } },
        });
        expect(result.instance).toMatchObject({ name: 'counter', runtimeStatus: 'Running' });
        expect(result.outbound).toHaveLength(2);
        const [response, signal] = result.outbound;
        expect(response?.message.OrchestrationInstance).toEqual({ InstanceId: 'orch', ExecutionId: 'e1' });
        expect(eventOf(response?.message)).toEqual({ name: 'r2', input: { result: '1' } });
        expect(signal?.message.OrchestrationInstance.InstanceId).toBe('@other@x');
        expect(eventOf(signal?.message)).toMatchObject({
            name: 'op',
            input: { op: 'ping', signal: true, parent: '@counter@k', Predecessor: '0001-01-01T00:00:00' },
        });
        expect(result.consumedBefore).toHaveLength(2);
    });

    it('discards a request it already applied (redelivery after a crash) without calling the entity', async () => {
        const answer = (): EntityCallResult => ({
            kind: 'result',
            value: { entityExists: true, entityState: '5', results: [{ isError: false, duration: 0 }] },
        });
        const first = recorder(answer);
        const message = request('r1', 'add', { input: '5' });
        const done = await runEntityEpisode(
            { instanceId: '@counter@k', past: [], incoming: [message], now, newGuid },
            first.invoke,
        );
        const again = recorder(answer);
        const repeat = await redeliverAfter(done, [message], again.invoke);
        expect(again.calls).toEqual([]);
        expect(repeat.appended).toEqual([]);
        expect(repeat.discarded).toEqual([message]);
    });

    it('remembers every request of a batch larger than the 1,000-key window: a redelivery applies none again', async () => {
        // Local deliveries are not held back by the buffer threshold, so one batch can hold this many; a crash
        // after its commit and before its deletes brings them all back.
        const signals = Array.from({ length: 1_500 }, (_, i) => request(`s${i}`, 'add', { input: '1' }));
        const counting = (req: EntityBatchRequest): EntityCallResult => ({
            kind: 'result',
            value: {
                entityExists: true,
                entityState: String(req.batch.length),
                results: req.batch.map(() => ({ isError: false, duration: 0 })),
            },
        });
        const first = recorder(counting);
        const done = await runEntityEpisode(
            { instanceId: '@counter@k', past: [], incoming: signals, now, newGuid },
            first.invoke,
        );
        expect(first.calls[0]?.batch).toHaveLength(1_500);
        const again = recorder(counting);
        const repeat = await redeliverAfter(done, signals, again.invoke);
        expect(again.calls).toEqual([]);
        expect(repeat.appended).toEqual([]);
    });

    it('passes the stored state to the next batch', async () => {
        const first = recorder(() => ({
            kind: 'result',
            value: { entityExists: true, entityState: '5', results: [{ isError: false, duration: 0 }] },
        }));
        const done = await runEntityEpisode(
            { instanceId: '@counter@k', past: [], incoming: [request('r1', 'add', { input: '5' })], now, newGuid },
            first.invoke,
        );
        const second = recorder(() => ({
            kind: 'result',
            value: { entityExists: false, entityState: null, results: [{ isError: false, duration: 0 }] },
        }));
        const deleted = await runEntityEpisode(
            { instanceId: '@counter@k', past: done.appended, incoming: [request('r2', 'delete')], now, newGuid },
            second.invoke,
        );
        expect(second.calls[0]).toMatchObject({ exists: true, state: '5' });
        expect(JSON.parse(deleted.instance.input ?? 'null')).toEqual({});
        // Every batch ends with a ContinueAsNew, whose start carries no Generation (DTFx leaves it null).
        expect(deleted.instance.generation).toBeNull();
    });

    it('fails every call of the batch, keeping the state, when the function fails or answers badly', async () => {
        for (const answer of [
            { kind: 'error', message: 'worker crashed' },
            { kind: 'result', value: { entityExists: true, results: [] } },
        ] as const) {
            const { invoke } = recorder(() => answer);
            const result = await runEntityEpisode(
                {
                    instanceId: '@counter@k',
                    past: [],
                    incoming: [request('r1', 'get', { parent: 'orch' })],
                    now,
                    newGuid,
                },
                invoke,
            );
            const response = eventOf(result.outbound[0]?.message);
            expect(response.name).toBe('r1');
            expect(response.input).toMatchObject({ exceptionType: 'Error' });
            expect(JSON.parse(result.instance.input ?? 'null')).toEqual({});
        }
    });
});
