import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { EventType } from 'devhost/history';
import { createTestHost, type ActivityStub, type TestHost } from 'devhost/testing';
import { parallelProcessing } from '../../src/orchestrators/parallel-processing';
import { expectFanOut, expectResult, OrchestratorRun } from '../support/app/fake-orchestration';
import { repoRoot, runToEnd, scheduled } from '../support/app/order-test-host';

/**
 * parallel_processing and its batch sub-orchestration on the real Durable engine with the task hub in memory and
 * virtual time (devhost/testing). process_item is the app's own activity (pure: no service, no storage) unless a
 * test replaces it to make it fail.
 */
const success = (index: number, item: unknown) => ({
    status: 'success',
    ok: true,
    index,
    item,
    result: `Processed ${String(item)}`,
});

let host: TestHost;
const stubs: ActivityStub[] = [];

beforeAll(async () => {
    host = await createTestHost({ appDir: repoRoot });
}, 60_000);

afterEach(() => {
    stubs.splice(0).forEach((stub) => stub.restore());
});

afterAll(async () => {
    await host?.close();
});

/** process_item answering `answer` for this test only. */
function stubProcessItem(answer: (input: { index: number; item: unknown }) => unknown): ActivityStub {
    const stub = host.stubActivity('process_item', (input) => answer(input as { index: number; item: unknown }));
    stubs.push(stub);
    return stub;
}

describe('parallel_processing', () => {
    it('schedules one process_item per item at once (one Task.all) and counts the outcomes in input order', async () => {
        const { status, history } = await runToEnd(host, 'parallel_processing', {
            items: ['alpha', { sku: 'B-2' }, null],
        });

        expect(scheduled(history)).toEqual(['process_item', 'process_item', 'process_item']);
        // All three were scheduled before the first one came back: a fan-out, not a sequence.
        const firstResult = history.findIndex((event) => event.EventType === EventType.TaskCompleted);
        const lastScheduled = history.findLastIndex((event) => event.EventType === EventType.TaskScheduled);
        expect(lastScheduled).toBeLessThan(firstResult);

        const results = [
            { status: 'success', ok: true, index: 0, item: 'alpha', result: 'Processed alpha' },
            { status: 'success', ok: true, index: 1, item: { sku: 'B-2' }, result: 'Processed B-2' },
            { status: 'failed', ok: false, index: 2, item: null, error: 'Item of type null cannot be processed' },
        ];
        expect(status.output).toEqual({ total: 3, successful: 2, failed: 1, results });
        expect(status.customStatus).toEqual({ processed: 3, total: 3 });
    });

    it('runs a list longer than 250 items as parallel_processing_batch sub-orchestrations of at most 250, results in input order', async () => {
        const items = Array.from({ length: 251 }, (_, i) => `i${i}`);
        const { status, history } = await runToEnd(host, 'parallel_processing', { items });

        // The parent schedules no activity itself: two batches, both started in its first episode.
        expect(scheduled(history)).toEqual([]);
        const batches = history.flatMap((event) =>
            event.EventType === EventType.SubOrchestrationInstanceCreated ? [event] : [],
        );
        expect(batches.map((batch) => batch.Name)).toEqual(['parallel_processing_batch', 'parallel_processing_batch']);
        const inputs = await Promise.all(
            batches.map(async (batch) => (await host.client.getStatus(batch.InstanceId, { showInput: true })).input),
        );
        expect(inputs).toEqual([
            { offset: 0, items: items.slice(0, 250) },
            { offset: 250, items: ['i250'] },
        ]);

        const summary = status.output as { total: number; successful: number; results: { index: number }[] };
        expect(summary).toMatchObject({ total: 251, successful: 251, failed: 0 });
        expect(summary.results.map((result) => result.index)).toEqual(items.map((_, i) => i));
        expect(status.customStatus).toEqual({ processed: 251, total: 251 });
    });

    it('completes at once with a zero summary for an empty list, scheduling nothing', async () => {
        const { status, history } = await runToEnd(host, 'parallel_processing', { items: [] });
        expect(status.runtimeStatus).toBe('Completed');
        expect(status.output).toEqual({ total: 0, successful: 0, failed: 0, results: [] });
        expect(scheduled(history)).toEqual([]);
    });

    it('fails the instance when one process_item throws', async () => {
        stubProcessItem(({ index, item }) => {
            if (index === 1) throw new Error('process_item crashed');
            return success(index, item);
        });
        const { status } = await runToEnd(host, 'parallel_processing', { items: ['a', 'b'] });
        expect(status.runtimeStatus).toBe('Failed');
        expect(status.output).toEqual(expect.stringContaining('process_item crashed'));
    });

    it('fails the instance when a process_item result has the wrong shape', async () => {
        stubProcessItem(({ index }) => ({ status: 'done', index }));
        const { status } = await runToEnd(host, 'parallel_processing', { items: ['a', 'b'] });
        expect(status.runtimeStatus).toBe('Failed');
        expect(status.output).toMatch(/parallel_processing: invalid process_item results/);
    });

    it.each([
        ['no input', null, /parallel_processing: invalid input/],
        ['items that are not a list', { items: 'abc' }, /parallel_processing: invalid input: items/],
        ['more than 10,000 items', { items: Array<number>(10_001).fill(1) }, /more than 10000/],
    ])('fails the instance for %s, scheduling nothing', async (_, input, message) => {
        const { status, history } = await runToEnd(host, 'parallel_processing', input);
        expect(status.runtimeStatus).toBe('Failed');
        expect(status.output).toMatch(message);
        expect(scheduled(history)).toEqual([]);
    });
});

describe('parallel_processing_batch', () => {
    it('fans out its items with their indexes in the whole list', async () => {
        const { status, history } = await runToEnd(host, 'parallel_processing_batch', {
            offset: 500,
            items: ['x', 'y'],
        });
        expect(scheduled(history)).toEqual(['process_item', 'process_item']);
        expect(status.output).toEqual([success(500, 'x'), success(501, 'y')]);
    });

    it('refuses a batch larger than 250 items', async () => {
        const { status, history } = await runToEnd(host, 'parallel_processing_batch', {
            offset: 0,
            items: Array<string>(251).fill('a'),
        });
        expect(status.runtimeStatus).toBe('Failed');
        expect(status.output).toMatch(/parallel_processing_batch: invalid input/);
        expect(scheduled(history)).toEqual([]);
    });
});

/**
 * What the engine cannot show cheaply or at all, with the fake context:
 * - waves of 4 batches need more than 1,000 items, about 6 s of wall time on the engine (each batch fans 250
 *   completions in over some 50 episodes); the host test above shows the batching with 251 items;
 * - the custom status between waves is overwritten by the next checkpoint (nothing in history records it);
 * - a Task.all that answers short never happens on the engine: the length check guards the parse.
 */
describe('parallel_processing, generator-level (fake context)', () => {
    it('runs more than 1,000 items 4 batches at a time, reporting progress after each wave', () => {
        const items = Array.from({ length: 1_001 }, (_, i) => `i${i}`);
        const run = new OrchestratorRun(parallelProcessing, { items });

        const firstWave = expectFanOut(run.start());
        expect(firstWave.map((batch) => batch.name)).toEqual(Array(4).fill('parallel_processing_batch'));
        expect(firstWave.map((batch) => (batch.input as { offset: number }).offset)).toEqual([0, 250, 500, 750]);
        expect(run.customStatuses).toEqual([{ processed: 0, total: 1001 }]);

        const answer = (batches: { input: unknown }[]) =>
            batches.map((batch) => {
                const { offset, items: part } = batch.input as { offset: number; items: string[] };
                return part.map((item, i) => success(offset + i, item));
            });
        const secondWave = expectFanOut(run.resolve(answer(firstWave)));
        expect(secondWave).toEqual([{ name: 'parallel_processing_batch', input: { offset: 1000, items: ['i1000'] } }]);
        expect(run.customStatuses.at(-1)).toEqual({ processed: 1000, total: 1001 });

        const summary = expectResult(run.resolve(answer(secondWave)));
        expect(summary.results.map((result) => result.index)).toEqual(items.map((_, i) => i));
        expect(run.customStatuses.at(-1)).toEqual({ processed: 1001, total: 1001 });
    });

    it('reports progress 0 before the fan-out and all items after it', () => {
        const run = new OrchestratorRun(parallelProcessing, { items: ['a', 'b', 'c'] });
        run.start();
        run.resolve([success(0, 'a'), success(1, 'b'), success(2, 'c')]);
        expect(run.customStatuses).toEqual([
            { processed: 0, total: 3 },
            { processed: 3, total: 3 },
        ]);
    });

    it('fails when Task.all answers with fewer results than items', () => {
        const short = new OrchestratorRun(parallelProcessing, { items: ['a', 'b'] });
        expectFanOut(short.start());
        expect(() => short.resolve([success(0, 'a')])).toThrow(/process_item results/);
    });
});
