/**
 * One instance as the viewer's instance page needs it, read through the storage module: the instance row
 * (with the parent id, which the HTTP API's status payload does not carry) and the raw history of the current
 * execution, scheduling events included (the HTTP API folds those into completions and drops in-flight tasks
 * and sub-orchestration ids, which the timeline and the child links need).
 */
import { EventType, type HistoryEvent } from '../../shared/history';
import type { RejectedInstance } from '../durable/runtime/version-gate';
import type { InstanceRecord, TaskHubStorage } from '../durable/task-hub-port/task-hub-storage';

export interface InstanceDetail {
    instance: {
        instanceId: string;
        executionId: string;
        name: string;
        runtimeStatus: string;
        input: string | null;
        output: string | null;
        customStatus: string | null;
        createdTime: string;
        lastUpdatedTime: string;
        completedTime: string | null;
        parentInstanceId: string | null;
        /** The orchestration version stamped at creation; '' or null when it has none. */
        version: string | null;
    };
    /** Set while this host turns the instance away by its version (Reject): why, and when it is tried again. */
    waiting?: RejectedInstance;
    /** Events in row order; EventType as its name. */
    history: Array<Record<string, unknown>>;
}

export async function readInstanceDetail(
    storage: TaskHubStorage,
    instanceId: string,
    waiting?: RejectedInstance,
): Promise<InstanceDetail | undefined> {
    const [record, history] = await Promise.all([storage.readInstance(instanceId), storage.readHistory(instanceId)]);
    if (!record) return undefined;
    return { instance: instanceJson(record), history: history.events.map(eventJson), ...(waiting ? { waiting } : {}) };
}

function instanceJson(record: InstanceRecord): InstanceDetail['instance'] {
    return {
        instanceId: record.instanceId,
        executionId: record.executionId,
        name: record.name,
        runtimeStatus: record.runtimeStatus,
        input: record.input,
        output: record.output,
        customStatus: record.customStatus,
        createdTime: record.createdTime.toISOString(),
        lastUpdatedTime: record.lastUpdatedTime.toISOString(),
        completedTime: record.completedTime?.toISOString() ?? null,
        parentInstanceId: record.parentInstanceId,
        version: record.version,
    };
}

function eventJson(event: HistoryEvent): Record<string, unknown> {
    return { ...event, EventType: EventType[event.EventType] };
}
