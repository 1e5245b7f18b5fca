/**
 * Keeps the queue messages this process works on invisible to everyone else for as long as it holds them,
 * in short leases that it renews, instead of one long visibility timeout.
 *
 * Why: a message received (or sent hidden) with the provider's 5-minute visibility timeout stays invisible for
 * 5 minutes after this process dies, so a restart would wait that long for its own in-flight work. With a short
 * lease (`leaseSeconds`, renewed every third of it) a killed devhost's messages reappear within one lease, and
 * a long activity still keeps its work item for as long as it runs.
 *
 * Renewal updates the message's visibility, which gives it a new pop receipt (updated in place on the held
 * object); `letGo` waits for a renewal in flight so a delete or release never uses a stale receipt.
 */
import type { HostLogger } from '../../contracts/host';
import { MessageGoneError, type ReceivedMessage, type TaskHubStorage } from '../ports/task-hub-storage';
import { errorMessage } from '../../contracts/errors';

export class MessageLeases {
    readonly #storage: TaskHubStorage;
    readonly #leaseSeconds: number;
    readonly #logger: HostLogger;
    readonly #held = new Map<string, ReceivedMessage>();
    readonly #renewing = new Map<string, Promise<void>>();
    #timer: NodeJS.Timeout | undefined;

    constructor(storage: TaskHubStorage, leaseSeconds: number, logger: HostLogger) {
        this.#storage = storage;
        this.#leaseSeconds = leaseSeconds;
        this.#logger = logger;
    }

    get leaseSeconds(): number {
        return this.#leaseSeconds;
    }

    start(): void {
        if (this.#timer) return;
        this.#timer = setInterval(() => this.#renewAll(), Math.max(200, (this.#leaseSeconds * 1000) / 3));
        this.#timer.unref();
    }

    /** Stops renewing; messages still held reappear within one lease. */
    stop(): void {
        clearInterval(this.#timer);
        this.#timer = undefined;
    }

    hold(message: ReceivedMessage): void {
        this.#held.set(message.messageId, message);
    }

    /** Stops renewing the message; resolves once no renewal of it is in flight. */
    async letGo(message: ReceivedMessage): Promise<void> {
        this.#held.delete(message.messageId);
        await this.#renewing.get(message.messageId);
    }

    #renewAll(): void {
        for (const message of this.#held.values()) {
            if (this.#renewing.has(message.messageId)) continue;
            const renewal = this.#storage
                .releaseMessage(message, this.#leaseSeconds)
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
