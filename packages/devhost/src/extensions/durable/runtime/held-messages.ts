import type { ReceivedMessage } from '../task-hub-port/task-hub-storage';

/**
 * The queue messages a dispatcher holds (taken, not yet deleted or released), by message id. A held message
 * can be delivered again (its invisibility ran out and a poller received it, or a local timer fires late);
 * such a delivery is not new work, but its receipt may be newer, and only the newest receipt can delete it.
 */
export class HeldMessages {
    readonly #byId = new Map<string, ReceivedMessage>();

    get size(): number {
        return this.#byId.size;
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
    }
}
