/**
 * Recovery's message to the orchestration dispatcher: "reconcile this instance with its history". It lives in
 * memory only (an in-process message: no queue copy), carries nothing for the engine, and goes through the
 * dispatcher like any message of the instance, so it runs in the instance's turn, after or before its other
 * episodes, never beside them, and a failed attempt comes back after a back-off (orchestration-dispatcher.ts).
 */
import { errorMessage } from '../../../shared/errors';
import { dtfxTimestamp, EventType } from '../../../shared/history';
import { executionStartedMessage } from '../engine';
import type { InstanceRecord, ReceivedMessage } from '../task-hub-port/task-hub-storage';
import { IN_PROCESS_QUEUE, inProcessWorkItem } from './in-process-work-items';

const NUDGE = 'devhost: reconcile with history';

export function recoveryNudge(instanceId: string, now: Date): ReceivedMessage {
    return inProcessWorkItem(
        {
            Event: {
                EventType: EventType.GenericEvent,
                EventId: -1,
                IsPlayed: false,
                Timestamp: dtfxTimestamp(now),
                Data: NUDGE,
            },
            SequenceNumber: 0,
            OrchestrationInstance: { InstanceId: instanceId, ExecutionId: null },
        },
        now,
    );
}

export function isRecoveryNudge(received: ReceivedMessage): boolean {
    const event = received.message.Event;
    return (
        received.queueName === IN_PROCESS_QUEUE && event.EventType === EventType.GenericEvent && event.Data === NUDGE
    );
}

/**
 * The ExecutionStarted a Pending row stands for when it was accepted in memory (`startedInMemory`: no control
 * message behind it) and no execution ran: the start a crash lost, rebuilt from the row. Undefined for any
 * other row, and for one whose input is not JSON (edited by hand: it stays Pending, with a warning).
 */
export function startOfRowAcceptedInMemory(
    record: InstanceRecord | undefined,
    now: Date,
    warn: (message: string) => void,
): ReceivedMessage | undefined {
    if (record?.runtimeStatus !== 'Pending' || record.startedInMemory !== true) return undefined;
    let input: unknown;
    try {
        input = record.input === null ? undefined : (JSON.parse(record.input) as unknown);
    } catch (error) {
        warn(`Instance ${record.instanceId} stays Pending: its row's input is not JSON (${errorMessage(error)}).`);
        return undefined;
    }
    const message = executionStartedMessage({
        instanceId: record.instanceId,
        executionId: record.executionId,
        name: record.name,
        version: record.version,
        input,
        scheduledStartTime: null,
        generation: record.generation,
        now: record.createdTime,
    });
    return inProcessWorkItem(message, now);
}
