import { describe, expect, it } from 'vitest';
import { EventType, type TaskFailedEvent } from '../../../../src/shared/history';
import { EngineHarness, shape } from '../../../../src/testing/engine-harness';
import { loadDurableFunctions, sdkInvoker } from '../../../../src/testing/sdk-host';

const df = loadDurableFunctions();

df.app.orchestration('Sequence', function* (context) {
    const cities = ['Tokyo', 'Seattle', 'London'];
    const out: unknown[] = [];
    for (const city of cities) out.push(yield context.df.callActivity('Hello', city));
    return out;
});

df.app.orchestration('FanOutFanIn', function* (context) {
    const items = context.df.getInput<number[]>();
    const results = (yield context.df.Task.all(items.map((n) => context.df.callActivity('Square', n)))) as number[];
    return results.reduce((a, b) => a + b, 0);
});

df.app.orchestration('CatchesFailure', function* (context) {
    try {
        yield context.df.callActivity('Boom', { why: 'test' });
        return 'not reached';
    } catch (e) {
        context.df.setCustomStatus({ recovered: true });
        return { caught: e instanceof Error ? e.message : String(e) };
    }
});

df.app.orchestration('UncaughtFailure', function* (context) {
    yield context.df.callActivity('Boom', null);
    return 'not reached';
});

df.app.orchestration('FalsyInputs', function* (context) {
    const values: unknown[] = [];
    for (const value of [0, '', false, null]) values.push(yield context.df.callActivity('Echo', value));
    return values;
});

df.app.orchestration('CustomStatus', function* (context) {
    context.df.setCustomStatus('step1');
    yield context.df.callActivity('Hello', 'a');
    context.df.setCustomStatus({ step: 2 });
    yield context.df.callActivity('Hello', 'b');
    return 'done';
});

const activities = {
    Hello: (input: unknown) => `Hello ${String(input)}!`,
    Square: (input: unknown) => (input as number) ** 2,
    Echo: (input: unknown) => input,
    Boom: () => {
        throw new Error('kaboom');
    },
};

describe('engine: activities', () => {
    it('runs a sequence of activities, one episode per completion, with the exact history', async () => {
        const hub = new EngineHarness(sdkInvoker());
        hub.start('Sequence', undefined);

        const first = await hub.episode();
        expect(first.instance.runtimeStatus).toBe('Running');
        expect(first.startIndex).toBe(0);
        expect(shape(first.appended)).toEqual([
            'OrchestratorStarted*',
            'ExecutionStarted',
            'TaskScheduled#0*',
            'OrchestratorCompleted*',
        ]);
        expect(hub.workItems.map((w) => [w.event.Name, w.input])).toEqual([['Hello', 'Tokyo']]);
        // History keeps no activity input; the work item carries it.
        expect(first.appended[2]).toMatchObject({ EventType: EventType.TaskScheduled, Input: null });

        const status = await hub.drive(activities);
        expect(status.runtimeStatus).toBe('Completed');
        expect(JSON.parse(status.output ?? 'null')).toEqual(['Hello Tokyo!', 'Hello Seattle!', 'Hello London!']);
        expect(status.completedTime).toEqual(hub.now);
        expect(shape(hub.history())).toEqual([
            'OrchestratorStarted*',
            'ExecutionStarted',
            'TaskScheduled#0*',
            'OrchestratorCompleted*',
            'OrchestratorStarted*',
            'TaskCompleted(0)',
            'TaskScheduled#1*',
            'OrchestratorCompleted*',
            'OrchestratorStarted*',
            'TaskCompleted(1)',
            'TaskScheduled#2*',
            'OrchestratorCompleted*',
            'OrchestratorStarted*',
            'TaskCompleted(2)',
            'ExecutionCompleted#3*',
            'OrchestratorCompleted*',
        ]);
    });

    it('passes the previous history as played and the new events as unplayed to the SDK', async () => {
        const seen: boolean[][] = [];
        const invoke = sdkInvoker();
        const hub = new EngineHarness(async (name, payload) => {
            seen.push(payload.history.map((e) => e.IsPlayed));
            expect(payload.upperSchemaVersion).toBe(1);
            expect(payload.upperSchemaVersionNew).toBe(3);
            return invoke(name, payload);
        });
        hub.start('Sequence', undefined);
        await hub.drive(activities);
        expect(seen[1]).toEqual([true, true, true, true, false, false]);
    });

    it('fans out in one episode and fans in when every activity completed', async () => {
        const hub = new EngineHarness(sdkInvoker());
        hub.start('FanOutFanIn', [1, 2, 3, 4]);
        const first = await hub.episode();
        expect(shape(first.appended)).toEqual([
            'OrchestratorStarted*',
            'ExecutionStarted',
            'TaskScheduled#0*',
            'TaskScheduled#1*',
            'TaskScheduled#2*',
            'TaskScheduled#3*',
            'OrchestratorCompleted*',
        ]);
        expect(hub.workItems.map((w) => w.input)).toEqual([1, 2, 3, 4]);
        // Completions arrive in two batches, out of order.
        const items = hub.workItems;
        hub.workItems = [items[3]!, items[1]!];
        hub.runActivities(activities);
        const second = await hub.episode();
        expect(second.instance.runtimeStatus).toBe('Running');
        expect(second.outbound).toEqual([]);
        hub.workItems = [items[0]!, items[2]!];
        const status = await hub.drive(activities);
        expect(status.runtimeStatus).toBe('Completed');
        expect(status.output).toBe('30');
    });

    it('surfaces an activity failure to a catching orchestrator as Reason + Details', async () => {
        const hub = new EngineHarness(sdkInvoker());
        hub.start('CatchesFailure', null);
        const status = await hub.drive(activities);
        expect(status.runtimeStatus).toBe('Completed');
        const output = JSON.parse(status.output ?? 'null') as { caught: string };
        expect(output.caught).toContain("Activity function 'Boom' failed:  kaboom");
        expect(output.caught).toContain('RemoteStackTrace');
        expect(JSON.parse(status.customStatus ?? 'null')).toEqual({ recovered: true });
        const failed = hub.history().find((e): e is TaskFailedEvent => e.EventType === EventType.TaskFailed);
        expect(failed).toMatchObject({
            TaskScheduledId: 0,
            Reason: "Activity function 'Boom' failed:  kaboom",
            FailureDetails: null,
        });
    });

    it('fails the orchestration on an uncaught activity failure, with the extension message', async () => {
        const hub = new EngineHarness(sdkInvoker());
        hub.start('UncaughtFailure', null);
        const status = await hub.drive(activities);
        expect(status.runtimeStatus).toBe('Failed');
        expect(status.output).toMatch(
            /^Orchestrator function 'UncaughtFailure' failed: Activity function 'Boom' failed: {2}kaboom/,
        );
        const tail = shape(hub.history()).slice(-4);
        expect(tail).toEqual([
            'OrchestratorStarted*',
            'TaskFailed(0)',
            'ExecutionCompleted#1*',
            'OrchestratorCompleted*',
        ]);
        const completed = hub.history().at(-2);
        expect(completed).toMatchObject({ EventType: EventType.ExecutionCompleted, OrchestrationStatus: 3 });
    });

    it('hands falsy inputs to activities unchanged', async () => {
        const hub = new EngineHarness(sdkInvoker());
        hub.start('FalsyInputs', undefined);
        const status = await hub.drive(activities);
        expect(JSON.parse(status.output ?? 'null')).toEqual([0, '', false, null]);
    });

    it('reports the custom status the orchestrator sets, as JSON text', async () => {
        const hub = new EngineHarness(sdkInvoker());
        hub.start('CustomStatus', undefined);
        await hub.episode();
        expect(hub.status().customStatus).toBe('"step1"');
        hub.runActivities(activities);
        await hub.episode();
        expect(hub.status().customStatus).toBe('{"step":2}');
        const status = await hub.drive(activities);
        expect(status.runtimeStatus).toBe('Completed');
        expect(status.customStatus).toBe('{"step":2}');
    });
});
