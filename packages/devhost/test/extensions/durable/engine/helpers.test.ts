import { describe, expect, it } from 'vitest';
import {
    activityInput,
    formatTimeSpan,
    parseTimeSpan,
    taskCompleted,
    taskFailed,
} from '../../../../src/extensions/durable/engine';
import { EventType, type TaskScheduledEvent } from '../../../../src/shared/history';

function scheduled(input: string | null): TaskScheduledEvent {
    return {
        EventType: EventType.TaskScheduled,
        EventId: 0,
        IsPlayed: false,
        Timestamp: '2024-01-01T00:00:00.0000000Z',
        Name: 'A',
        Version: '',
        Input: input,
    };
}

describe('engine helpers', () => {
    it('parses .NET TimeSpan text and rejects anything else', () => {
        expect(parseTimeSpan('6.00:00:00')).toBe(6 * 86_400_000);
        expect(parseTimeSpan('3.00:00:00')).toBe(3 * 86_400_000);
        expect(parseTimeSpan('00:00:30')).toBe(30_000);
        expect(parseTimeSpan('01:02:03.5')).toBe(3_723_500);
        expect(parseTimeSpan('-00:00:01')).toBe(-1000);
        expect(() => parseTimeSpan('6 days')).toThrow(/TimeSpan/);
        expect(() => parseTimeSpan('00:61:00')).toThrow(/out of range/);
        expect(parseTimeSpan(formatTimeSpan(parseTimeSpan('1.02:03:04.005')))).toBe(parseTimeSpan('1.02:03:04.005'));
    });

    it('gives an activity the value the orchestrator passed', () => {
        expect(activityInput(scheduled(JSON.stringify([JSON.stringify('Tokyo')])))).toBe('Tokyo');
        expect(activityInput(scheduled('[{"a":1}]'))).toEqual({ a: 1 });
        expect(activityInput(scheduled('[0]'))).toBe(0);
        expect(activityInput(scheduled('[null]'))).toBeNull();
        expect(activityInput(scheduled(null))).toBeUndefined();
    });

    it('builds completion and failure events as the extension writes them', () => {
        const now = new Date('2024-01-01T00:00:01.000Z');
        expect(taskCompleted(3, { ok: true }, now)).toMatchObject({
            EventType: EventType.TaskCompleted,
            EventId: -1,
            TaskScheduledId: 3,
            Result: '{"ok":true}',
            Timestamp: '2024-01-01T00:00:01.0000000Z',
        });
        expect(taskCompleted(3, undefined, now).Result).toBeNull();
        const failed = taskFailed(
            4,
            'Charge',
            { message: 'card declined', stack: 'Error: card declined\n    at charge' },
            now,
        );
        expect(failed.Reason).toBe("Activity function 'Charge' failed:  card declined");
        expect(JSON.parse(failed.Details ?? '{}')).toMatchObject({
            RemoteMessage: 'card declined',
            RemoteStackTrace: 'Error: card declined\n    at charge',
        });
    });
});
