/**
 * Gathers what "Waiting for" is computed from (waiting-for.ts): the instance row and history from storage, what
 * the runtime knows of it in memory (the events its last replay awaited, the messages it holds for it, a
 * version rejection, failing recovery), and a peek at its control queue.
 */
import { errorMessage } from '../../shared/errors';
import { isTerminalStatus } from '../../shared/history';
import type { DurableRuntime } from '../durable/runtime/durable-runtime';
import type { TaskHubStorage } from '../durable/task-hub-port/task-hub-storage';
import { createQueuedMessageReader, type QueuedMessageReader } from './queued-messages';
import { waitingFor, type QueuedMessage, type WaitingFor } from './waiting-for';

export interface WaitingForResponse extends WaitingFor {
    instanceId: string;
    runtimeStatus: string;
    asOf: string;
}

type RuntimeView = Pick<DurableRuntime, 'eventWaits' | 'pendingMessages' | 'versionGate' | 'recovery'>;

/** One queue reader per environment and hub (clients only; building them does no I/O). */
const readers = new WeakMap<NodeJS.ProcessEnv, { hub: string; read: QueuedMessageReader | undefined }>();

function queueReader(env: NodeJS.ProcessEnv, storage: TaskHubStorage): QueuedMessageReader | undefined {
    const hub = `${storage.hubName}/${storage.partitionCount}`;
    const known = readers.get(env);
    if (known?.hub === hub) return known.read;
    let read: QueuedMessageReader | undefined;
    try {
        read = createQueuedMessageReader(env, storage.hubName, storage.partitionCount);
    } catch {
        read = undefined; // no usable storage connection (an in-memory test hub)
    }
    readers.set(env, { hub, read });
    return read;
}

/** undefined when the instance does not exist. */
export async function readWaitingFor(
    storage: TaskHubStorage,
    runtime: RuntimeView | undefined,
    instanceId: string,
    env: NodeJS.ProcessEnv,
    now: Date = new Date(),
): Promise<WaitingForResponse | undefined> {
    const [record, history] = await Promise.all([storage.readInstance(instanceId), storage.readHistory(instanceId)]);
    if (!record) return undefined;
    const finished = isTerminalStatus(record.runtimeStatus);
    let queued: QueuedMessage[] = [];
    let queueError: string | undefined;
    const read = finished ? undefined : queueReader(env, storage);
    if (read) {
        try {
            queued = await read(instanceId, storage.partitionOf(instanceId));
        } catch (error) {
            queueError = `Its control queue could not be read: ${errorMessage(error)}`;
        }
    } else if (!finished) queueError = 'This task hub storage has no queue to read.';
    const failing = runtime?.recovery.unrecovered.find((entry) => entry.instanceId === instanceId);
    const result = waitingFor({
        record,
        // Rows of an older execution (a restart not yet written through) are not this one's.
        history: history.executionId === record.executionId ? history.events : [],
        now,
        ...(runtime
            ? {
                  runtime: {
                      eventWaits: runtime.eventWaits.get(instanceId),
                      held: runtime.pendingMessages(instanceId),
                      rejection: runtime.versionGate.rejection(instanceId),
                      ...(failing ? { failing: { attempts: failing.attempts, error: failing.error } } : {}),
                  },
              }
            : {}),
        queued,
        ...(queueError ? { queueError } : {}),
    });
    return { instanceId, runtimeStatus: record.runtimeStatus, asOf: now.toISOString(), ...result };
}
