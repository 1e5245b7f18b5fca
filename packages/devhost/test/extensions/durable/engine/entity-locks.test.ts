/**
 * Entity critical sections as pure functions (engine/entity-locks.ts, entity-queue.ts): the orchestration's lock
 * request and releases with the real SDK (context.df.lock), and an entity's side of the protocol (lock grant,
 * forwarding along the lock set, requests held while locked), as the extension runs them.
 */
import { describe, expect, it } from 'vitest';
import { terminateMessage, type EpisodeResult } from '../../../../src/extensions/durable/engine';
import {
    runEntityEpisode,
    type EntityBatchRequest,
    type EntityCallResult,
    type InvokeEntity,
} from '../../../../src/extensions/durable/engine/entity-episode';
import { sortedLockSet } from '../../../../src/extensions/durable/engine/entity-locks';
import {
    entityRequestMessage,
    parseSchedulerState,
    releaseMessageText,
    requestMessageText,
    type SchedulerState,
} from '../../../../src/extensions/durable/engine/entity-protocol';
import { EventType, type HistoryEvent, type TaskMessage } from '../../../../src/shared/history';
import { EngineHarness, shape } from '../../../../src/testing/engine-harness';
import { loadDurableFunctions, sdkInvoker } from '../../../../src/testing/sdk-host';

const df = loadDurableFunctions();
const account = (key: string) => new df.EntityId('account', key);

df.app.orchestration('LockTwoAndRead', function* (context) {
    // Out of order on purpose: the lock set is sorted before the request goes out.
    const lock = (yield context.df.lock(account('b'), account('a'))) as { release(): void };
    const a: unknown = yield context.df.callEntity(account('a'), 'get');
    const b: unknown = yield context.df.callEntity(account('b'), 'get');
    lock.release();
    return [a, b];
});

df.app.orchestration('LockAndReturn', function* (context) {
    yield context.df.lock(account('a'));
    return 'kept';
});

df.app.orchestration('LockAndWait', function* (context) {
    yield context.df.lock(account('a'), account('b'));
    yield context.df.waitForExternalEvent('go');
    return 'not reached';
});

df.app.orchestration('CallsUnlocked', function* (context) {
    yield context.df.lock(account('a'));
    return yield context.df.callEntity(account('other'), 'get');
});

/** An account entity played by the test: `get` answers the balance, `deposit` adds its input. */
const accountEntity: InvokeEntity = (_name, req: EntityBatchRequest): Promise<EntityCallResult> => {
    let balance = req.state === null ? 0 : (JSON.parse(req.state) as number);
    const results = req.batch.map((op) => {
        if (op.name === 'deposit') balance += JSON.parse(op.input ?? '0') as number;
        return { isError: false, duration: 0, ...(op.name === 'get' ? { result: JSON.stringify(balance) } : {}) };
    });
    return Promise.resolve({
        kind: 'result',
        value: { entityExists: true, entityState: JSON.stringify(balance), results, signals: [] },
    });
};

/** Plays the entity dispatcher next to the hub: each entity's batch over the messages queued for it. */
class Entities {
    readonly calls: EntityBatchRequest[] = [];
    readonly #histories = new Map<string, HistoryEvent[]>();
    readonly #consumed = new Map<string, readonly string[]>();

    constructor(private readonly hub: EngineHarness) {}

    async run(instanceId: string, incoming = this.hub.take(instanceId)): Promise<EpisodeResult> {
        const result = await runEntityEpisode(
            {
                instanceId,
                past: this.#histories.get(instanceId) ?? [],
                incoming,
                now: this.hub.now,
                newGuid: this.hub.newGuid,
                consumedBefore: this.#consumed.get(instanceId) ?? [],
            },
            (name, req) => {
                this.calls.push(req);
                return accountEntity(name, req);
            },
        );
        if (result.appended.length > 0) this.#histories.set(instanceId, result.appended);
        if (result.consumedBefore) this.#consumed.set(instanceId, result.consumedBefore);
        for (const out of result.outbound) this.hub.send(out.message);
        return result;
    }

    state(instanceId: string): SchedulerState {
        const started = this.#histories.get(instanceId)?.find((e) => e.EventType === EventType.ExecutionStarted);
        return parseSchedulerState(started?.EventType === EventType.ExecutionStarted ? started.Input : null);
    }
}

function raised(message: TaskMessage | undefined): { name: string; body: Record<string, unknown> } {
    const event = message?.Event;
    if (event?.EventType !== EventType.EventRaised) throw new Error('not an EventRaised message');
    return { name: event.Name, body: JSON.parse(event.Input ?? 'null') as Record<string, unknown> };
}

function sentEvents(history: readonly HistoryEvent[]): Array<{ id: number; to: string; name: string; body: unknown }> {
    return history.flatMap((e) =>
        e.EventType === EventType.EventSent
            ? [{ id: e.EventId, to: e.InstanceId, name: e.Name, body: JSON.parse(e.Input ?? 'null') as unknown }]
            : [],
    );
}

describe('entity locks: the orchestration side', () => {
    it('sorts the lock set by scheduler id, names lower-cased, without repeats (whatever order the action had)', () => {
        expect(
            sortedLockSet([
                { name: 'Account', key: 'b' },
                { name: 'account', key: 'a' },
                { name: 'account', key: 'b' },
                { name: 'Bank', key: 'a' },
            ]),
        ).toEqual([
            { name: 'account', key: 'a' },
            { name: 'account', key: 'b' },
            { name: 'bank', key: 'a' },
        ]);
    });

    it('sends one lock request to the first entity of the sorted set, forwarded in order; the last entity answers', async () => {
        const hub = new EngineHarness(sdkInvoker());
        const entities = new Entities(hub);
        hub.start('LockTwoAndRead', undefined);
        const first = await hub.episode();
        expect(shape(first.appended)).toEqual([
            'OrchestratorStarted*',
            'ExecutionStarted',
            'EventSent#0*',
            'OrchestratorCompleted*',
        ]);
        const request = raised(hub.pendingControl('@account@a')[0]);
        expect(request.name).toBe('op');
        // RequestMessage as LockAsync writes it: op null, the sorted lock set, pos 0 left out, labelled.
        expect(Object.keys(request.body)).toEqual([
            'op',
            'id',
            'parent',
            'parentExecution',
            'Timestamp',
            'Predecessor',
            'lockset',
        ]);
        expect(request.body).toMatchObject({
            op: null,
            parent: 'instance1',
            parentExecution: 'exec0001',
            lockset: [
                { name: 'account', key: 'a' },
                { name: 'account', key: 'b' },
            ],
        });
        expect(hub.pendingControl('@account@b')).toEqual([]);

        await entities.run('@account@a');
        expect(entities.state('@account@a').lockedBy).toBe('instance1');
        expect(hub.pendingControl('instance1')).toEqual([]);
        const forwarded = raised(hub.pendingControl('@account@b')[0]);
        expect(forwarded.body).toMatchObject({ id: request.body['id'], pos: 1 });

        await entities.run('@account@b');
        expect(entities.state('@account@b').lockedBy).toBe('instance1');
        const answer = raised(hub.pendingControl('instance1')[0]);
        expect(answer).toEqual({ name: request.body['id'], body: { result: 'Lock Acquisition Completed' } });
        expect(entities.calls).toEqual([]);

        for (let step = 0; step < 6 && hub.results.at(-1)?.instance.runtimeStatus !== 'Completed'; step++) {
            await hub.episode();
            await entities.run('@account@a');
            await entities.run('@account@b');
        }
        expect(hub.status().runtimeStatus).toBe('Completed');
        expect(hub.status().output).toBe('[0,0]');
        // lock #0, get a #1 (labelled after the lock request), get b #2, one release per entity #3 #4.
        const sent = sentEvents(hub.history());
        expect(sent.map((s) => `${s.name}#${s.id}->${s.to}`)).toEqual([
            'op#0->@account@a',
            'op#1->@account@a',
            'op#2->@account@b',
            'release#3->@account@a',
            'release#4->@account@b',
        ]);
        expect((sent[1]?.body as Record<string, unknown>)['Predecessor']).toBe(request.body['Timestamp']);
        expect(sent[3]?.body).toEqual({ parent: 'instance1', id: request.body['id'] });
        expect(shape(hub.history()).at(-2)).toBe('ExecutionCompleted#5*');
        expect(entities.state('@account@a').lockedBy).toBeUndefined();
        expect(entities.state('@account@b').lockedBy).toBeUndefined();
    });

    it('releases the locks it still holds when it returns, before ExecutionCompleted', async () => {
        const hub = new EngineHarness(sdkInvoker());
        const entities = new Entities(hub);
        hub.start('LockAndReturn', undefined);
        await hub.episode();
        await entities.run('@account@a');
        const done = await hub.episode();
        expect(done.instance.runtimeStatus).toBe('Completed');
        expect(shape(done.appended).slice(-3)).toEqual([
            'EventSent#1*',
            'ExecutionCompleted#2*',
            'OrchestratorCompleted*',
        ]);
        await entities.run('@account@a');
        expect(entities.state('@account@a').lockedBy).toBeUndefined();
    });

    it('a terminated holder releases its entities (the devhost does; the extension leaves the lock orphaned)', async () => {
        const hub = new EngineHarness(sdkInvoker());
        const entities = new Entities(hub);
        hub.start('LockAndWait', undefined);
        await hub.episode();
        await entities.run('@account@a');
        await entities.run('@account@b');
        await hub.episode();
        hub.send(terminateMessage({ instanceId: 'instance1', reason: 'stop', now: hub.now }));
        const terminated = await hub.episode();
        expect(terminated.instance.runtimeStatus).toBe('Terminated');
        expect(
            terminated.outbound.map((o) => `${raised(o.message).name}->${o.message.OrchestrationInstance.InstanceId}`),
        ).toEqual(['release->@account@a', 'release->@account@b']);
        await entities.run('@account@a');
        await entities.run('@account@b');
        expect(entities.state('@account@a').lockedBy).toBeUndefined();
        expect(entities.state('@account@b').lockedBy).toBeUndefined();
    });

    it("fails the orchestration with the SDK's locking-rule message when it calls an entity it did not lock", async () => {
        const hub = new EngineHarness(sdkInvoker());
        const entities = new Entities(hub);
        hub.start('CallsUnlocked', undefined);
        await hub.episode();
        await entities.run('@account@a');
        const failed = await hub.episode();
        expect(failed.instance.runtimeStatus).toBe('Failed');
        expect(failed.instance.output).toContain(
            'Cannot call an entity from within a critical section unless it is one of the locked entities.',
        );
        // Failed inside the critical section: the devhost releases the entity.
        expect(failed.outbound.map((o) => raised(o.message).name)).toEqual(['release']);
    });
});

/** A request to `@account@x` from an orchestration (labelled) or a client (no parent). */
function op(
    id: string,
    operation: string | null,
    options: { parent?: string; input?: string; lockOf?: string[]; at?: string } = {},
): TaskMessage {
    const parent = options.parent ?? null;
    return entityRequestMessage(
        '@account@x',
        requestMessageText({
            id,
            operation,
            signal: parent === null,
            input: options.input,
            parent,
            parentExecution: parent === null ? null : `${parent}-exec`,
            ...(parent === null ? {} : { label: { Timestamp: options.at ?? '2024-01-01T00:00:00Z' } }),
            ...(options.lockOf ? { lockSet: options.lockOf.map((key) => ({ name: 'account', key })) } : {}),
        }),
        new Date('2024-01-01T00:00:00Z'),
    );
}

const release = (parent: string, lockRequestId: string): TaskMessage =>
    entityRequestMessage('@account@x', releaseMessageText(parent, lockRequestId), new Date(), 'release');

describe('entity locks: the entity side', () => {
    it("holds requests from others while locked, runs the holder's at once, and the others after its release", async () => {
        const hub = new EngineHarness(sdkInvoker());
        const entities = new Entities(hub);
        await entities.run('@account@x', [op('lock-a', null, { parent: 'orchA', lockOf: ['x'] })]);
        expect(entities.state('@account@x').lockedBy).toBe('orchA');
        expect(raised(hub.take('orchA')[0]).name).toBe('lock-a');

        const locked = await entities.run('@account@x', [
            op('signal-1', 'deposit', { input: '5' }),
            op('get-b', 'get', { parent: 'orchB' }),
            op('lock-c', null, { parent: 'orchC', lockOf: ['x'] }),
            op('get-a', 'get', { parent: 'orchA', at: '2024-01-01T00:00:01Z' }),
        ]);
        expect(entities.calls.map((c) => c.batch.map((b) => b.name))).toEqual([['get']]);
        expect(locked.outbound.map((o) => o.message.OrchestrationInstance.InstanceId)).toEqual(['orchA']);
        expect(entities.state('@account@x').queue?.map((m) => m.id)).toEqual(['signal-1', 'get-b', 'lock-c']);
        expect(JSON.parse(locked.instance.customStatus ?? '{}')).toEqual({
            entityExists: true,
            queueSize: 3,
            lockedBy: 'orchA',
        });

        // A release from someone not holding the lock changes nothing.
        const ignored = await entities.run('@account@x', [release('orchB', 'whatever')]);
        expect(ignored.appended).toEqual([]);
        expect(entities.calls).toHaveLength(1);

        // The holder's release: the waiting requests run in order, up to the next lock request, which is granted.
        const released = await entities.run('@account@x', [release('orchA', 'lock-a')]);
        expect(entities.calls.at(-1)?.batch.map((b) => b.name)).toEqual(['deposit', 'get']);
        expect(released.outbound.map((o) => raised(o.message))).toEqual([
            { name: 'get-b', body: { result: '5' } },
            { name: 'lock-c', body: { result: 'Lock Acquisition Completed' } },
        ]);
        expect(entities.state('@account@x')).toMatchObject({ lockedBy: 'orchC', state: '5' });
        expect(entities.state('@account@x').queue).toBeUndefined();
    });

    it('discards a lock request redelivered after its commit while it still waits in the queue', async () => {
        const hub = new EngineHarness(sdkInvoker());
        const entities = new Entities(hub);
        await entities.run('@account@x', [op('lock-a', null, { parent: 'orchA', lockOf: ['x'] })]);
        const waitingLock = op('lock-b', null, { parent: 'orchB', lockOf: ['x'] });
        await entities.run('@account@x', [waitingLock]);
        const again = await entities.run('@account@x', [waitingLock]);
        expect(again.appended).toEqual([]);
        expect(again.discarded).toEqual([waitingLock]);
        expect(entities.state('@account@x').queue?.map((m) => m.id)).toEqual(['lock-b']);
    });
});
