/**
 * Start-up recovery: what a killed process left in memory, brought back from the task hub.
 *
 * The devhost keeps some work only in memory (in-process-work-items.ts): activities it runs without a
 * work-item message, new instances it starts without a control message, rows it writes after their history.
 * After a crash the tables hold everything needed to finish that work, and the orchestration dispatcher knows
 * how to reconcile one instance with its history (instance-reconciler.ts, run by orchestration-dispatcher.ts in
 * the instance's turn): run the tasks history holds no result for, start a Pending row that was
 * accepted in memory and never ran, bring a row that lags its history in line (status, output, custom
 * status), and touch nothing of an old execution whose row names a newer start.
 *
 * So recovery only finds the instances: it lists the unfinished rows (Pending, Running, Suspended) a page at a
 * time and hands each instance to the dispatcher as a nudge. Instance by instance: a nudge whose episode fails
 * (an unreadable history, storage down) comes back after a back-off and is tried again, while the others go
 * on; the ones still failing are reported by id (`unrecovered`, shown in the viewer's hub summary). A listing
 * page that fails is read again after a back-off until it succeeds or the runtime stops. Nothing waits for it:
 * the pollers start at once, since the dispatcher reconciles an instance the first time it meets it, whichever
 * message comes first. Entities are skipped: they have no in-process work, and their rows are repaired by the
 * request messages that come back from their queues.
 */
import { errorMessage } from '../../../shared/errors';
import type { HostLogger } from '../../../shared/host-contracts';
import { isEntityInstanceId } from '../engine/entity-protocol';
import type { ReceivedMessage, TaskHubStorage } from '../task-hub-port/task-hub-storage';
import { recoveryNudge } from './recovery-nudge';

export interface StartupRecoveryOptions {
    storage: TaskHubStorage;
    /** The orchestration dispatcher's door. */
    deliver(message: ReceivedMessage): void;
    /** Messages the dispatcher holds now: recovery hands over the next page only once it has room. */
    backlog(): number;
    logger: HostLogger;
    clock: () => Date;
}

const PAGE_SIZE = 100;
/** Handed-over instances the dispatcher may hold before the next page is listed. */
const MAX_BACKLOG = 200;
const MAX_RETRY_DELAY_MS = 30_000;

export class StartupRecovery {
    readonly #o: StartupRecoveryOptions;
    #stopped = false;
    #done: Promise<void> = Promise.resolve();
    #instances = 0;
    #listing: 'not started' | 'listing' | 'done' = 'not started';
    readonly #timers = new Set<NodeJS.Timeout>();
    /** confirmLater's timers: starts whose row is not yet known to be there. */
    readonly #confirms = new Set<NodeJS.Timeout>();
    #droppedConfirms = 0;
    /** Sleeps in progress, ended at once by stop. */
    readonly #wakers = new Set<() => void>();

    constructor(options: StartupRecoveryOptions) {
        this.#o = options;
    }

    /** Where recovery stands: whether the listing is done, and how many instances were handed over. */
    get progress(): { listing: 'not started' | 'listing' | 'done'; instances: number } {
        return { listing: this.#listing, instances: this.#instances };
    }

    /** Starts listing in the background; `finished` resolves when every page was handed over (or on stop). */
    start(): void {
        this.#listing = 'listing';
        this.#done = this.#list().then(() => {
            if (!this.#stopped) this.#listing = 'done';
        });
    }

    get finished(): Promise<void> {
        return this.#done;
    }

    /**
     * An in-memory start whose Pending row could not be confirmed: a moment later the dispatcher reads the row
     * and starts the instance if the row is there and no execution ran (with retries, like any nudge).
     */
    confirmLater(instanceId: string): void {
        const timer = setTimeout(() => {
            this.#timers.delete(timer);
            this.#confirms.delete(timer);
            if (!this.#stopped) this.#o.deliver(recoveryNudge(instanceId, this.#o.clock()));
        }, 1_000);
        timer.unref();
        this.#timers.add(timer);
        this.#confirms.add(timer);
    }

    /**
     * After `stop`: whether recovery left nothing unchecked (every page listed, no start waiting to be
     * confirmed). Only then may the next holder of the hub skip its own recovery (durable-runtime.ts).
     */
    get leftNothing(): boolean {
        return this.#listing !== 'listing' && this.#droppedConfirms === 0;
    }

    async stop(): Promise<void> {
        this.#stopped = true;
        this.#droppedConfirms = this.#confirms.size;
        this.#confirms.clear();
        for (const timer of this.#timers) clearTimeout(timer);
        this.#timers.clear();
        for (const wake of this.#wakers) wake();
        this.#wakers.clear();
        await this.#done;
    }

    async #list(): Promise<void> {
        let token: string | undefined;
        let failures = 0;
        while (!this.#stopped) {
            let page;
            try {
                page = await this.#o.storage.queryInstances(
                    { runtimeStatus: ['Pending', 'Running', 'Suspended'], top: PAGE_SIZE, excludeInput: true },
                    token,
                );
            } catch (error) {
                failures++;
                const delayMs = Math.min(1_000 * 2 ** (failures - 1), MAX_RETRY_DELAY_MS);
                this.#o.logger.warn(
                    `Recovery could not list the unfinished instances (attempt ${failures}; trying again in ${delayMs / 1000} s): ${errorMessage(error)}`,
                );
                await this.#sleep(delayMs);
                continue;
            }
            failures = 0;
            for (const record of page.instances) {
                if (isEntityInstanceId(record.instanceId)) continue;
                this.#o.deliver(recoveryNudge(record.instanceId, this.#o.clock()));
                this.#instances++;
            }
            token = page.continuationToken;
            if (!token) break;
            while (!this.#stopped && this.#o.backlog() > MAX_BACKLOG) await this.#sleep(50);
        }
        if (this.#instances > 0 && !this.#stopped)
            this.#o.logger.info(
                `Recovery: ${this.#instances} unfinished instance(s) of a previous process checked against their history.`,
            );
    }

    /** Resolves after `ms`, or at once when recovery stops. */
    #sleep(ms: number): Promise<void> {
        if (this.#stopped) return Promise.resolve();
        return new Promise((resolve) => {
            const timer = setTimeout(() => {
                this.#timers.delete(timer);
                this.#wakers.delete(resolve);
                resolve();
            }, ms);
            this.#timers.add(timer);
            this.#wakers.add(resolve);
        });
    }
}
