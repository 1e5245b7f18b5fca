/**
 * The queues of the in-memory task hub, with the semantics of Azure Queues as the storage module uses them
 * (azure-storage/message-queues.ts): a receive hides a message for the visibility timeout and hands out a new
 * pop receipt and dequeue count; a lease that lapses without a delete redelivers the message to the next
 * receive; a delete or release with a stale receipt (another receiver holds the message now) fails, while a
 * delete of a message that is gone is done (the storage module takes the service's 404 so); a release hands the
 * caller the new receipt in place. Messages are received in the order they were sent, skipping those still
 * hidden: what DTFx's ControlQueue.GetMessagesAsync restores with its InsertedOn/SequenceNumber sort.
 * One difference on purpose: visibility is kept to the millisecond where the service rounds up to whole
 * seconds, so a durable timer fires on time here and up to a second late there (never early in either).
 */
import { randomUUID } from 'node:crypto';
import { MAX_VISIBILITY_DELAY_SECONDS } from '../extensions/durable/azure-storage';
import {
    MessageGoneError,
    type MessageReceipt,
    type ReceivedMessage,
} from '../extensions/durable/task-hub-port/task-hub-storage';
import type { TaskMessage } from '../shared/history';

/** The service's cap on one receive (Get Messages, numofmessages). */
const MAX_MESSAGES_PER_RECEIVE = 32;
const MAX_DELAY_MS = MAX_VISIBILITY_DELAY_SECONDS * 1000;

interface StoredMessage {
    id: string;
    /** Stored as text, as the service does: a receiver never shares an object with the sender. */
    text: string;
    visibleAt: number;
    popReceipt: string;
    dequeueCount: number;
    insertedOn: Date;
    /** Hidden because a receiver holds it (received, or released for later), not because it was sent for later. */
    leased: boolean;
}

export class MemoryQueues {
    readonly #queues = new Map<string, StoredMessage[]>();

    constructor(private readonly now: () => number) {}

    clear(): void {
        this.#queues.clear();
    }

    #queue(name: string): StoredMessage[] {
        let queue = this.#queues.get(name);
        if (!queue) this.#queues.set(name, (queue = []));
        return queue;
    }

    /** Hidden for `delayMs`, capped at the service's 7 days (the engine re-waits a longer timer). */
    send(queueName: string, message: TaskMessage, delayMs: number): MessageReceipt {
        const now = this.now();
        const stored: StoredMessage = {
            id: randomUUID(),
            text: JSON.stringify(message),
            visibleAt: now + Math.min(Math.max(0, delayMs), MAX_DELAY_MS),
            popReceipt: randomUUID(),
            dequeueCount: 0,
            insertedOn: new Date(now),
            leased: false,
        };
        this.#queue(queueName).push(stored);
        return { queueName, messageId: stored.id, popReceipt: stored.popReceipt, insertedOn: stored.insertedOn };
    }

    receive(queueName: string, max: number, visibilitySeconds: number): ReceivedMessage[] {
        const now = this.now();
        const limit = Math.min(Math.max(1, max), MAX_MESSAGES_PER_RECEIVE);
        const out: ReceivedMessage[] = [];
        for (const stored of this.#queue(queueName)) {
            if (out.length >= limit) break;
            if (stored.visibleAt > now) continue;
            stored.visibleAt = now + visibilitySeconds * 1000;
            stored.leased = true;
            stored.popReceipt = randomUUID();
            stored.dequeueCount++;
            out.push({
                message: JSON.parse(stored.text) as TaskMessage,
                queueName,
                messageId: stored.id,
                popReceipt: stored.popReceipt,
                dequeueCount: stored.dequeueCount,
                insertedOn: stored.insertedOn,
            });
        }
        return out;
    }

    #find(receipt: Pick<ReceivedMessage, 'queueName' | 'messageId'>): StoredMessage | undefined {
        return this.#queue(receipt.queueName).find((m) => m.id === receipt.messageId);
    }

    /**
     * Deleting a message that is gone is done. One that another receiver holds now (a stale pop receipt) stays,
     * and the delete fails, as the service's PopReceiptMismatch does.
     */
    delete(receipt: Pick<ReceivedMessage, 'queueName' | 'messageId' | 'popReceipt'>): void {
        const stored = this.#find(receipt);
        if (!stored) return;
        if (stored.popReceipt !== receipt.popReceipt) throw new MessageGoneError(receipt.messageId);
        const queue = this.#queue(receipt.queueName);
        queue.splice(queue.indexOf(stored), 1);
    }

    /** Visible again after `delaySeconds`; the caller's message gets the new pop receipt, as an update returns it. */
    release(message: ReceivedMessage, delaySeconds: number): void {
        const stored = this.#find(message);
        if (stored?.popReceipt !== message.popReceipt) throw new MessageGoneError(message.messageId);
        stored.visibleAt = this.now() + Math.min(Math.max(0, delaySeconds * 1000), MAX_DELAY_MS);
        stored.leased = delaySeconds > 0;
        stored.popReceipt = randomUUID();
        message.popReceipt = stored.popReceipt;
    }

    /** Messages a receive would return now. */
    visibleCount(): number {
        const now = this.now();
        let n = 0;
        for (const queue of this.#queues.values()) for (const stored of queue) if (stored.visibleAt <= now) n++;
        return n;
    }

    /** When the next message sent for later becomes visible; messages a receiver holds are work in hand. */
    nextVisibleAt(): number | undefined {
        const now = this.now();
        let next: number | undefined;
        for (const queue of this.#queues.values())
            for (const stored of queue)
                if (!stored.leased && stored.visibleAt > now && (next === undefined || stored.visibleAt < next))
                    next = stored.visibleAt;
        return next;
    }

    /** Test time jumped by `ms`: a lease that was running before the jump runs on unmoved. */
    shiftLeases(ms: number): void {
        const now = this.now();
        for (const queue of this.#queues.values())
            for (const stored of queue) if (stored.leased && stored.visibleAt > now - ms) stored.visibleAt += ms;
    }

    /** Messages still in a queue (visible or not). */
    count(): number {
        let n = 0;
        for (const queue of this.#queues.values()) n += queue.length;
        return n;
    }
}
