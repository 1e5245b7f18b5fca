/**
 * What the orchestration dispatcher knows about an instance between episodes: its committed history with the
 * sentinel ETag, and its Instances row. Kept so a step costs no reads; it is only ever a cache — the ETag check
 * of the next checkpoint catches a stale entry (another writer), and then the entry is dropped and re-read.
 */
import type { HistoryEvent } from '../../../shared/history';
import type { InstanceRecord, TaskHubStorage } from '../task-hub-port/task-hub-storage';

export interface InstanceState {
    events: HistoryEvent[];
    executionId: string | null;
    etag: string | undefined;
    record: InstanceRecord | undefined;
    /** Client messages consumed by earlier generations (HistorySnapshot.consumedBefore). */
    consumedBefore?: readonly string[];
}

export class InstanceStateCache {
    readonly #entries = new Map<string, InstanceState>();
    readonly #capacity: number;

    constructor(capacity = 2000) {
        this.#capacity = capacity;
    }

    get size(): number {
        return this.#entries.size;
    }

    /** The cached state, or one read from storage (history and row in parallel: one round trip). */
    async load(storage: TaskHubStorage, instanceId: string): Promise<InstanceState> {
        const cached = this.#entries.get(instanceId);
        if (cached) return cached;
        const [history, record] = await Promise.all([
            storage.readHistory(instanceId),
            storage.readInstance(instanceId),
        ]);
        const state: InstanceState = {
            events: history.events,
            executionId: history.executionId,
            etag: history.etag,
            record,
            consumedBefore: history.consumedBefore ?? [],
        };
        this.set(instanceId, state);
        return state;
    }

    peek(instanceId: string): InstanceState | undefined {
        return this.#entries.get(instanceId);
    }

    set(instanceId: string, state: InstanceState): void {
        this.#entries.delete(instanceId);
        this.#entries.set(instanceId, state);
        // Least recently used first: Map keeps insertion order.
        while (this.#entries.size > this.#capacity) {
            const oldest = this.#entries.keys().next();
            if (oldest.done) break;
            this.#entries.delete(oldest.value);
        }
    }

    drop(instanceId: string): void {
        this.#entries.delete(instanceId);
    }

    clear(): void {
        this.#entries.clear();
    }
}
