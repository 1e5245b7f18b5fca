/**
 * Keeps the queue messages this process works on invisible to everyone else for as long as it holds them,
 * in leases that it renews, instead of one long visibility timeout.
 *
 * Why: a message received (or sent hidden) with the provider's 5-minute visibility timeout stays invisible for
 * 5 minutes after this process dies, so a restart would wait that long for its own in-flight work. With a short
 * first lease (`leaseSeconds`) a killed devhost's messages reappear within one lease, and a long activity still
 * keeps its work item for as long as it runs.
 *
 * Cost: renewals must not grow with the time a message waits. A 10,000-activity fan-out holds thousands of
 * work items queued for a slot and results waiting for their episode; renewing each every few seconds would
 * cost more calls than the work itself (and saturate Azurite). So a lease doubles at every renewal, up to
 * `maxLeaseSeconds` (at most the queue's visibility timeout, as the provider hides a message once for that
 * long): a message held for T seconds is renewed about log2(T / leaseSeconds) times, plus once per
 * `maxLeaseSeconds` after that, and only messages whose lease runs out before the next-but-one check are
 * renewed. The price is recovery time: after a crash a message reappears within its current lease, which is
 * at most about twice as long as it had been held (and never more than `maxLeaseSeconds`).
 *
 * Renewal updates the message's visibility, which gives it a new pop receipt (updated in place on the held
 * object); `letGo` waits for a renewal in flight so a delete or release never uses a stale receipt.
 */
import { errorMessage } from '../../../shared/errors';
import type { HostLogger } from '../../../shared/host-contracts';
import { MessageGoneError, type ReceivedMessage, type TaskHubStorage } from '../task-hub-port/task-hub-storage';
import { isInProcess } from './in-process-work-items';

interface Lease {
    message: ReceivedMessage;
    /** The lease the message has now (seconds); the next renewal doubles it. */
    seconds: number;
    /** When it runs out (ms, local clock), counted from before the call that set it. */
    expiresAt: number;
}

export class MessageLeases {
    readonly #storage: TaskHubStorage;
    readonly #leaseSeconds: number;
    readonly #maxLeaseSeconds: number;
    readonly #logger: HostLogger;
    readonly #now: () => number;
    readonly #held = new Map<string, Lease>();
    readonly #renewing = new Map<string, Promise<void>>();
    #timer: NodeJS.Timeout | undefined;
    #renewals = 0;

    constructor(
        storage: TaskHubStorage,
        leaseSeconds: number,
        logger: HostLogger,
        options: { maxLeaseSeconds?: number; now?: () => number } = {},
    ) {
        this.#storage = storage;
        this.#leaseSeconds = leaseSeconds;
        this.#maxLeaseSeconds = Math.max(leaseSeconds, options.maxLeaseSeconds ?? leaseSeconds);
        this.#logger = logger;
        this.#now = options.now ?? Date.now;
    }

    get leaseSeconds(): number {
        return this.#leaseSeconds;
    }

    /** Messages held now. */
    get size(): number {
        return this.#held.size;
    }

    /** Renewal calls made so far (tests: they must grow with the messages, not with the time they wait). */
    get renewals(): number {
        return this.#renewals;
    }

    /** How often the leases are checked: a third of the first lease. */
    get checkIntervalMs(): number {
        return Math.max(200, (this.#leaseSeconds * 1000) / 3);
    }

    start(): void {
        if (this.#timer) return;
        this.#timer = setInterval(() => this.renewDue(), this.checkIntervalMs);
        this.#timer.unref();
    }

    /** Stops renewing; messages still held reappear within their lease. */
    stop(): void {
        clearInterval(this.#timer);
        this.#timer = undefined;
    }

    /** Starts renewing a message that was just sent hidden or received for `leaseSeconds`. */
    hold(message: ReceivedMessage): void {
        // An in-process message has no queue copy to keep hidden.
        if (isInProcess(message) || this.#held.has(message.messageId)) return;
        this.#held.set(message.messageId, {
            message,
            seconds: this.#leaseSeconds,
            expiresAt: this.#now() + this.#leaseSeconds * 1000,
        });
    }

    /** Stops renewing the message; resolves once no renewal of it is in flight. */
    async letGo(message: ReceivedMessage): Promise<void> {
        this.#held.delete(message.messageId);
        await this.#renewing.get(message.messageId);
    }

    /** Renews the leases that run out before the next-but-one check (the timer calls this). */
    renewDue(): void {
        const now = this.#now();
        const horizon = now + 2 * this.checkIntervalMs;
        for (const lease of this.#held.values()) {
            const { message } = lease;
            if (lease.expiresAt > horizon || this.#renewing.has(message.messageId)) continue;
            const seconds = Math.min(this.#maxLeaseSeconds, lease.seconds * 2);
            this.#renewals++;
            const renewal = this.#storage
                .releaseMessage(message, seconds)
                .then(() => {
                    lease.seconds = seconds;
                    lease.expiresAt = now + seconds * 1000;
                })
                .catch((error: unknown) => {
                    // Gone (deleted by a duplicate's handler) or taken over after a lapsed lease: stop renewing.
                    // Anything else (a timeout, a 503) may pass: keep the message and try again at the next tick,
                    // well inside the lease (renewals run every third of it).
                    const gone = error instanceof MessageGoneError;
                    if (gone) this.#held.delete(message.messageId);
                    this.#logger.warn(
                        `Could not renew the lease of message ${message.messageId}${gone ? '' : ' (will retry)'}: ${errorMessage(error)}`,
                    );
                })
                .finally(() => this.#renewing.delete(message.messageId));
            this.#renewing.set(message.messageId, renewal);
        }
    }
}
