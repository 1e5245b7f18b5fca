import type { ReceivedMessage } from '../task-hub-port/task-hub-storage';

/**
 * The queue messages a dispatcher holds (taken, not yet deleted or released), by message id. A held message
 * can be delivered again (its invisibility ran out and a poller received it, or a local timer fires late);
 * such a delivery is not new work, but its receipt may be newer, and only the newest receipt can delete it.
 */
export class HeldMessages {
    readonly #byId = new Map<string, ReceivedMessage>();
    /** Applied by an episode, waiting only for their row write and delete (message-settlement.ts). */
    readonly #settled = new Set<string>();

    get size(): number {
        return this.#byId.size;
    }

    /**
     * Held and not yet applied: what the control-queue buffer threshold bounds, as DTFx's buffer counts the
     * messages waiting to be processed. Settled ones wait for a row write and an idle moment to be deleted; under
     * back-to-back load that is a few hundred, and counting them stalled every 42nd order for a 50 ms back-off.
     */
    get unsettled(): number {
        return this.#byId.size - this.#settled.size;
    }

    /** The message was applied; it stays held (its receipt deletes it) until `delete`. */
    markSettled(messageId: string): void {
        if (this.#byId.has(messageId)) this.#settled.add(messageId);
    }

    /**
     * True when the message is already held: the held copy then takes the newer receipt. An older handle
     * arriving late must not replace a newer one, so dequeue counts decide.
     */
    refresh(received: ReceivedMessage): boolean {
        const known = this.#byId.get(received.messageId);
        if (!known) return false;
        if (received.dequeueCount > known.dequeueCount) {
            known.popReceipt = received.popReceipt;
            known.dequeueCount = received.dequeueCount;
        }
        return true;
    }

    add(received: ReceivedMessage): void {
        this.#byId.set(received.messageId, received);
    }

    delete(messageId: string): void {
        this.#byId.delete(messageId);
        this.#settled.delete(messageId);
    }
}
