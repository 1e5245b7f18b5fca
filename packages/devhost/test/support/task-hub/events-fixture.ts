/** One history event of every type, with every member set, for round-trip tests. */
import { dtfxTimestamp, EventType, RuntimeStatus, type HistoryEvent } from '../../../src/shared/history';

const at = (ms: number): string => dtfxTimestamp(new Date(Date.UTC(2024, 0, 2, 3, 4, 5) + ms));

export function everyEventType(instanceId: string, executionId: string): HistoryEvent[] {
    const base = <T extends EventType>(type: T, i: number) => ({
        EventType: type,
        EventId: i,
        IsPlayed: i % 2 === 0,
        Timestamp: at(i),
    });
    const failure = {
        ErrorType: 'Error',
        ErrorMessage: 'boom',
        StackTrace: 'at x',
        InnerFailure: {
            ErrorType: 'TypeError',
            ErrorMessage: 'inner',
            StackTrace: null,
            InnerFailure: null,
            IsNonRetriable: true,
        },
        IsNonRetriable: false,
    };
    return [
        {
            ...base(EventType.ExecutionStarted, -1),
            OrchestrationInstance: { InstanceId: instanceId, ExecutionId: executionId },
            ParentInstance: {
                Name: 'parent',
                Version: '',
                TaskScheduleId: 3,
                OrchestrationInstance: { InstanceId: 'p', ExecutionId: 'pe' },
            },
            Name: 'orchestrator',
            Version: '1.0',
            Input: '{"order":1}',
            Tags: { team: 'orders' },
            Correlation: 'corr',
            ScheduledStartTime: '2024-01-02T03:04:05.1234567Z',
            Generation: 2,
        },
        {
            ...base(EventType.ExecutionCompleted, 1),
            OrchestrationStatus: RuntimeStatus.Failed,
            Result: '"out"',
            FailureDetails: failure,
        },
        { ...base(EventType.ExecutionFailed, 2) },
        { ...base(EventType.ExecutionTerminated, 3), Input: '"reason"' },
        { ...base(EventType.TaskScheduled, 4), Name: 'charge', Version: null, Input: null },
        { ...base(EventType.TaskCompleted, -1), TaskScheduledId: 4, Result: '{"ok":true}' },
        {
            ...base(EventType.TaskFailed, -1),
            TaskScheduledId: 4,
            Reason: 'Activity failed',
            Details: 'details',
            FailureDetails: null,
        },
        {
            ...base(EventType.SubOrchestrationInstanceCreated, 7),
            Name: 'sub',
            Version: '',
            InstanceId: 'sub-1',
            Input: '[1,2]',
        },
        { ...base(EventType.SubOrchestrationInstanceCompleted, -1), TaskScheduledId: 7, Result: 'null' },
        {
            ...base(EventType.SubOrchestrationInstanceFailed, -1),
            TaskScheduledId: 7,
            Reason: 'r',
            Details: null,
            FailureDetails: failure,
        },
        { ...base(EventType.TimerCreated, 10), FireAt: '2024-02-01T00:00:00.0000000Z' },
        { ...base(EventType.TimerFired, -1), TimerId: 10, FireAt: '2024-02-01T00:00:00.0000000Z' },
        { ...base(EventType.OrchestratorStarted, -1) },
        { ...base(EventType.OrchestratorCompleted, -1) },
        { ...base(EventType.EventSent, 14), InstanceId: 'other', Name: 'ping', Input: '"hi"' },
        { ...base(EventType.EventRaised, -1), Name: 'approval', Input: 'true' },
        {
            ...base(EventType.ContinueAsNew, 16),
            OrchestrationStatus: RuntimeStatus.ContinuedAsNew,
            Result: '{"next":2}',
            FailureDetails: null,
        },
        { ...base(EventType.GenericEvent, 17), Data: 'generic data' },
        { ...base(EventType.HistoryState, 18) },
        { ...base(EventType.ExecutionSuspended, -1), Reason: 'pause' },
        { ...base(EventType.ExecutionResumed, -1), Reason: null },
        { ...base(EventType.ExecutionRewound, -1), Reason: 'rewind' },
    ];
}
