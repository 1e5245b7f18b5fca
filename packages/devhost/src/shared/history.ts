/**
 * DTFx history events as the Durable extension serializes them for out-of-process SDKs (PascalCase members,
 * numeric EventType, ISO timestamps). The same objects are written to `<Hub>History` rows (EventType as its
 * name, Timestamp as `_Timestamp`) and travel inside queue messages (`TaskMessage.Event`).
 * Source: docs/protocol.md §3, §5, §9.
 */

export enum EventType {
    ExecutionStarted = 0,
    ExecutionCompleted = 1,
    ExecutionFailed = 2,
    ExecutionTerminated = 3,
    TaskScheduled = 4,
    TaskCompleted = 5,
    TaskFailed = 6,
    SubOrchestrationInstanceCreated = 7,
    SubOrchestrationInstanceCompleted = 8,
    SubOrchestrationInstanceFailed = 9,
    TimerCreated = 10,
    TimerFired = 11,
    OrchestratorStarted = 12,
    OrchestratorCompleted = 13,
    EventSent = 14,
    EventRaised = 15,
    ContinueAsNew = 16,
    GenericEvent = 17,
    HistoryState = 18,
    ExecutionSuspended = 19,
    ExecutionResumed = 20,
    ExecutionRewound = 21,
}

/** DTFx OrchestrationStatus / the extension's OrchestrationRuntimeStatus (same numbering). */
export enum RuntimeStatus {
    Running = 0,
    Completed = 1,
    ContinuedAsNew = 2,
    Failed = 3,
    Canceled = 4,
    Terminated = 5,
    Pending = 6,
    Suspended = 7,
}
export type RuntimeStatusName = keyof typeof RuntimeStatus;

/** Statuses an instance never leaves by itself (the extension's non-running states, minus ContinuedAsNew). */
const TERMINAL_STATUSES: ReadonlySet<string> = new Set<RuntimeStatusName>([
    'Completed',
    'Failed',
    'Terminated',
    'Canceled',
]);

export function isTerminalStatus(status: string): boolean {
    return TERMINAL_STATUSES.has(status);
}

export interface OrchestrationInstanceRef {
    InstanceId: string;
    ExecutionId: string;
}

/**
 * Where a message goes: one execution of an instance, or (ExecutionId null) whichever execution is current.
 * DTFx treats only null as "the current execution"; an empty string names an execution that does not exist
 * (`OrchestrationSessionManager.cs`, `Tracking/AzureTableTrackingStore.cs` GetHistoryEventsAsync).
 */
export interface MessageTarget {
    InstanceId: string;
    ExecutionId: string | null;
}

export interface ParentInstanceRef {
    Name: string | null;
    Version: string | null;
    TaskScheduleId: number;
    OrchestrationInstance: OrchestrationInstanceRef;
}

export interface FailureDetailsJson {
    ErrorType: string;
    ErrorMessage: string;
    StackTrace: string | null;
    InnerFailure: FailureDetailsJson | null;
    IsNonRetriable: boolean;
    Properties?: Record<string, unknown> | null;
}

interface Base<T extends EventType> {
    EventType: T;
    EventId: number;
    IsPlayed: boolean;
    /** ISO-8601 UTC. */
    Timestamp: string;
}

export interface ExecutionStartedEvent extends Base<EventType.ExecutionStarted> {
    OrchestrationInstance: OrchestrationInstanceRef;
    ParentInstance: ParentInstanceRef | null;
    Name: string;
    Version: string | null;
    /** JSON text of the input, or null. */
    Input: string | null;
    Tags: Record<string, string> | null;
    Correlation: string | null;
    ScheduledStartTime: string | null;
    /**
     * DTFx `int?`: set by client starts only (0, or the previous generation + 1 for a restart); null for
     * sub-orchestration starts, ContinueAsNew and entity starts (`TaskOrchestrationDispatcher.cs`,
     * `AzureStorageOrchestrationService.CreateTaskOrchestrationAsync`).
     */
    Generation: number | null;
}
export interface ExecutionCompletedEvent extends Base<EventType.ExecutionCompleted> {
    OrchestrationStatus: RuntimeStatus;
    Result: string | null;
    FailureDetails: FailureDetailsJson | null;
}
export interface ExecutionTerminatedEvent extends Base<EventType.ExecutionTerminated> {
    Input: string | null;
}
export interface TaskScheduledEvent extends Base<EventType.TaskScheduled> {
    Name: string;
    Version: string | null;
    Input: string | null;
}
export interface TaskCompletedEvent extends Base<EventType.TaskCompleted> {
    TaskScheduledId: number;
    Result: string | null;
}
export interface TaskFailedEvent extends Base<EventType.TaskFailed> {
    TaskScheduledId: number;
    Reason: string | null;
    Details: string | null;
    FailureDetails: FailureDetailsJson | null;
}
export interface SubOrchestrationInstanceCreatedEvent extends Base<EventType.SubOrchestrationInstanceCreated> {
    Name: string;
    Version: string | null;
    InstanceId: string;
    Input: string | null;
}
export interface SubOrchestrationInstanceCompletedEvent extends Base<EventType.SubOrchestrationInstanceCompleted> {
    TaskScheduledId: number;
    Result: string | null;
}
export interface SubOrchestrationInstanceFailedEvent extends Base<EventType.SubOrchestrationInstanceFailed> {
    TaskScheduledId: number;
    Reason: string | null;
    Details: string | null;
    FailureDetails: FailureDetailsJson | null;
}
export interface TimerCreatedEvent extends Base<EventType.TimerCreated> {
    FireAt: string;
}
export interface TimerFiredEvent extends Base<EventType.TimerFired> {
    TimerId: number;
    FireAt: string;
}
export type OrchestratorStartedEvent = Base<EventType.OrchestratorStarted>;
export type OrchestratorCompletedEvent = Base<EventType.OrchestratorCompleted>;
export interface EventSentEvent extends Base<EventType.EventSent> {
    InstanceId: string;
    Name: string;
    Input: string | null;
}
export interface EventRaisedEvent extends Base<EventType.EventRaised> {
    Name: string;
    Input: string | null;
}
export interface ContinueAsNewEvent extends Base<EventType.ContinueAsNew> {
    OrchestrationStatus: RuntimeStatus;
    Result: string | null;
    FailureDetails: FailureDetailsJson | null;
}
export interface ExecutionSuspendedEvent extends Base<EventType.ExecutionSuspended> {
    Reason: string | null;
}
export interface ExecutionResumedEvent extends Base<EventType.ExecutionResumed> {
    Reason: string | null;
}
export interface ExecutionRewoundEvent extends Base<EventType.ExecutionRewound> {
    Reason: string | null;
}
/** Rarely used kinds keep whatever members they carry. */
export interface OtherEvent extends Base<EventType.ExecutionFailed | EventType.GenericEvent | EventType.HistoryState> {
    [member: string]: unknown;
}

export type HistoryEvent =
    | ExecutionStartedEvent
    | ExecutionCompletedEvent
    | ExecutionTerminatedEvent
    | TaskScheduledEvent
    | TaskCompletedEvent
    | TaskFailedEvent
    | SubOrchestrationInstanceCreatedEvent
    | SubOrchestrationInstanceCompletedEvent
    | SubOrchestrationInstanceFailedEvent
    | TimerCreatedEvent
    | TimerFiredEvent
    | OrchestratorStartedEvent
    | OrchestratorCompletedEvent
    | EventSentEvent
    | EventRaisedEvent
    | ContinueAsNewEvent
    | ExecutionSuspendedEvent
    | ExecutionResumedEvent
    | ExecutionRewoundEvent
    | OtherEvent;

/** DTFx TaskMessage: one history event addressed to an orchestration instance (or an activity work item). */
export interface TaskMessage {
    Event: HistoryEvent;
    SequenceNumber: number;
    OrchestrationInstance: MessageTarget;
}

/** DTFx's timestamp format: ISO with 7 fractional digits. JS has milliseconds, so the rest are zeros. */
export function dtfxTimestamp(date: Date, subMillisecondTicks = 0): string {
    const ticks = String(Math.min(9999, Math.max(0, Math.trunc(subMillisecondTicks)))).padStart(4, '0');
    return date.toISOString().replace(/\.(\d{3})Z$/, `.$1${ticks}Z`);
}
