/**
 * The Instances row a checkpoint writes, and when: built from what the engine says of the instance
 * (InstanceSnapshot) and completed with what only history or the previous row knows. Also the questions
 * a repair asks: does the row lag its history, and does it name a newer start that history does not hold yet.
 */
import { EventType, type ExecutionStartedEvent, type HistoryEvent } from '../../../shared/history';
import type { EpisodeResult, InstanceSnapshot } from '../engine';
import type { InstanceRecord, MessageOrigin } from '../task-hub-port/task-hub-storage';
import { REFRESH_ROW_DELAY_MS } from './instance-row-writer';

export function executionStarted(events: readonly HistoryEvent[]): ExecutionStartedEvent | undefined {
    return events.find((e): e is ExecutionStartedEvent => e.EventType === EventType.ExecutionStarted);
}

/**
 * The sender of an episode's messages, as DTFx's envelope names it (`TaskHubQueue.AddMessageAsync`: the
 * session's instance, and `Utils.GetEpisodeNumber`: the execution's OrchestratorStarted events, this
 * episode's included).
 */
export function episodeOrigin(
    instanceId: string,
    past: readonly HistoryEvent[],
    result: Pick<EpisodeResult, 'executionId' | 'appended'>,
): MessageOrigin {
    let episode = 0;
    for (const events of [past, result.appended])
        for (const event of events) if (event.EventType === EventType.OrchestratorStarted) episode++;
    return { sender: { InstanceId: instanceId, ExecutionId: result.executionId }, episode };
}

/** Whether the execution history holds has ended (completed, failed or terminated). */
export function executionEnded(events: readonly HistoryEvent[]): boolean {
    return events.some(
        (e) => e.EventType === EventType.ExecutionCompleted || e.EventType === EventType.ExecutionTerminated,
    );
}

export function failedRow(row: InstanceRecord, reason: string, now: Date): InstanceRecord {
    return { ...row, runtimeStatus: 'Failed', output: reason, completedTime: now, lastUpdatedTime: now };
}

/** The Instances row of `executionId` as `instance` describes it, after the history `events` was committed. */
export function instanceRecord(
    instanceId: string,
    executionId: string,
    instance: InstanceSnapshot,
    events: readonly HistoryEvent[],
    previous: InstanceRecord | undefined,
    now: Date,
): InstanceRecord {
    const started = executionStarted(events);
    const sameExecution = previous !== undefined && previous.executionId === executionId;
    const createdTime =
        instance.createdTime ??
        (sameExecution || previous?.runtimeStatus === 'Pending' ? previous?.createdTime : undefined) ??
        (started ? new Date(started.Timestamp) : now);
    return {
        instanceId,
        executionId,
        name: instance.name,
        version: started?.Version ?? previous?.version ?? null,
        input: instance.input,
        output: instance.output,
        customStatus: instance.customStatus,
        runtimeStatus: instance.runtimeStatus,
        createdTime,
        lastUpdatedTime: now,
        completedTime: instance.completedTime,
        scheduledStartTime: instance.scheduledStartTime,
        // A start without a Generation (ContinueAsNew, sub-orchestration, entity) keeps the row's, as the
        // provider's InsertOrMerge leaves a column it does not write.
        generation: instance.generation ?? previous?.generation ?? 0,
        tags: started?.Tags ?? previous?.tags ?? null,
        parentInstanceId: instance.parentInstanceId,
    };
}

/** Whether the stored row disagrees with what history says (the row write of a checkpoint was lost). */
export function rowLags(record: InstanceRecord | undefined, executionId: string, instance: InstanceSnapshot): boolean {
    return statusChanged(record, executionId, instance) || record?.customStatus !== instance.customStatus;
}

/** Whether the episode gives the instance a new execution, status or output (no previous row: yes). */
export function statusChanged(
    record: InstanceRecord | undefined,
    executionId: string,
    instance: InstanceSnapshot,
): boolean {
    return (
        !record ||
        record.executionId !== executionId ||
        record.runtimeStatus !== instance.runtimeStatus ||
        record.output !== instance.output
    );
}

/**
 * The row is the Pending row of a start that history does not hold yet, accepted after history's execution
 * began: a restart (or scheduled start) of a finished instance whose ExecutionStarted has not run. Such a
 * row is ahead of history, not behind it, and no message of the old execution may "repair" it. (A row behind
 * history, e.g. the Pending row of an instance whose first episode continued as new, names an execution that
 * began before history's.)
 */
export function rowAwaitsNewerStart(record: InstanceRecord | undefined, events: readonly HistoryEvent[]): boolean {
    if (record?.runtimeStatus !== 'Pending') return false;
    const started = executionStarted(events);
    if (!started || started.OrchestrationInstance.ExecutionId === record.executionId) return false;
    return record.createdTime.getTime() > Date.parse(started.Timestamp);
}

/**
 * When an episode's row is written (instance-row-writer.ts): a terminal row at once; a new status, execution
 * or output within DEFERRED_ROW_DELAY_MS; a row whose only news is the custom status (progress) or
 * lastUpdatedTime within REFRESH_ROW_DELAY_MS, unless a newer row replaces it first. Under load an order's
 * steps are further apart than the short delay, and each progress row would cost a write; a status poller
 * sees progress at most a second late, and the terminal row never late.
 */
export function rowWriteTiming(
    previous: InstanceRecord | undefined,
    executionId: string,
    instance: InstanceSnapshot,
    final: boolean,
): { deferred: boolean; delayMs?: number } {
    if (final) return { deferred: false };
    return statusChanged(previous, executionId, instance)
        ? { deferred: true }
        : { deferred: true, delayMs: REFRESH_ROW_DELAY_MS };
}
