/**
 * The instance as an episode describes it (InstanceSnapshot), from the execution's start event or from a
 * view of committed history.
 */
import { RuntimeStatus, type ExecutionStartedEvent, type RuntimeStatusName } from '../../../shared/history';
import type { ExecutionView } from './intake';
import type { InstanceSnapshot } from './types';

export function snapshotBase(
    started: ExecutionStartedEvent,
    createdHere: boolean,
): Pick<InstanceSnapshot, 'name' | 'input' | 'generation' | 'parentInstanceId' | 'createdTime' | 'scheduledStartTime'> {
    return {
        name: started.Name,
        input: started.Input,
        generation: started.Generation,
        parentInstanceId: started.ParentInstance?.OrchestrationInstance.InstanceId ?? null,
        ...(createdHere ? { createdTime: new Date(started.Timestamp) } : {}),
        scheduledStartTime: started.ScheduledStartTime ? new Date(started.ScheduledStartTime) : null,
    };
}

/** The instance as committed history describes it (for episodes that change nothing). */
export function snapshotOfView(view: ExecutionView, customStatus: string | null): InstanceSnapshot {
    const started = view.started;
    const status: RuntimeStatusName = view.completed
        ? (RuntimeStatus[view.completed.OrchestrationStatus] as RuntimeStatusName)
        : !started
          ? 'Pending'
          : view.suspended
            ? 'Suspended'
            : 'Running';
    return {
        name: started?.Name ?? '',
        runtimeStatus: status,
        input: started?.Input ?? null,
        output: view.completed?.Result ?? null,
        customStatus,
        completedTime: view.completed ? new Date(view.completed.Timestamp) : null,
        generation: started?.Generation ?? null,
        parentInstanceId: started?.ParentInstance?.OrchestrationInstance.InstanceId ?? null,
        scheduledStartTime: started?.ScheduledStartTime ? new Date(started.ScheduledStartTime) : null,
    };
}
