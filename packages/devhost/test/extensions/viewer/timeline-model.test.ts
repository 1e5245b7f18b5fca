/** The viewer's timeline model: spans from raw history events, retries, in-flight tasks, and fan-out lanes. */
import { describe, expect, it } from 'vitest';
import { buildTimeline, summariseGroup } from '../../../src/extensions/viewer/static/timeline-model.js';

const t = (ms: number): string => new Date(Date.UTC(2026, 0, 1, 0, 0, 0, ms)).toISOString();
const at = (ms: number): number => Date.parse(t(ms));

describe('buildTimeline', () => {
    it('pairs scheduled and completed events, numbers retries, and runs in-flight tasks to now', () => {
        const input = JSON.stringify({ n: 1 });
        const history = [
            { EventType: 'ExecutionStarted', EventId: -1, Name: 'flow', Timestamp: t(0) },
            { EventType: 'TaskScheduled', EventId: 0, Name: 'charge', Input: input, Timestamp: t(10) },
            {
                EventType: 'TaskFailed',
                EventId: -1,
                TaskScheduledId: 0,
                FailureDetails: { ErrorType: 'Error', ErrorMessage: 'card declined' },
                Timestamp: t(30),
            },
            { EventType: 'TimerCreated', EventId: 1, FireAt: t(130), Timestamp: t(30) },
            { EventType: 'TimerFired', EventId: -1, TimerId: 1, FireAt: t(130), Timestamp: t(131) },
            { EventType: 'TaskScheduled', EventId: 2, Name: 'charge', Input: input, Timestamp: t(140) },
            { EventType: 'TaskCompleted', EventId: -1, TaskScheduledId: 2, Result: '"ok"', Timestamp: t(160) },
            { EventType: 'EventRaised', EventId: -1, Name: 'Approval', Timestamp: t(170) },
            {
                EventType: 'SubOrchestrationInstanceCreated',
                EventId: 3,
                Name: 'child',
                InstanceId: 'c1',
                Timestamp: t(180),
            },
        ];
        const model = buildTimeline(history, at(500));
        expect(model.orchestration).toMatchObject({ name: 'flow', start: at(0), end: at(500), pending: true });
        expect(model.items.map((item) => [item.kind, item.name, item.attempt, item.failed, item.pending])).toEqual([
            ['activity', 'charge', 1, true, false],
            ['timer', 'timer', undefined, false, false],
            ['activity', 'charge', 2, false, false],
            ['event', 'Approval', undefined, false, false],
            ['suborchestration', 'child', 1, false, true],
        ]);
        expect(model.items[0]).toMatchObject({ start: at(10), end: at(30), reason: 'Error: card declined' });
        expect(model.items[4]).toMatchObject({ instanceId: 'c1', end: at(500) });
        expect([model.start, model.end]).toEqual([at(0), at(500)]);
    });

    it('marks a failed execution', () => {
        const model = buildTimeline(
            [
                { EventType: 'ExecutionStarted', EventId: -1, Name: 'flow', Timestamp: t(0) },
                { EventType: 'ExecutionCompleted', EventId: 1, OrchestrationStatus: 3, Timestamp: t(50) },
            ],
            at(1000),
        );
        expect(model.orchestration).toMatchObject({ failed: true, pending: false, end: at(50) });
    });
});

describe('summariseGroup', () => {
    it('counts tasks in flight per bucket and names the slowest', () => {
        const items = Array.from({ length: 100 }, (_, i) => ({
            kind: 'activity' as const,
            name: 'work',
            id: i,
            start: 0,
            end: i === 42 ? 1000 : 100,
            pending: false,
            failed: i === 7,
        }));
        const summary = summariseGroup(items, 0, 1000, 10);
        expect(summary.inFlight[0]).toBe(100);
        expect(summary.inFlight[5]).toBe(1);
        expect(summary.peak).toBe(100);
        expect(summary).toMatchObject({ count: 100, failed: 1, pending: 0, p50: 100, max: 1000 });
        expect(summary.slowest[0]?.id).toBe(42);
    });
});
