import { describe, expect, it } from 'vitest';
import {
    defaultEngineOptions,
    eventRaisedMessage,
    executionStartedMessage,
    resumeMessage,
    runEpisode,
    suspendMessage,
    taskCompleted,
    terminateMessage,
} from '../../../../src/extensions/durable/engine';
import { findEntityAction } from '../../../../src/extensions/durable/engine/actions';
import { entityResponseMessage } from '../../../../src/extensions/durable/engine/entity-protocol';
import { EventType, type ExecutionCompletedEvent, type TaskMessage } from '../../../../src/shared/history';
import { EngineHarness, shape } from '../../../../src/testing/engine-harness';
import { loadDurableFunctions, sdkInvoker } from '../../../../src/testing/sdk-host';

const df = loadDurableFunctions();

df.app.orchestration('Thrower', function* (context) {
    context.df.setCustomStatus('about to fail');
    yield context.df.callActivity('Echo', 1);
    throw new Error('kaboom');
});

df.app.orchestration('AllFailFast', function* (context) {
    yield context.df.Task.all([context.df.callActivity('Boom', null), context.df.callActivity('Echo', 'slow')]);
    return 'not reached';
});

let changingVersion = 1;
df.app.orchestration('Changing', function* (context) {
    yield context.df.callActivity(changingVersion === 1 ? 'StepA' : 'StepB', null);
    return 'done';
});

df.app.orchestration('Pipeline', function* (context) {
    const a: unknown = yield context.df.callActivity('Echo', 'a');
    const b: unknown = yield context.df.callActivity('Echo', 'b');
    return [a, b];
});

df.app.orchestration('UsesEntity', function* (context) {
    return yield context.df.callEntity(new df.EntityId('counter', 'k'), 'add', 1);
});

df.app.orchestration('TerminatedChildParent', function* (context) {
    try {
        yield context.df.callSubOrchestrator('Pipeline', null, 'child');
        return 'not reached';
    } catch (e) {
        return e instanceof Error ? e.message.split(' \n ')[0] : String(e);
    }
});

const activities = {
    Echo: (input: unknown) => input,
    StepA: () => 'a',
    StepB: () => 'b',
    Boom: () => {
        throw new Error('kaboom');
    },
};

function completedEvent(history: readonly { EventType: EventType }[]): ExecutionCompletedEvent | undefined {
    return history.find((e): e is ExecutionCompletedEvent => e.EventType === EventType.ExecutionCompleted);
}

describe('engine: orchestrator failures', () => {
    it('fails with the $OutOfProcData$ error and keeps the custom status it carried', async () => {
        const hub = new EngineHarness(sdkInvoker());
        hub.start('Thrower', undefined);
        const status = await hub.drive(activities);
        expect(status.runtimeStatus).toBe('Failed');
        expect(status.output).toBe("Orchestrator function 'Thrower' failed: kaboom");
        expect(status.customStatus).toBe('"about to fail"');
        expect(completedEvent(hub.history())).toMatchObject({
            EventId: 1,
            OrchestrationStatus: 3,
            Result: status.output,
        });
    });

    it('replays the actions of a failed run and fails only once no task is open (Task.all)', async () => {
        const hub = new EngineHarness(sdkInvoker());
        hub.start('AllFailFast', undefined);
        await hub.episode();
        const [boom, slow] = hub.workItems;
        hub.workItems = [boom!];
        hub.runActivities(activities);
        const stillRunning = await hub.episode();
        // The SDK threw at the first failure, but the extension still awaits the other activity.
        expect(stillRunning.instance.runtimeStatus).toBe('Running');
        hub.workItems = [slow!];
        const status = await hub.drive(activities);
        expect(status.runtimeStatus).toBe('Failed');
        expect(status.output).toMatch(
            /^Orchestrator function 'AllFailFast' failed: Activity function 'Boom' failed: {2}kaboom/,
        );
    });

    it('fails a marker-less invocation error with the extension message', async () => {
        const hub = new EngineHarness(async () => ({ kind: 'error', message: 'Worker was unable to load function' }));
        hub.start('Anything', 1);
        const result = await hub.episode();
        expect(result.instance.runtimeStatus).toBe('Failed');
        expect(result.instance.output).toBe(
            "Orchestrator function 'Anything' failed: Worker was unable to load function",
        );
        expect(shape(result.appended)).toEqual([
            'OrchestratorStarted*',
            'ExecutionStarted',
            'ExecutionCompleted#0*',
            'OrchestratorCompleted*',
        ]);
    });

    it('detects a non-deterministic replay and fails the instance with a clear message', async () => {
        changingVersion = 1;
        const hub = new EngineHarness(sdkInvoker());
        hub.start('Changing', undefined);
        await hub.episode();
        hub.runActivities(activities);
        changingVersion = 2;
        const result = await hub.episode();
        expect(result.instance.runtimeStatus).toBe('Failed');
        expect(result.instance.output).toMatch(
            /^Non-Deterministic workflow detected: .*'StepA'.*sequence ID 0.*'StepB'/,
        );
        expect(result.outbound).toEqual([]);
    });

    it('sends callEntity as EventSent "op" to @name@key and completes with the response', async () => {
        const hub = new EngineHarness(sdkInvoker());
        hub.start('UsesEntity', undefined);
        const first = await hub.episode();
        expect(first.instance.runtimeStatus).toBe('Running');
        expect(shape(first.appended)).toEqual([
            'OrchestratorStarted*',
            'ExecutionStarted',
            'EventSent#0*',
            'OrchestratorCompleted*',
        ]);
        const [request] = hub.pendingControl('@counter@k');
        expect(request?.Event.EventType).toBe(EventType.EventRaised);
        const raised = request?.Event.EventType === EventType.EventRaised ? request.Event : undefined;
        expect(raised?.Name).toBe('op');
        const body = JSON.parse(raised?.Input ?? 'null') as Record<string, unknown>;
        expect(body).toMatchObject({ op: 'add', input: '1', parent: 'instance1', parentExecution: 'exec0001' });
        // The history's EventSent holds the same RequestMessage: the SDK finds the request id there on replay.
        const sent = first.appended.find((e) => e.EventType === EventType.EventSent);
        expect(sent?.EventType === EventType.EventSent ? sent.Input : undefined).toBe(raised?.Input);

        hub.send(
            entityResponseMessage({
                parent: 'instance1',
                parentExecution: 'exec0001',
                requestId: String(body.id),
                result: '6',
                exceptionType: null,
                now: hub.now,
            }),
        );
        const second = await hub.episode();
        expect(second.instance.runtimeStatus).toBe('Completed');
        expect(second.instance.output).toBe('6');
    });

    it('fails the awaiting task when the entity answers with an exception', async () => {
        const hub = new EngineHarness(sdkInvoker());
        hub.start('UsesEntity', undefined);
        await hub.episode();
        const [request] = hub.pendingControl('@counter@k');
        const input = request?.Event.EventType === EventType.EventRaised ? request.Event.Input : null;
        const { id } = JSON.parse(input ?? '{}') as { id: string };
        hub.send(
            entityResponseMessage({
                parent: 'instance1',
                parentExecution: 'exec0001',
                requestId: id,
                result: '"counter refused"',
                exceptionType: 'Error',
                now: hub.now,
            }),
        );
        const result = await hub.episode();
        expect(result.instance.runtimeStatus).toBe('Failed');
        expect(result.instance.output).toContain('counter refused');
    });

    it('still finds the entity action the devhost does not run (a scheduled signal), but not locks or calls', () => {
        expect(
            findEntityAction([{ type: 'Entity', actionName: 'ScheduledSignalEntity', target: '@a@b' }])?.actionName,
        ).toBe('ScheduledSignalEntity');
        expect(findEntityAction([{ type: 'LockEntities', lockSet: [{ name: 'a', key: 'b' }] }])).toBeUndefined();
        expect(
            findEntityAction([{ type: 'CallEntity', instanceId: '@a@b', operation: 'x', input: undefined }]),
        ).toBeUndefined();
    });

    it('fails fast for an orchestrator name the app does not register', async () => {
        let invoked = false;
        const now = new Date('2024-01-01T00:00:00Z');
        const result = await runEpisode(
            {
                instanceId: 'x',
                past: [],
                incoming: [
                    executionStartedMessage({
                        instanceId: 'x',
                        executionId: 'e1',
                        name: 'Missing',
                        input: undefined,
                        now,
                    }),
                ],
                now,
                newGuid: () => 'g',
                options: defaultEngineOptions,
                knownOrchestrators: new Set(['Pipeline']),
            },
            async () => {
                invoked = true;
                return { kind: 'state', state: {} };
            },
        );
        expect(invoked).toBe(false);
        expect(result.instance.runtimeStatus).toBe('Failed');
        expect(result.instance.output).toContain("The function 'Missing' doesn't exist");
    });
});

describe('engine: history is the truth', () => {
    it('discards duplicate and stale completions and a second ExecutionStarted; defers one for a step history has not reached', async () => {
        const hub = new EngineHarness(sdkInvoker());
        hub.start('Pipeline', undefined);
        const first = await hub.episode();
        const execution = first.executionId;
        const instance = { InstanceId: 'instance1', ExecutionId: execution };
        const done: TaskMessage = {
            Event: taskCompleted(0, 'a', hub.now),
            SequenceNumber: 0,
            OrchestrationInstance: instance,
        };
        // Out of order: step 7 is not scheduled yet (its episode's commit failed after the send), so it waits.
        const early: TaskMessage = {
            Event: taskCompleted(7, 'x', hub.now),
            SequenceNumber: 0,
            OrchestrationInstance: instance,
        };
        const otherExecution: TaskMessage = {
            ...done,
            OrchestrationInstance: { InstanceId: 'instance1', ExecutionId: 'old' },
        };
        const restart = executionStartedMessage({
            instanceId: 'instance1',
            executionId: execution,
            name: 'Pipeline',
            input: undefined,
            now: hub.now,
        });
        const result = await hub.episode('instance1', [done, done, early, otherExecution, restart]);
        expect(result.discarded).toEqual([done, otherExecution, restart]);
        expect(result.deferred).toEqual([early]);
        expect(shape(result.appended)).toEqual([
            'OrchestratorStarted*',
            'TaskCompleted(0)',
            'TaskScheduled#1*',
            'OrchestratorCompleted*',
        ]);
        const again = await hub.episode('instance1', [done]);
        expect(again.discarded).toEqual([done]);
        expect(again.ranOrchestrator).toBe(false);
        expect(again.appended).toEqual([]);
    });

    it('discards messages for a completed instance and restarts it on a new ExecutionStarted', async () => {
        const hub = new EngineHarness(sdkInvoker());
        hub.start('Pipeline', undefined);
        await hub.drive(activities);
        expect(hub.status().runtimeStatus).toBe('Completed');
        const late = eventRaisedMessage({ instanceId: 'instance1', name: 'E', data: 1, now: hub.now });
        const ignored = await hub.episode('instance1', [late]);
        expect(ignored.discarded).toEqual([late]);
        // A restart comes after the execution it replaces finished: its start is newer.
        hub.advance(1000);
        hub.start('Pipeline', undefined);
        const restarted = await hub.episode();
        expect(restarted.newExecution).toBe(true);
        expect(restarted.startIndex).toBe(0);
        expect(restarted.instance.runtimeStatus).toBe('Running');
        expect(shape(restarted.appended)).toEqual([
            'OrchestratorStarted*',
            'ExecutionStarted',
            'TaskScheduled#0*',
            'OrchestratorCompleted*',
        ]);
    });

    it('restart and terminate in one batch: the terminated execution replaces the old history', async () => {
        const hub = new EngineHarness(sdkInvoker());
        hub.start('Pipeline', undefined);
        await hub.drive(activities);
        expect(hub.status().runtimeStatus).toBe('Completed');
        hub.advance(1000);
        hub.start('Pipeline', undefined);
        hub.send(terminateMessage({ instanceId: 'instance1', reason: 'changed my mind', now: hub.now }));
        const result = await hub.episode();
        expect(result.newExecution).toBe(true);
        expect(result.startIndex).toBe(0);
        expect(result.instance.runtimeStatus).toBe('Terminated');
        expect(hub.history().filter((e) => e.EventType === EventType.ExecutionStarted)).toHaveLength(1);
        expect(shape(hub.history())).toEqual([
            'OrchestratorStarted*',
            'ExecutionStarted*',
            'ExecutionTerminated*',
            'ExecutionCompleted#0*',
            'OrchestratorCompleted*',
        ]);
    });

    it('discards an older start of a finished instance (a redelivered start of an earlier generation) instead of restarting it', async () => {
        const hub = new EngineHarness(sdkInvoker());
        const stale = executionStartedMessage({
            instanceId: 'instance1',
            executionId: 'an-earlier-generation',
            name: 'Pipeline',
            input: undefined,
            now: hub.now,
        });
        hub.advance(1000);
        hub.start('Pipeline', undefined);
        await hub.drive(activities);
        expect(hub.status().runtimeStatus).toBe('Completed');
        const before = hub.history().length;
        const result = await hub.episode('instance1', [stale]);
        expect(result.discarded).toEqual([stale]);
        expect(result.newExecution).toBe(false);
        expect(hub.history()).toHaveLength(before);
    });

    it('defers messages for an instance that has not started', async () => {
        const hub = new EngineHarness(sdkInvoker());
        const early = eventRaisedMessage({ instanceId: 'instance1', name: 'E', data: 1, now: hub.now });
        const result = await hub.episode('instance1', [early]);
        expect(result.deferred).toEqual([early]);
        expect(result.appended).toEqual([]);
        expect(result.instance.runtimeStatus).toBe('Pending');
    });
});

/** A task hub over the real SDK that counts how often the orchestrator is invoked. */
function hubCountingOrchestratorCalls(): { hub: EngineHarness; calls: () => number } {
    let count = 0;
    const invoke = sdkInvoker();
    const hub = new EngineHarness(async (name, payload) => {
        count++;
        return invoke(name, payload);
    });
    return { hub, calls: () => count };
}

describe('engine: terminate, suspend, resume', () => {
    it('terminates without calling the orchestrator; later completions are discarded', async () => {
        const { hub, calls } = hubCountingOrchestratorCalls();
        hub.start('Pipeline', undefined);
        await hub.episode();
        hub.send(terminateMessage({ instanceId: 'instance1', reason: 'operator said so', now: hub.now }));
        const terminated = await hub.episode();
        expect(calls()).toBe(1);
        expect(terminated.instance).toMatchObject({ runtimeStatus: 'Terminated', output: 'operator said so' });
        expect(shape(terminated.appended)).toEqual([
            'OrchestratorStarted*',
            'ExecutionTerminated*',
            'ExecutionCompleted#1*',
            'OrchestratorCompleted*',
        ]);
        expect(completedEvent(terminated.appended)).toMatchObject({
            OrchestrationStatus: 5,
            Result: 'operator said so',
        });
        hub.runActivities(activities);
        const late = await hub.episode();
        expect(late.discarded).toHaveLength(1);
        expect(late.appended).toEqual([]);
    });

    it('tells the parent a terminated child failed', async () => {
        const hub = new EngineHarness(sdkInvoker());
        hub.start('TerminatedChildParent', undefined, 'parent');
        await hub.episode('parent');
        await hub.episode('child');
        hub.send(terminateMessage({ instanceId: 'child', reason: 'stop', now: hub.now }));
        const child = await hub.episode('child');
        expect(child.outbound).toEqual([
            expect.objectContaining({
                message: expect.objectContaining({
                    Event: expect.objectContaining({
                        EventType: EventType.SubOrchestrationInstanceFailed,
                        Reason: 'stop',
                    }),
                }),
            }),
        ]);
        const parent = await hub.drive(activities, 'parent');
        expect(parent).toMatchObject({ runtimeStatus: 'Completed', output: '"stop"' });
    });

    it('does not run a suspended instance, keeps what arrives, and continues after resume', async () => {
        const { hub, calls } = hubCountingOrchestratorCalls();
        hub.start('Pipeline', undefined);
        await hub.episode();
        hub.send(suspendMessage({ instanceId: 'instance1', reason: 'pause', now: hub.now }));
        const suspended = await hub.episode();
        expect(suspended.instance.runtimeStatus).toBe('Suspended');
        expect(shape(suspended.appended)).toEqual([
            'OrchestratorStarted*',
            'ExecutionSuspended*',
            'OrchestratorCompleted*',
        ]);
        hub.runActivities(activities);
        const buffered = await hub.episode();
        expect(buffered.instance.runtimeStatus).toBe('Suspended');
        expect(shape(buffered.appended)).toEqual([
            'OrchestratorStarted*',
            'TaskCompleted(0)*',
            'OrchestratorCompleted*',
        ]);
        expect(buffered.outbound).toEqual([]);
        expect(calls()).toBe(1);

        // A second suspend is a no-op; a resume brings the instance back and processes what was kept.
        hub.send(suspendMessage({ instanceId: 'instance1', reason: 'again', now: hub.now }));
        hub.send(resumeMessage({ instanceId: 'instance1', reason: 'go', now: hub.now }));
        const resumed = await hub.episode();
        expect(resumed.discarded).toHaveLength(1);
        expect(resumed.instance.runtimeStatus).toBe('Running');
        expect(shape(resumed.appended)).toEqual([
            'OrchestratorStarted*',
            'ExecutionResumed',
            'TaskScheduled#1*',
            'OrchestratorCompleted*',
        ]);
        const status = await hub.drive(activities);
        expect(status).toMatchObject({ runtimeStatus: 'Completed', output: '["a","b"]' });
    });
});
