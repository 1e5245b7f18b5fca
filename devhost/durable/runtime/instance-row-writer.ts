/**
 * Writes Instances rows in order per instance, without making callers wait when they need not. A later row
 * of an instance is only written after the earlier one finished, so an older status can never overwrite a
 * newer one, while the episode that produced it may already go on (the row is a status view; history is the
 * truth and is written before it). Rows that are superseded while they wait are never written: the newer row
 * carries everything (each write is the whole record), which saves storage calls during fast sequences.
 */
import type { InstanceRecord, TaskHubStorage } from '../../storage/contract';

interface Waiter {
    resolve: () => void;
    reject: (error: unknown) => void;
}

interface Lane {
    inFlight: boolean;
    next: { record: InstanceRecord; waiters: Waiter[] } | undefined;
}

export class InstanceRowWriter {
    readonly #storage: TaskHubStorage;
    readonly #lanes = new Map<string, Lane>();
    readonly #idleWaiters: Array<() => void> = [];

    constructor(storage: TaskHubStorage) {
        this.#storage = storage;
    }

    /**
     * Resolves when this row, or a newer row of the same instance that replaced it, is stored; rejects if that
     * write failed.
     */
    write(record: InstanceRecord): Promise<void> {
        return new Promise((resolve, reject) => {
            let lane = this.#lanes.get(record.instanceId);
            if (!lane) this.#lanes.set(record.instanceId, (lane = { inFlight: false, next: undefined }));
            const waiters = lane.next ? lane.next.waiters : [];
            waiters.push({ resolve, reject });
            lane.next = { record, waiters };
            if (!lane.inFlight) void this.#run(record.instanceId, lane);
        });
    }

    async #run(instanceId: string, lane: Lane): Promise<void> {
        lane.inFlight = true;
        while (lane.next) {
            const { record, waiters } = lane.next;
            lane.next = undefined;
            try {
                await this.#storage.writeInstance(record);
                for (const waiter of waiters) waiter.resolve();
            } catch (error) {
                for (const waiter of waiters) waiter.reject(error);
            }
        }
        lane.inFlight = false;
        this.#lanes.delete(instanceId);
        if (this.#lanes.size === 0) for (const done of this.#idleWaiters.splice(0)) done();
    }

    /** Resolves when every row write started so far has settled. */
    drain(): Promise<void> {
        if (this.#lanes.size === 0) return Promise.resolve();
        return new Promise((resolve) => this.#idleWaiters.push(resolve));
    }
}
