/**
 * replay() on the histories that are easy to get wrong: an instance suspended and resumed, one that ended with an
 * activity still in flight, entity calls (which only the provider's rows can replay) and a critical section,
 * whose release the SDK records outside context.df.
 */
import { readFileSync } from 'node:fs';
import * as df from 'durable-functions';
import type { EntityContext, OrchestrationContext } from 'durable-functions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NonDeterminismError, replay } from '../../src/testing/replay-history';
import { createTestHost, type TestHost } from '../../src/testing/test-host';

const counter = new df.EntityId('counter', 'k');

function* approval(context: OrchestrationContext): Generator<df.Task, string, unknown> {
    const first = yield context.df.callActivity('hello', 'Ada');
    const by = yield context.df.waitForExternalEvent('Approval');
    return `${String(first)} approved by ${String(by)}`;
}

function* race(context: OrchestrationContext): Generator<df.Task, string, unknown> {
    const work = context.df.callActivity('hello', 'slow');
    const deadline = context.df.createTimer(new Date(context.df.currentUtcDateTime.getTime() + 60_000));
    const winner = yield context.df.Task.any([work, deadline]);
    return winner === work ? 'done' : 'timed out';
}

function* counting(context: OrchestrationContext): Generator<df.Task, unknown, unknown> {
    yield context.df.callEntity(counter, 'add', 2);
    return yield context.df.callActivity('hello', 'counted');
}

function* section(context: OrchestrationContext): Generator<df.Task, unknown, unknown> {
    const lock = (yield context.df.lock([counter])) as { release(): void };
    yield context.df.callEntity(counter, 'add', 1);
    lock.release();
    return yield context.df.callActivity('hello', 'after');
}

/** The same section with the step after the release renamed. */
function* sectionChanged(context: OrchestrationContext): Generator<df.Task, unknown, unknown> {
    const lock = (yield context.df.lock([counter])) as { release(): void };
    yield context.df.callEntity(counter, 'add', 1);
    lock.release();
    return yield context.df.callActivity('goodbye', 'after'); // CHANGED AFTER RELEASE
}

const THIS_FILE = readFileSync(__filename, 'utf8').split('\n');
const lineOf = (marker: string): number => THIS_FILE.findIndex((line) => line.includes(marker)) + 1;

let host: TestHost;

beforeAll(async () => {
    host = await createTestHost({
        register: () => {
            df.app.orchestration('approval', approval);
            df.app.orchestration('race', race);
            df.app.orchestration('counting', counting);
            df.app.orchestration('section', section);
            df.app.activity('hello', { handler: (name: string) => `Hello, ${name}!` });
            df.app.activity('goodbye', { handler: (name: string) => `Bye, ${name}!` });
            df.app.entity('counter', (context: EntityContext<number>) => {
                const value = context.df.getState(() => 0) ?? 0;
                context.df.setState(value + Number(context.df.getInput() ?? 0));
                context.df.return(value);
            });
        },
    });
});

afterAll(async () => {
    await host?.close();
});

/** The status with history from the Durable HTTP API (what a user records from Azure or the devhost). */
async function apiHistory(id: string): Promise<{ historyEvents: Array<Record<string, unknown>> }> {
    const response = await host.fetch(
        `/runtime/webhooks/durabletask/instances/${id}?showHistory=true&showHistoryOutput=true&showInput=true`,
    );
    return (await response.json()) as { historyEvents: Array<Record<string, unknown>> };
}

describe('replay of histories with suspensions, open steps, entities and locks', () => {
    it('replays an instance that was suspended and resumed, from rows and from the API', async () => {
        const id = await host.client.startNew('approval');
        await host.advanceTime(1_000);
        await host.client.suspend(id, 'a pause');
        await host.advanceTime(1_000);
        await host.client.resume(id, 'go on');
        await host.client.raiseEvent(id, 'Approval', 'Grace');
        expect((await host.waitForCompletion(id)).output).toBe('Hello, Ada! approved by Grace');

        expect((await replay(await host.history(id), approval)).runtimeStatus).toBe('Completed');
        expect((await replay(await apiHistory(id), approval)).runtimeStatus).toBe('Completed');
    });

    it('replays a running instance with an activity in flight: the timer won, the activity is still out', async () => {
        const slow = host.stubActivity('hello', () => 'late', { delay: '00:05:00' });
        try {
            const id = await host.client.startNew('race');
            // The timer fires after a minute; the orchestration stays Running until its activity is back too
            // (DTFx completes an orchestration only when no task is open).
            await host.advanceTime('00:02:00');
            const api = await apiHistory(id);
            // The API keeps a scheduled step no completion folded in, as the extension does.
            expect(api.historyEvents.map((event) => event.EventType)).toContain('TaskScheduled');
            expect((await replay(api, race)).runtimeStatus).toBe('Running');
            expect((await replay(await host.history(id), race)).runtimeStatus).toBe('Running');
            expect((await host.waitForCompletion(id)).output).toBe('timed out');
        } finally {
            slow.restore();
        }
    });

    it('replays entity calls from the provider’s rows, and says why the API’s history cannot', async () => {
        const id = await host.client.startNew('counting');
        expect((await host.waitForCompletion(id)).runtimeStatus).toBe('Completed');
        expect((await replay(await host.history(id), counting)).runtimeStatus).toBe('Completed');
        await expect(replay(await apiHistory(id), counting)).rejects.toThrow(/calls entities.*history rows/);
    });

    it('names the line of a step changed after a lock is released', async () => {
        const id = await host.client.startNew('section');
        expect((await host.waitForCompletion(id)).runtimeStatus).toBe('Completed');
        expect((await replay(await host.history(id), section)).runtimeStatus).toBe('Completed');
        const error = (await replay(await host.history(id), sectionChanged).catch((e: unknown) => e)) as Error;
        expect(error).toBeInstanceOf(NonDeterminismError);
        expect((error as NonDeterminismError).produced).toContain("'goodbye'");
        expect((error as NonDeterminismError).orchestratorLine).toMatch(
            new RegExp(`replay-cases\\.test\\.ts:${lineOf('// CHANGED AFTER RELEASE')}:\\d+$`),
        );
    });
});
