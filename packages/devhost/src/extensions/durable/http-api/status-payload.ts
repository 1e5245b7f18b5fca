/**
 * The status payload of the HTTP API (StatusResponsePayload) and its `historyEvents` (DurableClient's history
 * conversion, docs/protocol.md §12): event type names instead of numbers, no EventId/IsPlayed, no
 * OrchestratorStarted/Completed rows, and scheduling rows folded into their completions.
 */
import { EventType, RuntimeStatus, type HistoryEvent } from '../../../shared/history';
import type { InstanceRecord } from '../task-hub-port/task-hub-storage';

export interface StatusPayload {
    name: string;
    instanceId: string;
    runtimeStatus: string;
    input: unknown;
    customStatus: unknown;
    output: unknown;
    createdTime: string;
    lastUpdatedTime: string;
    historyEvents?: Array<Record<string, unknown>>;
}

/** JSON if the stored text parses as JSON, else the raw text; null stays null (DurableClient.ParseToJToken). */
export function jsonOrText(text: string | null): unknown {
    if (text === null) return null;
    try {
        return JSON.parse(text) as unknown;
    } catch {
        return text;
    }
}

/** .NET's `ToString("s") + "Z"`: seconds precision. */
export function sortableUtc(date: Date): string {
    return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export interface StatusOptions {
    showInput: boolean;
    showHistoryOutput: boolean;
    history?: readonly HistoryEvent[];
}

export function statusPayload(record: InstanceRecord, options: StatusOptions): StatusPayload {
    const payload: StatusPayload = {
        name: record.name,
        instanceId: record.instanceId,
        runtimeStatus: record.runtimeStatus,
        input: options.showInput ? jsonOrText(record.input) : null,
        customStatus: jsonOrText(record.customStatus),
        output: jsonOrText(record.output),
        createdTime: sortableUtc(record.createdTime),
        lastUpdatedTime: sortableUtc(record.lastUpdatedTime),
    };
    if (options.history) payload.historyEvents = historyEvents(options.history, options);
    return payload;
}

const SCHEDULING = new Set<EventType>([EventType.TaskScheduled, EventType.SubOrchestrationInstanceCreated]);
const COMPLETIONS = new Set<EventType>([
    EventType.TaskCompleted,
    EventType.TaskFailed,
    EventType.SubOrchestrationInstanceCompleted,
    EventType.SubOrchestrationInstanceFailed,
]);
const HIDDEN = new Set<EventType>([EventType.OrchestratorStarted, EventType.OrchestratorCompleted]);

export function historyEvents(
    events: readonly HistoryEvent[],
    options: { showInput: boolean; showHistoryOutput: boolean },
): Array<Record<string, unknown>> {
    const scheduledById = new Map<number, HistoryEvent>();
    for (const event of events) if (SCHEDULING.has(event.EventType)) scheduledById.set(event.EventId, event);
    // Only a scheduling event a completion folds in goes; one still in flight stays (DurableClient removes the
    // indexes AddScheduledEventDataAndAggregate collected, nothing else).
    const folded = new Set<number>();
    for (const event of events) {
        const taskScheduledId = (event as { TaskScheduledId?: unknown }).TaskScheduledId;
        if (COMPLETIONS.has(event.EventType) && typeof taskScheduledId === 'number') folded.add(taskScheduledId);
    }

    const rows: Array<Record<string, unknown>> = [];
    for (const event of events) {
        if (HIDDEN.has(event.EventType) || (SCHEDULING.has(event.EventType) && folded.has(event.EventId))) continue;
        const {
            EventId: _id,
            IsPlayed: _played,
            EventType: type,
            ...members
        } = event as HistoryEvent & Record<string, unknown>;
        const row: Record<string, unknown> = { EventType: EventType[type], ...members };
        if (COMPLETIONS.has(type) && typeof row.TaskScheduledId === 'number') {
            const scheduled = scheduledById.get(row.TaskScheduledId) as
                (HistoryEvent & Record<string, unknown>) | undefined;
            delete row.TaskScheduledId;
            if (scheduled) {
                row.FunctionName = scheduled.Name;
                row.ScheduledTime = scheduled.Timestamp;
                if ('Input' in scheduled) row.Input = scheduled.Input;
            }
        }
        switch (type) {
            case EventType.ExecutionStarted:
                row.FunctionName = row.Name;
                delete row.Name;
                delete row.OrchestrationInstance;
                delete row.ParentInstance;
                delete row.Version;
                delete row.Tags;
                break;
            case EventType.ExecutionCompleted:
            case EventType.ContinueAsNew:
                if (typeof row.OrchestrationStatus === 'number')
                    row.OrchestrationStatus = RuntimeStatus[row.OrchestrationStatus];
                break;
            case EventType.TimerFired:
                delete row.TimerId;
                break;
            case EventType.TaskScheduled:
            case EventType.SubOrchestrationInstanceCreated:
                delete row.Version;
                break;
            default:
                break;
        }
        if ('Result' in row) {
            if (options.showHistoryOutput) row.Result = jsonOrText((row.Result as string | null) ?? null);
            else delete row.Result;
        }
        if ('Input' in row) {
            if (options.showInput) row.Input = typeof row.Input === 'string' ? jsonOrText(row.Input) : row.Input;
            else delete row.Input;
        }
        rows.push(row);
    }
    return rows;
}
