/**
 * What a failed episode means, and how long its instance waits before the next try (the dispatcher retries it
 * with its messages in order: orchestration-dispatcher.ts).
 *
 * - A lost ETag race (another writer, or the retry of our own write whose answer was lost): at once, since
 *   history now decides.
 * - A storage outage (storage-failures.ts), or a failed recovery nudge: 1, 2, 4, 8 s, then every 15 s, however
 *   long it lasts. An outage says nothing about the messages, so it never counts towards poison: before, about
 *   15 s of outage set every checkpointing instance aside as Failed.
 * - Any other failure is the episode's own: it counts per message, and after `maxDequeueCount` failures the
 *   batch is poison (poison-handler.ts); until then 1, 2, 4, ... s.
 *
 * Also keeps the instances whose recovery keeps failing, for the runtime's report.
 */
import { errorMessage } from '../../../shared/errors';
import { isTransientStorageFailure } from '../task-hub-port/storage-failures';
import { CheckpointConflictError, type ReceivedMessage } from '../task-hub-port/task-hub-storage';

/** The longest an instance waits between tries during an outage. */
const MAX_OUTAGE_BACKOFF_SECONDS = 15;

/** An instance whose recovery failed and is tried again. */
export interface UnrecoveredInstance {
    instanceId: string;
    attempts: number;
    error: string;
}

export type FailureVerdict =
    | { kind: 'retry'; seconds: number; why: 'conflict' | 'outage' | 'recovery' | 'episode'; attempt: number }
    | { kind: 'poison'; attempts: number };

export class EpisodeFailures {
    readonly #maxDequeueCount: number;
    /** Failed episodes per held message id (the poison count); forgotten when the message is settled. */
    readonly messages = new Map<string, number>();
    /** Failed episodes in a row per instance. */
    readonly #inARow = new Map<string, number>();
    readonly #unrecovered = new Map<string, UnrecoveredInstance>();

    constructor(maxDequeueCount: number) {
        this.#maxDequeueCount = maxDequeueCount;
    }

    get unrecovered(): UnrecoveredInstance[] {
        return [...this.#unrecovered.values()];
    }

    /** The episode of `batch` (and of recovery's `nudges`) failed with `error`. */
    failed(instanceId: string, batch: readonly ReceivedMessage[], nudged: boolean, error: unknown): FailureVerdict {
        const inARow = (this.#inARow.get(instanceId) ?? 0) + 1;
        this.#inARow.set(instanceId, inARow);
        if (nudged) this.#unrecovered.set(instanceId, { instanceId, attempts: inARow, error: errorMessage(error) });
        if (error instanceof CheckpointConflictError)
            return { kind: 'retry', seconds: 0, why: 'conflict', attempt: inARow };
        if (batch.length === 0 || isTransientStorageFailure(error)) {
            const seconds = Math.min(2 ** Math.max(0, inARow), MAX_OUTAGE_BACKOFF_SECONDS);
            return { kind: 'retry', seconds, why: batch.length === 0 ? 'recovery' : 'outage', attempt: inARow };
        }
        // Only episodes that failed on the message, in this process: a queue's dequeueCount also grows with
        // deferrals, lost races, lapsed leases and outages, none of which says the message is bad.
        const attempts = Math.max(...batch.map((m) => this.#count(m)));
        if (attempts >= this.#maxDequeueCount) {
            this.succeeded(instanceId);
            return { kind: 'poison', attempts };
        }
        return { kind: 'retry', seconds: Math.min(2 ** (attempts - 1), 60), why: 'episode', attempt: attempts };
    }

    /** The instance's episode succeeded (or ended as poison): its count starts over. */
    succeeded(instanceId: string): void {
        this.#inARow.delete(instanceId);
        this.#unrecovered.delete(instanceId);
    }

    #count(item: ReceivedMessage): number {
        const failures = (this.messages.get(item.messageId) ?? 0) + 1;
        this.messages.set(item.messageId, failures);
        return failures;
    }
}

/** The line a failed episode the dispatcher tries again is logged with, by why it failed. */
export function retryLogLine(
    instanceId: string,
    verdict: Extract<FailureVerdict, { kind: 'retry' }>,
    reason: string,
    maxDequeueCount: number,
): { level: 'warn' | 'error'; text: string } {
    switch (verdict.why) {
        case 'conflict':
            return {
                level: 'warn',
                text: `Instance ${instanceId}: another writer checkpointed first; the episode runs again.`,
            };
        case 'recovery':
            return {
                level: 'warn',
                text: `Instance ${instanceId}: recovery failed (attempt ${verdict.attempt}; it is tried again): ${reason}`,
            };
        case 'outage':
            return {
                level: 'warn',
                text: `Instance ${instanceId}: task hub storage did not answer (${reason}); the episode is tried again in ${verdict.seconds} s.`,
            };
        case 'episode':
            return {
                level: 'error',
                text: `Instance ${instanceId}: episode failed (attempt ${verdict.attempt} of ${maxDequeueCount}): ${reason}`,
            };
    }
}
