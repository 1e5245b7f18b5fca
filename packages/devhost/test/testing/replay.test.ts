/**
 * replay(history, orchestrator) on histories this file makes with createTestHost({ register }): the orchestrators
 * are registered in-process, one run is recorded (the provider's rows and the HTTP API's showHistory JSON), and
 * today's code, or a changed copy of it, is replayed against the recording.
 */
import { readFileSync } from 'node:fs';
import * as df from 'durable-functions';
import type { OrchestrationContext } from 'durable-functions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NonDeterminismError, replay } from '../../src/testing/replay-history';
import { createTestHost, type TestHost } from '../../src/testing/test-host';

function* greetings(context: OrchestrationContext): Generator<df.Task, string[], string> {
    const first = yield context.df.callActivity('hello', 'Tokyo');
    const retry = new df.RetryOptions(60_000, 3);
    const second = yield context.df.callActivityWithRetry('hello', retry, 'Seattle');
    yield context.df.createTimer(new Date(context.df.currentUtcDateTime.getTime() + 3_600_000));
    const fanned = (yield context.df.Task.all([
        context.df.callActivity('hello', 'London'),
        context.df.callActivity('hello', 'Lima'),
    ])) as unknown as string[];
    return [first, second, ...fanned];
}

/** The same, with the second step renamed: a change an instance in flight cannot survive. */
function* greetingsRenamed(context: OrchestrationContext): Generator<df.Task, string[], string> {
    const first = yield context.df.callActivity('hello', 'Tokyo');
    const retry = new df.RetryOptions(60_000, 3);
    const second = yield context.df.callActivityWithRetry('greet', retry, 'Seattle'); // CHANGED STEP
    return [first, second];
}

/** The same, with a step inserted in front of the fan-out. */
function* greetingsWithExtraStep(context: OrchestrationContext): Generator<df.Task, string[], string> {
    const first = yield context.df.callActivity('hello', 'Tokyo');
    const retry = new df.RetryOptions(60_000, 3);
    const second = yield context.df.callActivityWithRetry('hello', retry, 'Seattle');
    yield context.df.createTimer(new Date(context.df.currentUtcDateTime.getTime() + 3_600_000));
    yield context.df.callActivity('greet', 'audit'); // INSERTED STEP
    return [first, second];
}

/** An activity against a one-hour deadline: whichever finishes first. */
function* race(context: OrchestrationContext): Generator<df.Task, string, unknown> {
    const work = context.df.callActivity('greet', 'Oslo');
    const deadline = context.df.createTimer(new Date(context.df.currentUtcDateTime.getTime() + 3_600_000));
    const winner = yield context.df.Task.any([work, deadline]);
    if (winner === work) {
        deadline.cancel();
        return `done: ${String(work.result)}`;
    }
    return 'timed out';
}

const THIS_FILE = readFileSync(__filename, 'utf8').split('\n');
const lineOf = (marker: string): number => THIS_FILE.findIndex((line) => line.includes(marker)) + 1;

let host: TestHost;
let instanceId: string;

/**
 * The status with history, as the Durable HTTP API answers it. (The SDK's getStatus cannot give it:
 * durable-functions 3.5 reads `history` from a payload that calls it `historyEvents`.)
 */
async function apiHistory(): Promise<{ historyEvents: Array<Record<string, unknown>> }> {
    const response = await host.fetch(
        `/runtime/webhooks/durabletask/instances/${instanceId}?showHistory=true&showHistoryOutput=true&showInput=true`,
    );
    return (await response.json()) as { historyEvents: Array<Record<string, unknown>> };
}

beforeAll(async () => {
    host = await createTestHost({
        register: () => {
            df.app.orchestration('greetings', greetings);
            df.app.orchestration('race', race);
            df.app.activity('hello', { handler: (name: string) => `Hello, ${name}!` });
            df.app.activity('greet', { handler: (name: string) => `Hi, ${name}!` });
        },
        startTime: new Date('2030-01-01T00:00:00Z'),
    });
    // The recording: the first Seattle attempt fails, so the history holds a retry too.
    let seattle = 0;
    host.stubActivity('hello', (name) => {
        if (name === 'Seattle' && seattle++ === 0) throw new Error('try again');
        return `Hello, ${String(name)}!`;
    });
    instanceId = await host.client.startNew('greetings');
    const status = await host.waitForCompletion(instanceId);
    expect(status.runtimeStatus).toBe('Completed');
});

afterAll(async () => {
    await host?.close();
});

describe('replay of a recorded history against today’s orchestrator code', () => {
    it('passes when the code makes the recorded decisions, episode by episode (the provider’s rows)', async () => {
        const history = await host.history(instanceId);
        const report = await replay(history, greetings);
        expect(report.runtimeStatus).toBe('Completed');
        expect(report.episodes).toBeGreaterThan(4);
    });

    it('passes on the Durable HTTP API’s showHistory JSON too', async () => {
        const report = await replay(await apiHistory(), greetings);
        expect(report.runtimeStatus).toBe('Completed');
    });

    it('names the diverging history event, the action the code made and its line for a renamed step', async () => {
        const history = await host.history(instanceId);
        const failure = await replay(history, greetingsRenamed).catch((error: unknown) => error);
        expect(failure).toBeInstanceOf(NonDeterminismError);
        const error = failure as NonDeterminismError;
        expect(error.historyEvent).toMatch(/^TaskScheduled #1 'hello'/);
        expect(history[error.historyIndex]).toMatchObject({ Name: 'hello', EventId: 1 });
        expect(error.produced).toContain("'greet'");
        expect(error.orchestratorLine).toMatch(new RegExp(`replay\\.test\\.ts:${lineOf('// CHANGED STEP')}:\\d+$`));
        expect(error.message).toContain(error.orchestratorLine);
    });

    it('names the step a change inserted, from the HTTP API’s history as well', async () => {
        const status = await apiHistory();
        const failure = await replay(status, greetingsWithExtraStep).catch((error: unknown) => error);
        expect(failure).toBeInstanceOf(NonDeterminismError);
        const error = failure as NonDeterminismError;
        expect(error.produced).toMatch(/TaskScheduled #\d+ 'greet'/);
        expect(error.orchestratorLine).toMatch(new RegExp(`replay\\.test\\.ts:${lineOf('// INSERTED STEP')}:\\d+$`));
        // The recorded step the code no longer makes there: the fan-out's first 'hello'.
        expect(status.historyEvents[error.historyIndex]).toMatchObject({ FunctionName: 'hello' });
    });

    it('refuses something that is not a history, saying what it expected', async () => {
        await expect(replay({ nothing: true } as never, greetings)).rejects.toThrow(/historyEvents/);
    });
});

describe('activity stubs that take test time', () => {
    it.each([
        ['02:00:00', 'timed out'],
        [30 * 60_000, 'done: late'],
    ])('a stub delayed %s against a one-hour timer: %s, in virtual time', async (delay, outcome) => {
        const stub = host.stubActivity('greet', () => 'late', { delay });
        try {
            const before = host.now().getTime();
            const id = await host.client.startNew('race');
            const status = await host.waitForCompletion(id, { timeoutMs: 5_000 });
            expect(status.output).toBe(outcome);
            expect(stub.calls).toHaveLength(1);
            // Test time moved to the first thing due (the stub's answer or the timer), not a real hour.
            const moved = host.now().getTime() - before;
            expect(moved).toBeGreaterThanOrEqual(outcome === 'timed out' ? 3_600_000 : 30 * 60_000);
        } finally {
            stub.restore();
        }
    });

    it('refuses a negative delay', () => {
        expect(() => host.stubActivity('greet', () => 'x', { delay: -1 })).toThrow(/delay/);
    });
});
