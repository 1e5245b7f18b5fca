/**
 * parallel_processing, as built into dist/, replayed on the devhost's Durable engine with the real SDK: the
 * fan-out is one episode scheduling every process_item at once; the fan-in is checked with completions
 * answered by the real handler, out of order and in several batches, and with hand-made failures and
 * malformed results for the rare branches.
 */
import { describe, expect, it } from 'vitest';
import { EventType, type TaskFailedEvent } from 'devhost/history';
import { shape } from 'devhost/testing';
import { loadBuiltApp } from '../../support/replay/built-app';
import { ReplayRun, scheduledEvents } from '../../support/replay/replay-run';

const app = loadBuiltApp();
const ORCHESTRATOR = 'parallel_processing';

const episode = (...middle: string[]) => ['OrchestratorStarted*', ...middle, 'OrchestratorCompleted*'];
const scheduledIds = (count: number) => Array.from({ length: count }, (_, id) => `TaskScheduled#${id}*`);

/** What the real process_item makes of a processable item. */
const processed = (index: number, item: unknown, label: string) => ({
    status: 'success',
    ok: true,
    index,
    item,
    result: `Processed ${label}`,
});

describe('parallel_processing replayed on the engine (built app)', () => {
    it('fans out three items in one episode and fans in with the real activity', async () => {
        const items = ['apple', 42, { sku: 'PEAR' }];
        const run = new ReplayRun(app);
        const first = await run.start(ORCHESTRATOR, { items });

        expect(first.instance.runtimeStatus).toBe('Running');
        expect(run.scheduled).toEqual(
            items.map((item, index) => ({ id: index, name: 'process_item', input: { index, item } })),
        );

        const status = await run.driveWithRealActivities();
        expect(status.runtimeStatus).toBe('Completed');
        expect(run.output()).toEqual({
            total: 3,
            successful: 3,
            failed: 0,
            results: [processed(0, 'apple', 'apple'), processed(1, 42, '42'), processed(2, { sku: 'PEAR' }, 'PEAR')],
        });
        expect(shape(run.history())).toEqual([
            ...episode('ExecutionStarted', ...scheduledIds(3)),
            ...episode('TaskCompleted(0)', 'TaskCompleted(1)', 'TaskCompleted(2)', 'ExecutionCompleted#3*'),
        ]);
        expect(scheduledEvents(run.history()).map((event) => [event.EventId, event.Name])).toEqual([
            [0, 'process_item'],
            [1, 'process_item'],
            [2, 'process_item'],
        ]);
    });

    it('completes in its first episode with a zero summary and no activity for an empty list', async () => {
        const run = new ReplayRun(app);
        const first = await run.start(ORCHESTRATOR, { items: [] });

        expect(first.instance.runtimeStatus).toBe('Completed');
        expect(run.output()).toEqual({ total: 0, successful: 0, failed: 0, results: [] });
        expect(first.outbound).toEqual([]);
        expect(run.scheduled).toEqual([]);
        expect(shape(run.history())).toEqual(episode('ExecutionStarted', 'ExecutionCompleted#0*'));
    });

    it('handles a single item', async () => {
        const run = new ReplayRun(app);
        await run.start(ORCHESTRATOR, { items: [{ name: 'Solo' }] });
        expect(run.scheduled).toEqual([{ id: 0, name: 'process_item', input: { index: 0, item: { name: 'Solo' } } }]);

        const status = await run.driveWithRealActivities();
        expect(status.runtimeStatus).toBe('Completed');
        expect(run.output()).toEqual({
            total: 1,
            successful: 1,
            failed: 0,
            results: [processed(0, { name: 'Solo' }, 'Solo')],
        });
        expect(shape(run.history())).toEqual([
            ...episode('ExecutionStarted', 'TaskScheduled#0*'),
            ...episode('TaskCompleted(0)', 'ExecutionCompleted#1*'),
        ]);
    });

    it('counts items the real activity cannot process as failed, without failing the instance', async () => {
        const items = ['ok', null, '   ', { id: 'X-1' }, {}];
        const run = new ReplayRun(app);
        await run.start(ORCHESTRATOR, { items });
        const status = await run.driveWithRealActivities();

        expect(status.runtimeStatus).toBe('Completed');
        expect(run.output()).toEqual({
            total: 5,
            successful: 2,
            failed: 3,
            results: [
                processed(0, 'ok', 'ok'),
                { status: 'failed', ok: false, index: 1, item: null, error: 'Item of type null cannot be processed' },
                { status: 'failed', ok: false, index: 2, item: '   ', error: 'Item is a blank string' },
                processed(3, { id: 'X-1' }, 'X-1'),
                { status: 'failed', ok: false, index: 4, item: {}, error: 'Item object has no id, sku or name' },
            ],
        });
        expect(run.scheduled.map((activity) => activity.input)).toEqual(items.map((item, index) => ({ index, item })));
    });

    it('fans in completions that arrive out of order and in several batches, keeping input order', async () => {
        const items = ['a', 'b', 'c', 'd'];
        const run = new ReplayRun(app);
        await run.start(ORCHESTRATOR, { items });

        await run.runReal(3);
        const afterOne = await run.episode();
        expect(afterOne.instance.runtimeStatus).toBe('Running');
        expect(afterOne.outbound).toEqual([]);

        await run.runReal(1);
        await run.runReal(0);
        const afterThree = await run.episode();
        expect(afterThree.instance.runtimeStatus).toBe('Running');
        expect(afterThree.outbound).toEqual([]);

        await run.runReal(2);
        const last = await run.episode();
        expect(last.instance.runtimeStatus).toBe('Completed');
        expect(run.output()).toEqual({
            total: 4,
            successful: 4,
            failed: 0,
            results: items.map((item, index) => processed(index, item, item)),
        });
        // Each batch is one episode; the completions sit in history in arrival order; nothing is rescheduled.
        expect(shape(run.history())).toEqual([
            ...episode('ExecutionStarted', ...scheduledIds(4)),
            ...episode('TaskCompleted(3)'),
            ...episode('TaskCompleted(1)', 'TaskCompleted(0)'),
            ...episode('TaskCompleted(2)', 'ExecutionCompleted#4*'),
        ]);
        expect(run.scheduled).toHaveLength(4);
    });

    it('fails the instance on a process_item failure, once the other items have finished', async () => {
        const run = new ReplayRun(app);
        await run.start(ORCHESTRATOR, { items: ['a', 'b', 'c'] });

        run.fail(1, 'item service down');
        const afterFailure = await run.episode();
        // Task.all is awaited child by child on the extension side: the siblings are still open tasks.
        expect(afterFailure.instance.runtimeStatus).toBe('Running');
        expect(afterFailure.outbound).toEqual([]);

        await run.runReal(2);
        await run.runReal(0);
        const last = await run.episode();

        const failed = run
            .history()
            .find((event): event is TaskFailedEvent => event.EventType === EventType.TaskFailed);
        expect(failed).toMatchObject({
            TaskScheduledId: 1,
            Reason: "Activity function 'process_item' failed:  item service down",
        });
        expect(last.instance.runtimeStatus).toBe('Failed');
        expect(last.instance.output).toBe(
            `Orchestrator function 'parallel_processing' failed: ${failed?.Reason ?? ''} \n ${failed?.Details ?? ''}`,
        );
        expect(run.scheduled).toHaveLength(3);
        expect(shape(run.history())).toEqual([
            ...episode('ExecutionStarted', ...scheduledIds(3)),
            ...episode('TaskFailed(1)'),
            ...episode('TaskCompleted(2)', 'TaskCompleted(0)', 'ExecutionCompleted#3*'),
        ]);
    });

    it('fails the instance when a process_item result is malformed', async () => {
        const run = new ReplayRun(app);
        await run.start(ORCHESTRATOR, { items: ['a', 'b'] });
        await run.runReal(0);
        run.complete(1, { ok: 'maybe', index: 1, item: 'b' });
        const last = await run.episode();

        expect(last.instance.runtimeStatus).toBe('Failed');
        expect(last.instance.output).toMatch(
            /^Orchestrator function 'parallel_processing' failed: parallel_processing: invalid process_item results: \[1\]\.ok: /,
        );
        expect(shape(run.history()).slice(-5)).toEqual(
            episode('TaskCompleted(0)', 'TaskCompleted(1)', 'ExecutionCompleted#2*'),
        );
    });

    it.each([
        { why: 'no input', input: null, field: '(root)' },
        { why: 'items that are not an array', input: { items: 'abc' }, field: 'items' },
        { why: 'a missing items list', input: { things: [1] }, field: 'items' },
    ])('fails in its first episode, scheduling nothing, on bad input: $why', async ({ input, field }) => {
        const run = new ReplayRun(app);
        const first = await run.start(ORCHESTRATOR, input);

        expect(first.instance.runtimeStatus).toBe('Failed');
        expect(first.instance.output).toMatch(
            /^Orchestrator function 'parallel_processing' failed: parallel_processing: invalid input: /,
        );
        expect(first.instance.output).toContain(`${field}: `);
        expect(first.outbound).toEqual([]);
        expect(run.scheduled).toEqual([]);
        expect(shape(run.history())).toEqual(episode('ExecutionStarted', 'ExecutionCompleted#0*'));
    });
});
