/**
 * A client's start runs only if the Instances row names it.
 *
 * A client (this devhost's, or the extension's on a shared hub) enqueues ExecutionStarted and then writes the
 * Pending row conditionally; the row is the record of which start won. A start message the row does not name
 * lost a race, or belongs to a start whose row write failed (the client was told so), or is a stale copy of a
 * start long done. Running it would start a ghost: an order the client was told had failed, or a second run
 * of a finished one. The provider decides the same way (Azure/durabletask, DurableTask.AzureStorage
 * OrchestrationSessionManager.DedupeExecutionStartedMessagesAsync): it runs a top-level start whose row names
 * its ExecutionId, discards one the row has moved past, and defers one whose row may still be on its way,
 * giving up after some deliveries. Sub-orchestration starts (they have a parent) are not checked: no row
 * precedes them, the parent's history is their record.
 */
import { EventType, type TaskMessage } from '../../../shared/history';
import type { InstanceRecord } from '../task-hub-port/task-hub-storage';

export type StartVerdict = 'run' | 'discard' | 'defer';

/** Deliveries after which a start whose row never came is dropped (the provider's back-off reaches ~1 min). */
export const MAX_START_DEFERRALS = 5;

export function startVerdict(
    message: TaskMessage,
    record: InstanceRecord | undefined,
    dequeueCount: number,
): StartVerdict {
    const event = message.Event;
    if (event.EventType !== EventType.ExecutionStarted || event.ParentInstance !== null) return 'run';
    if (record?.executionId === message.OrchestrationInstance.ExecutionId) return 'run';
    // The row is of a start made at or after this one: this message lost, or is an old copy.
    if (record && record.createdTime.getTime() >= Date.parse(event.Timestamp)) return 'discard';
    // No row, or an older one: the sender may not have written its row yet.
    return dequeueCount > MAX_START_DEFERRALS ? 'discard' : 'defer';
}
