import { describe, expect, it } from 'vitest';
import { eventRaisedMessage } from '../../../../src/extensions/durable/engine';
import { EventType, type ExecutionStartedEvent } from '../../../../src/shared/history';
import { EngineHarness, shape } from '../../../../src/testing/engine-harness';
import { loadDurableFunctions, sdkInvoker } from '../../../../src/testing/sdk-host';

const df = loadDurableFunctions();

df.app.orchestration('AwaitApproval', function* (context) {
    const approval: unknown = yield context.df.waitForExternalEvent('Approval');
    return { approval };
});

df.app.orchestration('WorkThenAwait', function* (context) {
    yield context.df.callActivity('Echo', 'work');
    const approval: unknown = yield context.df.waitForExternalEvent('Approval');
    return approval;
});

df.app.orchestration('Parent', function* (context) {
    const child: unknown = yield context.df.callSubOrchestrator('Child', { value: 21 });
    return { child, parentOf: context.df.instanceId };
});

df.app.orchestration('Child', function* (context) {
    const input = context.df.getInput<{ value: number }>();
    const doubled: unknown = yield context.df.callActivity('Double', input.value);
    return { doubled, parent: context.df.parentInstanceId };
});

df.app.orchestration('ParentOfFailing', function* (context) {
    try {
        yield context.df.callSubOrchestrator('FailingChild', null, 'fixed-child-id');
        return 'not reached';
    } catch (e) {
        return e instanceof Error ? e.message : String(e);
    }
});

df.app.orchestration('FailingChild', function* (context) {
    yield context.df.callActivity('Echo', 'before');
    throw new Error('child broke');
});

df.app.orchestration('Counter', function* (context) {
    const state = context.df.getInput<{ n: number }>();
    context.df.setCustomStatus({ generation: state.n });
    if (state.n < 2) {
        yield context.df.callActivity('Echo', state.n);
        context.df.continueAsNew({ n: state.n + 1 });
        return undefined;
    }
    return state.n;
});

df.app.orchestration('Accumulate', function* (context) {
    const total = context.df.getInput<number>();
    const add = (yield context.df.waitForExternalEvent('Add')) as number;
    if (total + add < 10) {
        context.df.continueAsNew(total + add);
        return undefined;
    }
    return total + add;
});

df.app.orchestration('PollHttp', function* (context) {
    const response = (yield context.df.callHttp({
        method: 'POST',
        url: 'https://api.example.test/jobs',
        body: { job: 1 },
    })) as {
        statusCode: number;
        content: string;
    };
    return { statusCode: response.statusCode, content: response.content };
});

const activities = {
    Echo: (input: unknown) => input,
    Double: (input: unknown) => (input as number) * 2,
};

describe('engine: external events', () => {
    it('waits without scheduling anything and resumes with the raised event data', async () => {
        const hub = new EngineHarness(sdkInvoker());
        hub.start('AwaitApproval', undefined);
        const waiting = await hub.episode();
        expect(waiting.instance.runtimeStatus).toBe('Running');
        expect(waiting.outbound).toEqual([]);
        expect(shape(waiting.appended)).toEqual(['OrchestratorStarted*', 'ExecutionStarted', 'OrchestratorCompleted*']);
        hub.send(
            eventRaisedMessage({ instanceId: 'instance1', name: 'Approval', data: { by: 'alice' }, now: hub.now }),
        );
        const done = await hub.episode();
        expect(done.instance.runtimeStatus).toBe('Completed');
        expect(JSON.parse(done.instance.output ?? 'null')).toEqual({ approval: { by: 'alice' } });
        expect(shape(done.appended)).toEqual([
            'OrchestratorStarted*',
            'EventRaised',
            'ExecutionCompleted#0*',
            'OrchestratorCompleted*',
        ]);
    });

    it('keeps an event raised before the wait and delivers it when the orchestrator waits', async () => {
        const hub = new EngineHarness(sdkInvoker());
        hub.start('WorkThenAwait', undefined);
        await hub.episode();
        hub.send(eventRaisedMessage({ instanceId: 'instance1', name: 'Approval', data: 'early', now: hub.now }));
        const buffered = await hub.episode();
        expect(buffered.instance.runtimeStatus).toBe('Running');
        const status = await hub.drive(activities);
        expect(status.runtimeStatus).toBe('Completed');
        expect(status.output).toBe('"early"');
    });

    it('discards a redelivered event message that history already holds', async () => {
        const hub = new EngineHarness(sdkInvoker());
        hub.start('WorkThenAwait', undefined);
        await hub.episode();
        const raised = eventRaisedMessage({ instanceId: 'instance1', name: 'Approval', data: 'once', now: hub.now });
        hub.send(raised);
        await hub.episode();
        hub.send(raised);
        const again = await hub.episode();
        expect(again.discarded).toEqual([raised]);
        expect(again.appended).toEqual([]);
    });
});

describe('engine: sub-orchestrations', () => {
    it('starts the child with a ParentInstance and completes the parent from the child notification', async () => {
        const hub = new EngineHarness(sdkInvoker());
        hub.start('Parent', undefined, 'parent');
        const first = await hub.episode('parent');
        const parentExecution = first.executionId;
        const childId = `${parentExecution}:0`;
        expect(shape(first.appended)).toEqual([
            'OrchestratorStarted*',
            'ExecutionStarted',
            'SubOrchestrationInstanceCreated#0*',
            'OrchestratorCompleted*',
        ]);
        expect(first.appended[2]).toMatchObject({ Name: 'Child', InstanceId: childId });
        const start = first.outbound[0]?.message.Event as ExecutionStartedEvent;
        expect(start).toMatchObject({
            EventType: EventType.ExecutionStarted,
            Name: 'Child',
            Input: '{"value":21}',
            OrchestrationInstance: { InstanceId: childId },
            ParentInstance: {
                Name: 'Parent',
                TaskScheduleId: 0,
                OrchestrationInstance: { InstanceId: 'parent', ExecutionId: parentExecution },
            },
        });

        const child = await hub.drive(activities, childId);
        expect(child.runtimeStatus).toBe('Completed');
        expect(child.parentInstanceId).toBe('parent');
        const parent = await hub.drive(activities, 'parent');
        expect(parent.runtimeStatus).toBe('Completed');
        expect(JSON.parse(parent.output ?? 'null')).toEqual({
            child: { doubled: 42, parent: 'parent' },
            parentOf: 'parent',
        });
        expect(shape(hub.history('parent')).slice(-4)).toEqual([
            'OrchestratorStarted*',
            'SubOrchestrationInstanceCompleted(0)',
            'ExecutionCompleted#1*',
            'OrchestratorCompleted*',
        ]);
    });

    it('reports a failing child to the parent as SubOrchestrationInstanceFailed', async () => {
        const hub = new EngineHarness(sdkInvoker());
        hub.start('ParentOfFailing', undefined, 'parent');
        await hub.episode('parent');
        const child = await hub.drive(activities, 'fixed-child-id');
        expect(child.runtimeStatus).toBe('Failed');
        expect(child.output).toBe("Orchestrator function 'FailingChild' failed: child broke");
        const notice = hub.pendingControl('parent')[0]?.Event;
        expect(notice).toMatchObject({
            EventType: EventType.SubOrchestrationInstanceFailed,
            TaskScheduledId: 0,
            Reason: child.output,
        });
        const parent = await hub.drive(activities, 'parent');
        expect(parent.runtimeStatus).toBe('Completed');
        expect(JSON.parse(parent.output ?? 'null')).toContain(
            "Orchestrator function 'FailingChild' failed: child broke",
        );
    });
});

describe('engine: continueAsNew', () => {
    it('restarts with a new execution, the new input and a fresh history, in the same episode', async () => {
        const hub = new EngineHarness(sdkInvoker());
        hub.start('Counter', { n: 0 });
        const first = await hub.episode();
        const firstExecution = first.executionId;
        hub.runActivities(activities);
        const continued = await hub.episode();
        expect(continued.newExecution).toBe(true);
        expect(continued.startIndex).toBe(0);
        expect(continued.executionId).not.toBe(firstExecution);
        expect(continued.instance).toMatchObject({
            runtimeStatus: 'Running',
            // DTFx's ContinueAsNew start has no Generation: the row keeps the previous one.
            generation: null,
            input: '{"n":1}',
            customStatus: '{"generation":1}',
        });
        expect(shape(continued.appended)).toEqual([
            'OrchestratorStarted*',
            'ExecutionStarted',
            'TaskScheduled#0*',
            'OrchestratorCompleted*',
        ]);
        expect(continued.appended[1]).toMatchObject({
            OrchestrationInstance: { ExecutionId: continued.executionId },
            Input: '{"n":1}',
        });

        // A late message of the first execution is stale.
        hub.send({
            Event: {
                EventType: EventType.TimerFired,
                EventId: -1,
                IsPlayed: false,
                Timestamp: hub.now.toISOString(),
                TimerId: 0,
                FireAt: hub.now.toISOString(),
            },
            SequenceNumber: 0,
            OrchestrationInstance: { InstanceId: 'instance1', ExecutionId: firstExecution },
        });
        const stale = await hub.episode();
        expect(stale.discarded).toHaveLength(1);

        const status = await hub.drive(activities);
        expect(status).toMatchObject({
            runtimeStatus: 'Completed',
            output: '2',
            generation: null,
            customStatus: '{"generation":2}',
        });
    });

    it('carries events raised after continueAsNew into the next generation', async () => {
        const hub = new EngineHarness(sdkInvoker());
        hub.start('Accumulate', 0);
        await hub.episode();
        for (const add of [3, 4, 5])
            hub.send(
                eventRaisedMessage({
                    instanceId: 'instance1',
                    name: 'Add',
                    data: add,
                    now: new Date(hub.now.getTime() + add),
                }),
            );
        const result = await hub.episode();
        // One batch, three generations: 0+3 -> 3+4 -> 7+5 = 12.
        expect(result.instance).toMatchObject({ runtimeStatus: 'Completed', output: '12', generation: null });
        expect(shape(result.appended)).toEqual([
            'OrchestratorStarted*',
            'ExecutionStarted',
            'EventRaised',
            'ExecutionCompleted#0*',
            'OrchestratorCompleted*',
        ]);
    });
});

describe('engine: callHttp', () => {
    it('runs the built-in HTTP activity and polls a 202 Location after Retry-After', async () => {
        const hub = new EngineHarness(sdkInvoker());
        hub.start('PollHttp', undefined);
        await hub.episode();
        const [request] = hub.workItems;
        expect(request?.event.Name).toBe('BuiltIn::HttpActivity');
        expect(request?.input).toMatchObject({
            method: 'POST',
            uri: 'https://api.example.test/jobs',
            content: '{"job":1}',
            asynchronousPatternEnabled: true,
        });
        let polls = 0;
        const http = {
            'BuiltIn::HttpActivity': (input: unknown) => {
                const req = input as { method: string; uri: string };
                if (req.method === 'POST')
                    return {
                        statusCode: 202,
                        headers: { location: 'https://api.example.test/jobs/1', 'Retry-After': '5' },
                        content: '',
                    };
                polls++;
                if (polls === 1)
                    return { statusCode: 202, headers: { Location: 'https://api.example.test/jobs/1' }, content: '' };
                return { statusCode: 200, headers: {}, content: `${req.method} ${req.uri}` };
            },
        };
        const t0 = hub.now.getTime();
        await hub.drive(http);
        expect(hub.status().runtimeStatus).toBe('Running');
        hub.advance(5_000);
        await hub.drive(http);
        // The first poll answered 202 without Retry-After: the next one waits the default 30 s.
        expect(hub.status().runtimeStatus).toBe('Running');
        hub.advance(29_000);
        await hub.drive(http);
        expect(hub.status().runtimeStatus).toBe('Running');
        hub.advance(1_000);
        const status = await hub.drive(http);
        expect(status.runtimeStatus).toBe('Completed');
        expect(JSON.parse(status.output ?? 'null')).toEqual({
            statusCode: 200,
            content: 'GET https://api.example.test/jobs/1',
        });
        expect(shape(hub.history()).filter((s) => !s.startsWith('Orchestrator'))).toEqual([
            'ExecutionStarted',
            'TaskScheduled#0*',
            'TaskCompleted(0)',
            'TimerCreated#1*',
            'TimerFired(1)',
            'TaskScheduled#2*',
            'TaskCompleted(2)',
            'TimerCreated#3*',
            'TimerFired(3)',
            'TaskScheduled#4*',
            'TaskCompleted(4)',
            'ExecutionCompleted#5*',
        ]);
        const timers = hub
            .history()
            .filter((e) => e.EventType === EventType.TimerCreated)
            .map((e) => ('FireAt' in e ? new Date(e.FireAt).getTime() - t0 : -1));
        expect(timers).toEqual([5_000, 35_000]);
    });
});
