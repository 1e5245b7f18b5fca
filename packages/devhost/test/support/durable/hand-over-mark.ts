import type { TaskHubStorage } from '../../../src/extensions/durable/task-hub-port/task-hub-storage';

/**
 * Leaves the hub as a devhost killed after a graceful stop's successor took it: the hand-over mark the stop
 * wrote is gone (taking the hub clears it), so the next start recovers from history. For tests that stop a
 * runtime and then change the hub as a crash would have left it.
 */
export async function clearHandOverMark(storage: TaskHubStorage): Promise<void> {
    const lock = await storage.acquireHubLock?.({
        onLapsed: () => undefined,
        onRegained: () => undefined,
        onLost: () => undefined,
    });
    await lock?.release();
}
