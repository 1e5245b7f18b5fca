import { describe, expect, it } from 'vitest';
import { parallelProcessing } from '../../src/orchestrators/parallel-processing';
import { parallelProcessingBatch } from '../../src/orchestrators/parallel-processing-batch';
import { expectFanOut, expectResult, OrchestratorRun } from '../support/app/fake-orchestration';

const success = (index: number, item: unknown) => ({
    status: 'success',
    ok: true,
    index,
    item,
    result: `Processed ${String(item)}`,
});

describe('parallel_processing', () => {
    it('schedules one process_item per item in a single Task.all and counts the outcomes', () => {
        const items = ['alpha', { sku: 'B-2' }, null];
        const run = new OrchestratorRun(parallelProcessing, { items });

        const fanOut = expectFanOut(run.start());
        expect(fanOut).toEqual([
            { name: 'process_item', input: { index: 0, item: 'alpha' } },
            { name: 'process_item', input: { index: 1, item: { sku: 'B-2' } } },
            { name: 'process_item', input: { index: 2, item: null } },
        ]);

        const results = [
            { status: 'success', ok: true, index: 0, item: 'alpha', result: 'Processed alpha' },
            { status: 'success', ok: true, index: 1, item: { sku: 'B-2' }, result: 'Processed B-2' },
            { status: 'failed', ok: false, index: 2, item: null, error: 'Item of type null cannot be processed' },
        ];
        expect(expectResult(run.resolve(results))).toEqual({ total: 3, successful: 2, failed: 1, results });
        expect(run.customStatuses).toEqual([
            { processed: 0, total: 3 },
            { processed: 3, total: 3 },
        ]);
        expect(run.unyieldedActivities()).toEqual([]);
    });

    it('runs a long list as sub-orchestrations of at most 250 items, 4 at a time, results in input order', () => {
        const items = Array.from({ length: 1_001 }, (_, i) => `i${i}`);
        const run = new OrchestratorRun(parallelProcessing, { items });

        const firstWave = expectFanOut(run.start());
        expect(firstWave.map((batch) => batch.name)).toEqual(Array(4).fill('parallel_processing_batch'));
        expect(firstWave.map((batch) => (batch.input as { offset: number }).offset)).toEqual([0, 250, 500, 750]);
        expect(firstWave.every((batch) => (batch.input as { items: unknown[] }).items.length === 250)).toBe(true);

        const answer = (batches: { input: unknown }[]) =>
            batches.map((batch) => {
                const { offset, items: part } = batch.input as { offset: number; items: string[] };
                return part.map((item, i) => success(offset + i, item));
            });
        const secondWave = expectFanOut(run.resolve(answer(firstWave)));
        expect(secondWave).toEqual([{ name: 'parallel_processing_batch', input: { offset: 1000, items: ['i1000'] } }]);
        expect(run.customStatuses.at(-1)).toEqual({ processed: 1000, total: 1001 });

        const summary = expectResult(run.resolve(answer(secondWave)));
        expect(summary).toMatchObject({ total: 1001, successful: 1001, failed: 0 });
        expect(summary.results.map((result) => result.index)).toEqual(items.map((_, i) => i));
        expect(run.customStatuses.at(-1)).toEqual({ processed: 1001, total: 1001 });
        expect(run.unyieldedActivities()).toEqual([]);
    });

    it('completes at once with a zero summary for an empty list, without yielding Task.all', () => {
        const run = new OrchestratorRun(parallelProcessing, { items: [] });
        expect(expectResult(run.start())).toEqual({ total: 0, successful: 0, failed: 0, results: [] });
        expect(run.created).toEqual([]);
    });

    it('fails when one process_item throws, or Task.all answers short', () => {
        const run = new OrchestratorRun(parallelProcessing, { items: ['a', 'b'] });
        expectFanOut(run.start());
        const failure = new Error('process_item crashed');
        expect(() => run.fail(failure)).toThrow(failure);

        const short = new OrchestratorRun(parallelProcessing, { items: ['a', 'b'] });
        expectFanOut(short.start());
        expect(() => short.resolve([success(0, 'a')])).toThrow(/process_item results/);
    });

    it('fails for input without an items list, or with more than 10,000 items', () => {
        expect(() => new OrchestratorRun(parallelProcessing, null).start()).toThrow(
            /parallel_processing: invalid input/,
        );
        expect(() => new OrchestratorRun(parallelProcessing, { items: 'abc' }).start()).toThrow(/items/);
        expect(() => new OrchestratorRun(parallelProcessing, { items: Array(10_001).fill(1) }).start()).toThrow(
            /more than 10000/,
        );
    });
});

describe('parallel_processing_batch', () => {
    it('fans out its items with their indexes in the whole list', () => {
        const run = new OrchestratorRun(parallelProcessingBatch, { offset: 500, items: ['x', 'y'] });
        expect(expectFanOut(run.start())).toEqual([
            { name: 'process_item', input: { index: 500, item: 'x' } },
            { name: 'process_item', input: { index: 501, item: 'y' } },
        ]);
        expect(expectResult(run.resolve([success(500, 'x'), success(501, 'y')]))).toHaveLength(2);
    });

    it('refuses a batch larger than 250 items', () => {
        expect(() =>
            new OrchestratorRun(parallelProcessingBatch, { offset: 0, items: Array(251).fill('a') }).start(),
        ).toThrow(/parallel_processing_batch: invalid input/);
    });
});
