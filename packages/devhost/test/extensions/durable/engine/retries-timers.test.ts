import { describe, expect, it } from 'vitest';
import { EventType, type TimerCreatedEvent } from '../../../../src/shared/history';
import { EngineHarness, shape } from '../../../../src/testing/engine-harness';
import { loadDurableFunctions, sdkInvoker } from '../../../../src/testing/sdk-host';

const df = loadDurableFunctions();
const second = 1000;
const hour = 3_600_000;
const day = 24 * hour;

df.app.orchestration('RetryThenSucceed', function* (context) {
    return yield context.df.callActivityWithRetry('Flaky', new df.RetryOptions(second, 3), 'x');
});

df.app.orchestration('RetryExhausted', function* (context) {
    const options = new df.RetryOptions(second, 2);
    options.backoffCoefficient = 2;
    return yield context.df.callActivityWithRetry('AlwaysFails', options, null);
});

df.app.orchestration('RetryCaught', function* (context) {
    const options = new df.RetryOptions(second, 3);
    options.backoffCoefficient = 2;
    try {
        yield context.df.callActivityWithRetry('AlwaysFails', options, null);
    } catch (e) {
        return `gave up: ${e instanceof Error ? e.message.split('\n')[0] : ''}`;
    }
    return 'not reached';
});

df.app.orchestration('OneHourTimer', function* (context) {
    const fireAt = new Date(context.df.currentUtcDateTime.getTime() + hour);
    yield context.df.createTimer(fireAt);
    return context.df.currentUtcDateTime.toISOString();
});

df.app.orchestration('TenDayTimer', function* (context) {
    yield context.df.createTimer(new Date(context.df.currentUtcDateTime.getTime() + 10 * day));
    return 'woke up';
});

df.app.orchestration('RaceUncancelled', function* (context) {
    const work = context.df.callActivity('Slow', null);
    const timeout = context.df.createTimer(new Date(context.df.currentUtcDateTime.getTime() + 60 * second));
    const winner: unknown = yield context.df.Task.any([work, timeout]);
    return winner === work ? 'work' : 'timeout';
});

df.app.orchestration('RaceCancelled', function* (context) {
    const work = context.df.callActivity('Slow', null);
    const timeout = context.df.createTimer(new Date(context.df.currentUtcDateTime.getTime() + 60 * second));
    const winner: unknown = yield context.df.Task.any([work, timeout]);
    if (winner === work) {
        timeout.cancel();
        return 'work';
    }
    return 'timeout';
});

let flakyCalls = 0;
const activities = {
    Flaky: (input: unknown) => {
        flakyCalls++;
        if (flakyCalls === 1) throw new Error('transient');
        return `ok ${String(input)}`;
    },
    AlwaysFails: () => {
        throw new Error('permanent');
    },
    Slow: () => 'slow result',
};

function timerFireAts(events: readonly { EventType: EventType }[]): string[] {
    return events.filter((e): e is TimerCreatedEvent => e.EventType === EventType.TimerCreated).map((e) => e.FireAt);
}

describe('engine: retries', () => {
    it('retries after the first interval and succeeds on the second attempt, with the SDK id pattern', async () => {
        flakyCalls = 0;
        const hub = new EngineHarness(sdkInvoker());
        hub.start('RetryThenSucceed', undefined);
        await hub.episode();
        hub.runActivities(activities);
        const afterFailure = await hub.episode();
        expect(shape(afterFailure.appended)).toEqual([
            'OrchestratorStarted*',
            'TaskFailed(0)',
            'TimerCreated#1*',
            'OrchestratorCompleted*',
        ]);
        expect(afterFailure.outbound).toHaveLength(1);
        expect(afterFailure.outbound[0]?.visibleAt).toEqual(new Date(hub.now.getTime() + second));

        // Not yet due: nothing to process.
        expect((await hub.episode()).appended).toEqual([]);
        hub.advance(second);
        const status = await hub.drive(activities);
        expect(status.runtimeStatus).toBe('Completed');
        expect(status.output).toBe('"ok x"');
        expect(shape(hub.history())).toEqual([
            'OrchestratorStarted*',
            'ExecutionStarted',
            'TaskScheduled#0*',
            'OrchestratorCompleted*',
            'OrchestratorStarted*',
            'TaskFailed(0)',
            'TimerCreated#1*',
            'OrchestratorCompleted*',
            'OrchestratorStarted*',
            'TimerFired(1)',
            'TaskScheduled#2*',
            'OrchestratorCompleted*',
            'OrchestratorStarted*',
            'TaskCompleted(2)',
            'ExecutionCompleted#3*',
            'OrchestratorCompleted*',
        ]);
    });

    it('fails with the last error after the dummy timer that follows the last attempt', async () => {
        const hub = new EngineHarness(sdkInvoker());
        const t0 = hub.now.getTime();
        hub.start('RetryExhausted', undefined);
        for (let i = 0; i < 10; i++) {
            await hub.drive(activities);
            if (hub.results.at(-1)?.instance.runtimeStatus !== 'Running') break;
            hub.advance(10 * second);
        }
        const status = hub.status();
        expect(status.runtimeStatus).toBe('Failed');
        expect(status.output).toContain("Activity function 'AlwaysFails' failed:  permanent");
        expect(shape(hub.history()).filter((s) => !s.startsWith('Orchestrator'))).toEqual([
            'ExecutionStarted',
            'TaskScheduled#0*',
            'TaskFailed(0)',
            'TimerCreated#1*',
            'TimerFired(1)',
            'TaskScheduled#2*',
            'TaskFailed(2)',
            'TimerCreated#3*',
            'TimerFired(3)',
            'ExecutionCompleted#4*',
        ]);
        // First retry after 1 s; the timer after the last attempt fires at once (DTFx's back-compat timer).
        const fireAts = timerFireAts(hub.history()).map((at) => new Date(at).getTime());
        expect(fireAts[0]).toBe(t0 + second);
        expect(fireAts[1]).toBe(t0 + 10 * second);
    });

    it('applies the backoff coefficient and lets the orchestrator catch exhaustion', async () => {
        const hub = new EngineHarness(sdkInvoker());
        const t0 = hub.now.getTime();
        hub.start('RetryCaught', undefined);
        for (let i = 0; i < 10; i++) {
            await hub.drive(activities);
            if (hub.results.at(-1)?.instance.runtimeStatus !== 'Running') break;
            hub.advance(10 * second);
        }
        expect(hub.status().runtimeStatus).toBe('Completed');
        expect(hub.status().output).toBe(
            JSON.stringify("gave up: Activity function 'AlwaysFails' failed:  permanent "),
        );
        const fireAts = timerFireAts(hub.history()).map((at) => new Date(at).getTime());
        // Failure 1 at t0 -> +1 s; failure 2 at t0+10 s -> +2 s; failure 3 at t0+20 s -> dummy at once.
        expect(fireAts).toEqual([t0 + second, t0 + 10 * second + 2 * second, t0 + 20 * second]);
    });
});

describe('engine: timers', () => {
    it('schedules a timer message visible at FireAt and resumes the orchestrator when it fires', async () => {
        const hub = new EngineHarness(sdkInvoker());
        const t0 = hub.now;
        hub.start('OneHourTimer', undefined);
        const first = await hub.episode();
        expect(shape(first.appended)).toEqual([
            'OrchestratorStarted*',
            'ExecutionStarted',
            'TimerCreated#0*',
            'OrchestratorCompleted*',
        ]);
        const fireAt = new Date(t0.getTime() + hour);
        expect(first.outbound).toEqual([
            expect.objectContaining({
                queue: 'control',
                visibleAt: fireAt,
                message: expect.objectContaining({
                    Event: expect.objectContaining({ EventType: EventType.TimerFired, TimerId: 0 }),
                }),
            }),
        ]);

        // Delivered early (e.g. a clock skew): deferred, never applied before FireAt.
        const early = await hub.episode('instance1', hub.pendingControl());
        expect(early.deferred).toHaveLength(1);
        expect(early.appended).toEqual([]);

        hub.advance(hour + 5 * second);
        const status = await hub.drive({});
        expect(status.runtimeStatus).toBe('Completed');
        // The orchestrator resumes at the episode's clock.
        expect(status.output).toBe(JSON.stringify(hub.now.toISOString()));
    });

    it('splits a ten-day timer into sub-timers of three days, ids as the SDK tracks them', async () => {
        const hub = new EngineHarness(sdkInvoker());
        const t0 = hub.now.getTime();
        hub.start('TenDayTimer', undefined);
        await hub.episode();
        for (let i = 0; i < 10 && hub.status().runtimeStatus === 'Running'; i++) {
            hub.advance(3 * day);
            await hub.drive({});
        }
        expect(hub.status().runtimeStatus).toBe('Completed');
        expect(hub.status().output).toBe('"woke up"');
        const fireAts = timerFireAts(hub.history()).map((at) => (new Date(at).getTime() - t0) / day);
        expect(fireAts).toEqual([3, 6, 9, 10]);
        expect(shape(hub.history()).filter((s) => s.startsWith('Timer'))).toEqual([
            'TimerCreated#0*',
            'TimerFired(0)',
            'TimerCreated#1*',
            'TimerFired(1)',
            'TimerCreated#2*',
            'TimerFired(2)',
            'TimerCreated#3*',
            'TimerFired(3)',
        ]);
    });

    it('keeps an instance running while an uncancelled Task.any loser is open', async () => {
        const hub = new EngineHarness(sdkInvoker());
        hub.start('RaceUncancelled', undefined);
        await hub.episode();
        const slowWork = hub.workItems;
        hub.workItems = [];
        hub.advance(61 * second);
        const timedOut = await hub.episode();
        // The orchestrator returned 'timeout', but the activity is still an open task.
        expect(timedOut.instance.runtimeStatus).toBe('Running');
        expect(shape(timedOut.appended)).toEqual(['OrchestratorStarted*', 'TimerFired(1)', 'OrchestratorCompleted*']);
        hub.workItems = slowWork;
        const status = await hub.drive(activities);
        expect(status.runtimeStatus).toBe('Completed');
        expect(status.output).toBe('"timeout"');
    });

    it('completes at once when the Task.any loser timer is cancelled', async () => {
        const hub = new EngineHarness(sdkInvoker());
        hub.start('RaceCancelled', undefined);
        await hub.episode();
        hub.runActivities(activities);
        const done = await hub.episode();
        expect(done.instance.runtimeStatus).toBe('Completed');
        expect(done.instance.output).toBe('"work"');
        // The timer still fires later; history is the truth, so the message is discarded.
        hub.advance(61 * second);
        const late = await hub.episode();
        expect(late.appended).toEqual([]);
        expect(late.discarded).toHaveLength(1);
    });
});

describe('a timer message from an episode that did not commit', () => {
    it('does not fire the timer before the FireAt history committed', async () => {
        const t0 = new Date('2024-01-01T00:00:00.000Z');
        const hub = new EngineHarness(sdkInvoker(), {}, t0);
        hub.start('OneHourTimer', undefined);
        // The first attempt of the episode sends its timer message (FireAt t0 + 1 h), then loses its checkpoint;
        // the episode runs again a minute later and commits FireAt t0 + 1 h 1 min.
        const start = hub.pendingControl();
        const lost = await new EngineHarness(sdkInvoker(), {}, t0).episode('instance1', start);
        const earlyTimer = lost.outbound.find((o) => o.message.Event.EventType === EventType.TimerFired);
        expect(earlyTimer).toBeDefined();
        hub.advance(60 * second);
        await hub.episode();
        const committed = hub.history().find((e): e is TimerCreatedEvent => e.EventType === EventType.TimerCreated);
        expect(committed?.FireAt).toBe('2024-01-01T01:01:00.0000000Z');

        // At t0 + 1 h the lost attempt's timer message arrives: too early for the committed timer.
        hub.advance(hour - 60 * second);
        if (earlyTimer) hub.send(earlyTimer.message);
        const early = await hub.episode();
        expect(early.appended).toEqual([]);
        expect(early.deferred).toHaveLength(1);
        expect(hub.status().runtimeStatus).toBe('Running');

        hub.advance(60 * second);
        await hub.episode();
        expect(hub.status()).toMatchObject({ runtimeStatus: 'Completed', output: '"2024-01-01T01:01:00.000Z"' });
    });
});
