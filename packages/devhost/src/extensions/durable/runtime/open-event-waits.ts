/**
 * The events each orchestration waited for after its last episode in this process, by name. History records
 * no waitForExternalEvent (only the EventRaised that answers one), so the engine's replay is the one honest
 * source: it reports the waiters still open (engine/replay.ts). Kept in memory for the viewer's "Waiting for";
 * an instance this process has not run since it started is simply not known here.
 */
import { isTerminalStatus } from '../../../shared/history';
import type { EpisodeResult } from '../engine';

export interface OpenEventWaits {
    /** The execution the replay ran: a wait of an older execution (ContinueAsNew, restart) is not current. */
    executionId: string;
    /** Names of the events still awaited, once per waiter; entity answers are named by their request ids. */
    names: string[];
    /** When that episode ran (ISO 8601). */
    asOf: string;
}

/** Plenty for a local task hub; past it the oldest entries are dropped (they read as "not known"). */
const MAX_INSTANCES = 10_000;

export class OpenEventWaitsLog {
    readonly #byInstance = new Map<string, OpenEventWaits>();

    /** Called with every orchestration episode's result (not entities': they wait for nothing). */
    record(instanceId: string, result: EpisodeResult, now: Date): void {
        if (isTerminalStatus(result.instance.runtimeStatus)) {
            this.#byInstance.delete(instanceId);
            return;
        }
        // Not run (suspended, nothing applicable): the waits of the last run stand, if of the same execution.
        if (!result.ranOrchestrator || result.eventWaits === undefined) {
            const known = this.#byInstance.get(instanceId);
            if (known && known.executionId !== result.executionId) this.#byInstance.delete(instanceId);
            return;
        }
        this.#byInstance.delete(instanceId);
        this.#byInstance.set(instanceId, {
            executionId: result.executionId,
            names: [...result.eventWaits],
            asOf: now.toISOString(),
        });
        if (this.#byInstance.size > MAX_INSTANCES) {
            const oldest = this.#byInstance.keys().next();
            if (!oldest.done) this.#byInstance.delete(oldest.value);
        }
    }

    get(instanceId: string): OpenEventWaits | undefined {
        return this.#byInstance.get(instanceId);
    }

    /** Purged or rewritten elsewhere: what was known no longer holds. */
    forget(instanceId: string): void {
        this.#byInstance.delete(instanceId);
    }
}
