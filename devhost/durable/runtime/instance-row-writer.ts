/**
 * Writes Instances rows in order per instance, without making callers wait when they need not. A later row
 * of an instance is only written after the earlier one finished, so an older status can never overwrite a
 * newer one, while the episode that produced it may already go on (the row is a status view; history is the
 * truth and is written before it). Rows that are superseded while they wait are never written: the newer row
 * carries everything (each write is the whole record), which saves storage calls during fast sequences.
 */
import type { InstanceRecord, TaskHubStorage } from '../ports/task-hub-storage';

interface Waiter {
    resolve: () => void;
    reject: (error: unknown) => void;
}

interface Lane {
    inFlight: boolean;
    next: { record: InstanceRecord; waiters: Waiter[] } | undefined;
    /** A deferred write waiting to start, and when it starts. */
    timer: NodeJS.Timeout | undefined;
    dueAt: number;
}

/** How long an intermediate row may wait for a newer one to replace it. */
export const DEFERRED_ROW_DELAY_MS = 100;
/**
 * How long it may wait when it only moves lastUpdatedTime on (status, custom status and output unchanged):
 * under load most checkpoints of a running instance are such, and each would cost a write.
 */
export const REFRESH_ROW_DELAY_MS = 1000;

export class InstanceRowWriter {
    readonly #storage: TaskHubStorage;
    readonly #lanes = new Map<string, Lane>();
    readonly #idleWaiters: Array<() => void> = [];

    constructor(storage: TaskHubStorage) {
        this.#storage = storage;
    }

    /**
     * Resolves when this row, or a newer row of the same instance that replaced it, is stored; rejects if that
     * write failed. A `deferred` row (an intermediate checkpoint of a running instance) waits a moment first:
     * in a fast sequence the next checkpoint replaces it and one call is saved; a non-deferred row starts at
     * once and carries everything. `delayMs` overrides the deferral; an earlier deadline always wins.
     */
    write(record: InstanceRecord, options: { deferred?: boolean; delayMs?: number } = {}): Promise<void> {
        return new Promise((resolve, reject) => {
            let lane = this.#lanes.get(record.instanceId);
            if (!lane)
                this.#lanes.set(
                    record.instanceId,
                    (lane = { inFlight: false, next: undefined, timer: undefined, dueAt: 0 }),
                );
            const waiters = lane.next ? lane.next.waiters : [];
            waiters.push({ resolve, reject });
            lane.next = { record, waiters };
            if (lane.inFlight) return;
            const current = lane;
            if (options.deferred) {
                const delayMs = options.delayMs ?? DEFERRED_ROW_DELAY_MS;
                if (current.timer && current.dueAt <= Date.now() + delayMs) return;
                clearTimeout(current.timer);
                current.dueAt = Date.now() + delayMs;
                current.timer = setTimeout(() => {
                    current.timer = undefined;
                    if (!current.inFlight) void this.#run(record.instanceId, current);
                }, delayMs);
                return;
            }
            void this.#run(record.instanceId, current);
        });
    }

    async #run(instanceId: string, lane: Lane): Promise<void> {
        clearTimeout(lane.timer);
        lane.timer = undefined;
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

    /** Starts deferred rows now and resolves when every row write so far has settled (shutdown). */
    drain(): Promise<void> {
        if (this.#lanes.size === 0) return Promise.resolve();
        for (const [instanceId, lane] of this.#lanes) if (!lane.inFlight && lane.next) void this.#run(instanceId, lane);
        return new Promise((resolve) => this.#idleWaiters.push(resolve));
    }
}
