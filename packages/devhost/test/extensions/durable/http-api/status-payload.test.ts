import { describe, expect, it } from 'vitest';
import {
    historyEvents,
    jsonOrText,
    sortableUtc,
    statusPayload,
} from '../../../../src/extensions/durable/http-api/status-payload';
import { EventType, RuntimeStatus, type HistoryEvent } from '../../../../src/shared/history';
import { instanceRecord } from '../../../support/task-hub/instance-record';

const t = (s: number): string => `2024-01-01T00:00:${String(s).padStart(2, '0')}.0000000Z`;

const history: HistoryEvent[] = [
    { EventType: EventType.OrchestratorStarted, EventId: -1, IsPlayed: true, Timestamp: t(0) },
    {
        EventType: EventType.ExecutionStarted,
        EventId: -1,
        IsPlayed: true,
        Timestamp: t(0),
        OrchestrationInstance: { InstanceId: 'i', ExecutionId: 'e' },
        ParentInstance: null,
        Name: 'hello',
        Version: '',
        Input: '"World"',
        Tags: null,
        Correlation: null,
        ScheduledStartTime: null,
        Generation: 0,
    },
    {
        EventType: EventType.TaskScheduled,
        EventId: 0,
        IsPlayed: false,
        Timestamp: t(1),
        Name: 'sayHello',
        Version: null,
        Input: '["\\"World\\""]',
    },
    { EventType: EventType.OrchestratorCompleted, EventId: -1, IsPlayed: false, Timestamp: t(1) },
    { EventType: EventType.OrchestratorStarted, EventId: -1, IsPlayed: false, Timestamp: t(2) },
    {
        EventType: EventType.TaskCompleted,
        EventId: -1,
        IsPlayed: false,
        Timestamp: t(2),
        TaskScheduledId: 0,
        Result: '"Hello, World!"',
    },
    { EventType: EventType.TimerFired, EventId: -1, IsPlayed: false, Timestamp: t(3), TimerId: 1, FireAt: t(3) },
    {
        EventType: EventType.ExecutionCompleted,
        EventId: 2,
        IsPlayed: false,
        Timestamp: t(4),
        OrchestrationStatus: RuntimeStatus.Completed,
        Result: '"Hello, World!"',
        FailureDetails: null,
    },
];

describe('status payload', () => {
    const record = instanceRecord('i', {
        executionId: 'e',
        name: 'hello',
        version: '',
        input: '{"a":1}',
        output: "Orchestrator function 'hello' failed: boom",
        runtimeStatus: 'Failed',
        createdTime: new Date('2024-01-01T00:00:00.123Z'),
        lastUpdatedTime: new Date('2024-01-01T00:00:05.999Z'),
    });

    it('has the extension shape: camelCase, JSON where the text parses, seconds-precision times', () => {
        expect(statusPayload(record, { showInput: true, showHistoryOutput: false })).toEqual({
            name: 'hello',
            instanceId: 'i',
            runtimeStatus: 'Failed',
            input: { a: 1 },
            customStatus: null,
            output: "Orchestrator function 'hello' failed: boom",
            createdTime: '2024-01-01T00:00:00Z',
            lastUpdatedTime: '2024-01-01T00:00:05Z',
        });
        expect(statusPayload(record, { showInput: false, showHistoryOutput: false }).input).toBeNull();
    });

    it('converts history as DurableClient does', () => {
        const rows = historyEvents(history, { showInput: true, showHistoryOutput: true });
        expect(rows.map((r) => r.EventType)).toEqual([
            'ExecutionStarted',
            'TaskCompleted',
            'TimerFired',
            'ExecutionCompleted',
        ]);
        expect(rows[0]).toEqual({
            EventType: 'ExecutionStarted',
            Timestamp: t(0),
            FunctionName: 'hello',
            Input: 'World',
            Correlation: null,
            ScheduledStartTime: null,
            Generation: 0,
        });
        expect(rows[1]).toEqual({
            EventType: 'TaskCompleted',
            Timestamp: t(2),
            FunctionName: 'sayHello',
            ScheduledTime: t(1),
            Input: ['"World"'],
            Result: 'Hello, World!',
        });
        expect(rows[2]).toEqual({ EventType: 'TimerFired', Timestamp: t(3), FireAt: t(3) });
        expect(rows[3]).toMatchObject({
            EventType: 'ExecutionCompleted',
            OrchestrationStatus: 'Completed',
            Result: 'Hello, World!',
        });
    });

    it('keeps a scheduled activity no completion answered yet, as DurableClient does (only folded ones go)', () => {
        const inFlight: HistoryEvent[] = [
            ...history.slice(0, 2),
            {
                EventType: EventType.TaskScheduled,
                EventId: 1,
                IsPlayed: false,
                Timestamp: t(1),
                Name: 'sayGoodbye',
                Version: null,
                Input: null,
            },
        ];
        const rows = historyEvents(inFlight, { showInput: true, showHistoryOutput: true });
        expect(rows.map((r) => r.EventType)).toEqual(['ExecutionStarted', 'TaskScheduled']);
        expect(rows[1]).toEqual({ EventType: 'TaskScheduled', Timestamp: t(1), Name: 'sayGoodbye', Input: null });
    });

    it('drops results without showHistoryOutput and inputs without showInput', () => {
        const rows = historyEvents(history, { showInput: false, showHistoryOutput: false });
        for (const row of rows) {
            expect(row).not.toHaveProperty('Result');
            expect(row).not.toHaveProperty('Input');
            expect(row).not.toHaveProperty('EventId');
            expect(row).not.toHaveProperty('IsPlayed');
            expect(row).not.toHaveProperty('TaskScheduledId');
        }
    });

    it('helpers', () => {
        expect(jsonOrText('not json')).toBe('not json');
        expect(jsonOrText('[1]')).toEqual([1]);
        expect(jsonOrText(null)).toBeNull();
        expect(sortableUtc(new Date('2024-05-06T07:08:09.999Z'))).toBe('2024-05-06T07:08:09Z');
    });
});
