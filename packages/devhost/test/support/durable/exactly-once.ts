/**
 * Exactly-once test support: the real storage behind a proxy whose faults a test sets (a lost ETag race, a
 * delete that never happens as if the process died first), and a check that the hub's queues end empty.
 */
import { QueueClient } from '@azure/storage-queue';
import type {
    HistoryAppend,
    ReceivedMessage,
    TaskHubStorage,
} from '../../../src/extensions/durable/task-hub-port/task-hub-storage';
import { azuriteConnectionString } from '../storage';

export interface Faults {
    /** Runs before each history append; throw to fail it. */
    beforeAppend?: (append: HistoryAppend, storage: TaskHubStorage) => Promise<void>;
    /** Return true to make this delete fail (the message stays, as after a kill before the delete). */
    failDelete?: (message: ReceivedMessage) => boolean;
    /** Return true to make this visibility update (a lease renewal or a release) fail as a 503 would. */
    failRelease?: (message: ReceivedMessage, delaySeconds: number) => boolean;
    /** Told about every work item a poller receives (a message whose lease lapsed is received again). */
    onWorkItemReceived?: (message: ReceivedMessage) => void;
}

export function faultyStorage(storage: TaskHubStorage, faults: Faults): TaskHubStorage {
    return new Proxy(storage, {
        get(target, property) {
            if (property === 'appendHistory') {
                return async (append: HistoryAppend): Promise<string> => {
                    await faults.beforeAppend?.(append, target);
                    return target.appendHistory(append);
                };
            }
            if (property === 'deleteMessage') {
                return async (message: ReceivedMessage): Promise<void> => {
                    if (faults.failDelete?.(message)) throw new Error('simulated kill before the delete');
                    return target.deleteMessage(message);
                };
            }
            if (property === 'receiveWorkItems') {
                return async (max: number, visibilitySeconds: number): Promise<ReceivedMessage[]> => {
                    const received = await target.receiveWorkItems(max, visibilitySeconds);
                    for (const message of received) faults.onWorkItemReceived?.(message);
                    return received;
                };
            }
            if (property === 'releaseMessage') {
                return async (message: ReceivedMessage, delaySeconds: number): Promise<void> => {
                    if (faults.failRelease?.(message, delaySeconds))
                        throw Object.assign(new Error('simulated 503 Server Busy'), { statusCode: 503 });
                    return target.releaseMessage(message, delaySeconds);
                };
            }
            const value: unknown = Reflect.get(target, property, target);
            return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
        },
    });
}

/** Waits until every queue of the hub is empty (deletes run when the runtime is idle); returns what is left. */
export async function queuedMessages(hubName: string, partitions = 4, timeoutMs = 15_000): Promise<number> {
    const hub = hubName.toLowerCase();
    const queues = [
        ...Array.from({ length: partitions }, (_, p) => `${hub}-control-${String(p).padStart(2, '0')}`),
        `${hub}-workitems`,
    ].map((name) => new QueueClient(azuriteConnectionString(), name));
    const deadline = Date.now() + timeoutMs;
    for (;;) {
        const counts = await Promise.all(
            queues.map(async (q) => (await q.getProperties()).approximateMessagesCount ?? 0),
        );
        const total = counts.reduce((a, b) => a + b, 0);
        if (total === 0 || Date.now() > deadline) return total;
        await new Promise((resolve) => setTimeout(resolve, 200));
    }
}
