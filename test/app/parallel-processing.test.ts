import { describe, expect, it } from 'vitest';
import { parallelProcessing } from '../../src/workflows/parallel-processing';
import { expectFanOut, expectResult, OrchestratorRun } from './support/fake-orchestration';

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
            { ok: true, index: 0, item: 'alpha', result: 'Processed alpha' },
            { ok: true, index: 1, item: { sku: 'B-2' }, result: 'Processed B-2' },
            { ok: false, index: 2, item: null, error: 'Item of type null cannot be processed' },
        ];
        expect(expectResult(run.resolve(results))).toEqual({ total: 3, successful: 2, failed: 1, results });
        expect(run.unyieldedActivities()).toEqual([]);
    });

    it('reports all items failed when none can be processed', () => {
        const run = new OrchestratorRun(parallelProcessing, { items: [false, ''] });
        expectFanOut(run.start());
        const results = [
            { ok: false, index: 0, item: false, error: 'x' },
            { ok: false, index: 1, item: '', error: 'y' },
        ];
        expect(expectResult(run.resolve(results))).toMatchObject({ total: 2, successful: 0, failed: 2 });
    });

    it('completes at once with a zero summary for an empty list, without yielding Task.all', () => {
        const run = new OrchestratorRun(parallelProcessing, { items: [] });
        expect(expectResult(run.start())).toEqual({ total: 0, successful: 0, failed: 0, results: [] });
        expect(run.created).toEqual([]);
    });

    it('fails when one process_item throws', () => {
        const run = new OrchestratorRun(parallelProcessing, { items: ['a', 'b'] });
        expectFanOut(run.start());
        const failure = new Error('process_item crashed');
        expect(() => run.fail(failure)).toThrow(failure);
    });

    it('fails when Task.all returns fewer results than it was given tasks', () => {
        const run = new OrchestratorRun(parallelProcessing, { items: ['a', 'b'] });
        expectFanOut(run.start());
        expect(() => run.resolve([{ ok: true, index: 0, item: 'a', result: 'Processed a' }])).toThrow(
            /process_item results/,
        );
    });

    it('fails for input without an items list', () => {
        expect(() => new OrchestratorRun(parallelProcessing, null).start()).toThrow(
            /parallel_processing: invalid input/,
        );
        expect(() => new OrchestratorRun(parallelProcessing, { items: 'abc' }).start()).toThrow(/items/);
    });
});
