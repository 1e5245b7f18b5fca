/**
 * zod schemas for the history events of shared/history.ts. Every event that comes back from a table
 * row or a queue message passes through `historyEventSchema`, so the engine only ever sees well-formed events.
 * Objects are loose: members this devhost does not model (ParentTraceContext, GenerateNewTrace, ...) survive.
 */
import { z } from 'zod';
import { EventType, RuntimeStatus, type FailureDetailsJson, type HistoryEvent } from '../../../shared/history';

const nullableString = z.string().nullable();

export const orchestrationInstanceSchema = z.looseObject({ InstanceId: z.string(), ExecutionId: z.string() });

export const parentInstanceSchema = z.looseObject({
    Name: nullableString,
    Version: nullableString,
    TaskScheduleId: z.number().int(),
    OrchestrationInstance: orchestrationInstanceSchema,
});

export const failureDetailsSchema: z.ZodType<FailureDetailsJson> = z.lazy(() =>
    z.looseObject({
        ErrorType: z.string(),
        ErrorMessage: z.string(),
        StackTrace: nullableString,
        InnerFailure: failureDetailsSchema.nullable(),
        IsNonRetriable: z.boolean(),
        Properties: z.record(z.string(), z.unknown()).nullable().optional(),
    }),
);

export const tagsSchema = z.record(z.string(), z.string());

const runtimeStatusSchema = z.enum(RuntimeStatus);

function event<T extends EventType, S extends z.ZodRawShape>(type: T, shape: S) {
    return z.looseObject({
        EventType: z.literal(type),
        EventId: z.number().int(),
        IsPlayed: z.boolean(),
        Timestamp: z.string(),
        ...shape,
    });
}

const completion = {
    OrchestrationStatus: runtimeStatusSchema,
    Result: nullableString,
    FailureDetails: failureDetailsSchema.nullable(),
};
const failure = {
    TaskScheduledId: z.number().int(),
    Reason: nullableString,
    Details: nullableString,
    FailureDetails: failureDetailsSchema.nullable(),
};
const reason = { Reason: nullableString };

export const historyEventSchema = z.discriminatedUnion('EventType', [
    event(EventType.ExecutionStarted, {
        OrchestrationInstance: orchestrationInstanceSchema,
        ParentInstance: parentInstanceSchema.nullable(),
        Name: z.string(),
        Version: nullableString,
        Input: nullableString,
        Tags: tagsSchema.nullable(),
        Correlation: nullableString,
        ScheduledStartTime: nullableString,
        // DTFx `int?`: null (no column in a history row) for sub-orchestration, ContinueAsNew and entity starts.
        Generation: z.number().int().nullable(),
    }),
    event(EventType.ExecutionCompleted, completion),
    event(EventType.ExecutionTerminated, { Input: nullableString }),
    event(EventType.TaskScheduled, { Name: z.string(), Version: nullableString, Input: nullableString }),
    event(EventType.TaskCompleted, { TaskScheduledId: z.number().int(), Result: nullableString }),
    event(EventType.TaskFailed, failure),
    event(EventType.SubOrchestrationInstanceCreated, {
        Name: z.string(),
        Version: nullableString,
        InstanceId: z.string(),
        Input: nullableString,
    }),
    event(EventType.SubOrchestrationInstanceCompleted, { TaskScheduledId: z.number().int(), Result: nullableString }),
    event(EventType.SubOrchestrationInstanceFailed, failure),
    event(EventType.TimerCreated, { FireAt: z.string() }),
    event(EventType.TimerFired, { TimerId: z.number().int(), FireAt: z.string() }),
    event(EventType.OrchestratorStarted, {}),
    event(EventType.OrchestratorCompleted, {}),
    event(EventType.EventSent, { InstanceId: z.string(), Name: z.string(), Input: nullableString }),
    event(EventType.EventRaised, { Name: z.string(), Input: nullableString }),
    event(EventType.ContinueAsNew, completion),
    event(EventType.ExecutionSuspended, reason),
    event(EventType.ExecutionResumed, reason),
    event(EventType.ExecutionRewound, reason),
    event(EventType.ExecutionFailed, {}),
    event(EventType.GenericEvent, {}),
    event(EventType.HistoryState, {}),
]);

export function parseHistoryEvent(value: unknown): HistoryEvent {
    return historyEventSchema.parse(value);
}

/**
 * The members each event type carries beyond the base ones, in DTFx's order. A member missing from a stored
 * row is null (the table does not store nulls).
 */
export const EVENT_MEMBERS: Readonly<Record<EventType, readonly string[]>> = {
    [EventType.ExecutionStarted]: [
        'OrchestrationInstance',
        'ParentInstance',
        'Name',
        'Version',
        'Input',
        'Tags',
        'Correlation',
        'ScheduledStartTime',
        'Generation',
    ],
    [EventType.ExecutionCompleted]: ['OrchestrationStatus', 'Result', 'FailureDetails'],
    [EventType.ExecutionFailed]: [],
    [EventType.ExecutionTerminated]: ['Input'],
    [EventType.TaskScheduled]: ['Name', 'Version', 'Input'],
    [EventType.TaskCompleted]: ['TaskScheduledId', 'Result'],
    [EventType.TaskFailed]: ['TaskScheduledId', 'Reason', 'Details', 'FailureDetails'],
    [EventType.SubOrchestrationInstanceCreated]: ['Name', 'Version', 'InstanceId', 'Input'],
    [EventType.SubOrchestrationInstanceCompleted]: ['TaskScheduledId', 'Result'],
    [EventType.SubOrchestrationInstanceFailed]: ['TaskScheduledId', 'Reason', 'Details', 'FailureDetails'],
    [EventType.TimerCreated]: ['FireAt'],
    [EventType.TimerFired]: ['TimerId', 'FireAt'],
    [EventType.OrchestratorStarted]: [],
    [EventType.OrchestratorCompleted]: [],
    [EventType.EventSent]: ['InstanceId', 'Name', 'Input'],
    [EventType.EventRaised]: ['Name', 'Input'],
    [EventType.ContinueAsNew]: ['OrchestrationStatus', 'Result', 'FailureDetails'],
    [EventType.GenericEvent]: [],
    [EventType.HistoryState]: [],
    [EventType.ExecutionSuspended]: ['Reason'],
    [EventType.ExecutionResumed]: ['Reason'],
    [EventType.ExecutionRewound]: ['Reason'],
};

/** `EventType` name → number, for rows that store the name. */
export function eventTypeFromName(name: string): EventType {
    const value: unknown = Reflect.get(EventType, name);
    if (typeof value !== 'number') throw new Error(`'${name}' is not a history event type.`);
    return value;
}
