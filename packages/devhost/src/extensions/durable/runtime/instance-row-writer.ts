/**
 * Writes Instances rows in order per instance, without making callers wait when they need not. A later row
 * of an instance is only written after the earlier one finished, so an older status can never overwrite a
 * newer one, while the episode that produced it may already go on (the row is a status view; history is the
 * truth and is written before it). Rows that are superseded while they wait are never written: the newer row
 * carries everything (each write is the whole record), which saves storage calls during fast sequences.
 *
 * A write that fails because storage did not answer (an outage: storage-failures.ts) is tried again after a
 * back-off until it lands or a newer row replaces it: a waiting instance may have no next checkpoint for
 * days, and its row must not stay behind its history. Its callers still hear of the first failure (a final
 * row's episode is retried as a whole).
 */
import { isTransientStorageFailure } from '../task-hub-port/storage-failures';
import type { InstanceRecord, TaskHubStorage } from '../task-hub-port/task-hub-storage';

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
    /** Writes in a row that failed for an outage (the retry back-off). */
    failures: number;
}

/** How long an intermediate row may wait for a newer one to replace it. */
export const DEFERRED_ROW_DELAY_MS = 100;
/**
 * How long it may wait when status and output are unchanged (only the custom status, i.e. progress, or
 * lastUpdatedTime moves on): under load most checkpoints of a running instance are such, and each would cost
 * a write.
 */
export const REFRESH_ROW_DELAY_MS = 1000;

/** Back-off of a row write retried after an outage: 1, 2, 4, ... up to 15 s. */
const MAX_ROW_RETRY_MS = 15_000;

/** How long rows of a purged instance are refused (longer than any episode that was under way). */
const FORGET_FOR_MS = 120_000;

export class InstanceRowWriter {
    readonly #storage: TaskHubStorage;
    readonly #lanes = new Map<string, Lane>();
    readonly #idleWaiters: Array<() => void> = [];
    /** Purged instances (see `forget`). */
    readonly #forgotten = new Set<string>();
    /** Shutting down: a failed write is not tried again (start-up recovery repairs the row). */
    #draining = false;

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
        if (this.#forgotten.has(record.instanceId)) return Promise.resolve();
        return new Promise((resolve, reject) => {
            let lane = this.#lanes.get(record.instanceId);
            if (!lane)
                this.#lanes.set(
                    record.instanceId,
                    (lane = { inFlight: false, next: undefined, timer: undefined, dueAt: 0, failures: 0 }),
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
                lane.failures = 0;
                for (const waiter of waiters) waiter.resolve();
            } catch (error) {
                for (const waiter of waiters) waiter.reject(error);
                const retry = !lane.next && !this.#draining && !this.#forgotten.has(instanceId);
                if (retry && isTransientStorageFailure(error)) {
                    // Nothing newer to write: this row again, later (a newer one replaces it meanwhile).
                    lane.failures++;
                    const delayMs = Math.min(1000 * 2 ** (lane.failures - 1), MAX_ROW_RETRY_MS);
                    lane.inFlight = false;
                    lane.next = { record, waiters: [] };
                    lane.dueAt = Date.now() + delayMs;
                    lane.timer = setTimeout(() => {
                        lane.timer = undefined;
                        if (!lane.inFlight) void this.#run(instanceId, lane);
                    }, delayMs);
                    lane.timer.unref();
                    return;
                }
            }
        }
        lane.inFlight = false;
        this.#lanes.delete(instanceId);
        this.#notifyIdle();
    }

    /**
     * The instance is being purged: rows still waiting are dropped (their waiters resolve: there is nothing left
     * to show), and later rows of episodes still under way are not written, until `revive` (a new start under
     * the same id). Resolves once no write of it is in flight, so the purge that follows is the last word.
     */
    async forget(instanceId: string): Promise<void> {
        this.#forgotten.add(instanceId);
        // An episode under way when the purge came ends within a lease; after that nothing writes this row.
        setTimeout(() => this.#forgotten.delete(instanceId), FORGET_FOR_MS).unref();
        const lane = this.#lanes.get(instanceId);
        if (!lane) return;
        clearTimeout(lane.timer);
        lane.timer = undefined;
        const dropped = lane.next;
        lane.next = undefined;
        for (const waiter of dropped?.waiters ?? []) waiter.resolve();
        if (!lane.inFlight) {
            this.#lanes.delete(instanceId);
            this.#notifyIdle();
            return;
        }
        await new Promise<void>((resolve) => {
            const check = (): void => {
                if (this.#lanes.get(instanceId) !== lane) resolve();
                else setTimeout(check, 10);
            };
            check();
        });
    }

    /**
     * A new execution was written under this id (a start, a restart, a start after a purge): its rows are
     * written again, and an older row still waiting for a retry after an outage is dropped, so it cannot land
     * over the new execution's Pending row.
     */
    revive(instanceId: string): void {
        this.#forgotten.delete(instanceId);
        const lane = this.#lanes.get(instanceId);
        if (!lane || lane.inFlight || lane.failures === 0) return;
        clearTimeout(lane.timer);
        lane.timer = undefined;
        lane.next = undefined;
        this.#lanes.delete(instanceId);
        this.#notifyIdle();
    }

    #notifyIdle(): void {
        if (this.#lanes.size === 0) for (const done of this.#idleWaiters.splice(0)) done();
    }

    /** Starts deferred rows now and resolves when every row write so far has settled (shutdown). */
    drain(): Promise<void> {
        this.#draining = true;
        return this.flush();
    }

    /** Starts deferred rows now and resolves when every row write so far has settled; later rows defer again. */
    flush(): Promise<void> {
        if (this.#lanes.size === 0) return Promise.resolve();
        for (const [instanceId, lane] of this.#lanes) if (!lane.inFlight && lane.next) void this.#run(instanceId, lane);
        return new Promise((resolve) => this.#idleWaiters.push(resolve));
    }
}
