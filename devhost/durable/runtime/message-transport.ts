/**
 * Sends the task hub's messages and hands work this process enqueued straight to its own dispatchers, so a
 * step of an orchestration never waits for a poller.
 *
 * Fast path (storage offers `sendHidden`): the message is enqueued invisible for the queue's visibility timeout
 * and the returned handle (messageId + popReceipt) goes to the local dispatcher at once; the dispatcher deletes
 * it by that handle when done. The queue copy is the durable fallback: if this process dies, the message
 * becomes visible after the timeout and any poller (this process restarted, or another one) takes it. While we
 * hold it no poller can take it, so there is no double dispatch in the normal case.
 *
 * Fallback (plain sends): the message is visible at once and the owning poller is woken (back-off reset), which
 * costs one receive but no polling delay. Timers (`visibleAt` in the future) always use a plain delayed send and
 * wake the poller when they fall due.
 */
import type { TaskMessage } from '../history';
import type { ReceivedMessage, TaskHubStorage } from '../../storage/contract';

export type QueueKind = 'control' | 'workItem';

/**
 * Optional capability of a TaskHubStorage: enqueue hidden and return a handle for delete/release; undefined
 * when the message had to be sent visible instead (e.g. a large message that went to a blob).
 */
export interface HiddenSend {
    sendHidden(queue: QueueKind, message: TaskMessage, hiddenForSeconds: number): Promise<ReceivedMessage | undefined>;
}

export function supportsHiddenSend(storage: TaskHubStorage): storage is TaskHubStorage & HiddenSend {
    return typeof (storage as Partial<HiddenSend>).sendHidden === 'function';
}

export interface LocalDispatch {
    deliverControl(received: ReceivedMessage): void;
    deliverWorkItem(received: ReceivedMessage): void;
    wakeControl(partition: number): void;
    wakeWorkItems(): void;
}

export interface OutgoingMessage {
    queue: QueueKind;
    message: TaskMessage;
    visibleAt?: Date;
}

/** Longest delay we keep a timer for in memory (setTimeout's limit); later ones are left to the pollers. */
const MAX_LOCAL_TIMER_MS = 2_147_000_000;

export class MessageTransport {
    readonly #storage: TaskHubStorage;
    readonly #hiddenSeconds: Record<QueueKind, number>;
    readonly #clock: () => Date;
    readonly #timers = new Set<NodeJS.Timeout>();
    #local: LocalDispatch | undefined;
    #stopped = false;

    constructor(storage: TaskHubStorage, hiddenSeconds: Record<QueueKind, number>, clock: () => Date) {
        this.#storage = storage;
        this.#hiddenSeconds = hiddenSeconds;
        this.#clock = clock;
    }

    get fastPath(): boolean {
        return supportsHiddenSend(this.#storage);
    }

    attach(local: LocalDispatch): void {
        this.#local = local;
    }

    /** Enqueues and, once durable, lets this process's dispatchers work on it at once. */
    async send(outgoing: OutgoingMessage): Promise<void> {
        const held = await this.enqueue(outgoing);
        this.dispatch(outgoing, held);
    }

    /**
     * Enqueues without dispatching yet; returns the handle when the fast path was used. Callers that must
     * finish a write before the message may run (the client writes the Pending row) call `dispatch` after.
     */
    async enqueue(outgoing: OutgoingMessage): Promise<ReceivedMessage | undefined> {
        const delayMs = outgoing.visibleAt ? outgoing.visibleAt.getTime() - this.#clock().getTime() : 0;
        if (delayMs > 0) {
            await this.#storage.sendControlMessage(outgoing.message, { visibleAt: outgoing.visibleAt });
            return undefined;
        }
        // Once stopping, nobody here will work on it: send it visible for whoever runs next.
        if (supportsHiddenSend(this.#storage) && !this.#stopped) {
            return this.#storage.sendHidden(outgoing.queue, outgoing.message, this.#hiddenSeconds[outgoing.queue]);
        }
        if (outgoing.queue === 'control') await this.#storage.sendControlMessage(outgoing.message);
        else await this.#storage.sendWorkItem(outgoing.message);
        return undefined;
    }

    dispatch(outgoing: OutgoingMessage, held: ReceivedMessage | undefined): void {
        const local = this.#local;
        if (!local || this.#stopped) {
            // Hidden for us, but we are going away: make it visible now instead of after its timeout.
            if (held) this.#storage.releaseMessage(held, 0).catch(() => undefined);
            return;
        }
        const partition = this.#storage.partitionOf(outgoing.message.OrchestrationInstance.InstanceId);
        if (held) {
            if (outgoing.queue === 'control') local.deliverControl(held);
            else local.deliverWorkItem(held);
            return;
        }
        const delayMs = outgoing.visibleAt ? outgoing.visibleAt.getTime() - this.#clock().getTime() : 0;
        const wake = (): void => (outgoing.queue === 'control' ? local.wakeControl(partition) : local.wakeWorkItems());
        if (delayMs <= 0) {
            wake();
        } else if (delayMs <= MAX_LOCAL_TIMER_MS) {
            // Queue visibility counts whole seconds (rounded up, never early): wake when the message is due and
            // again when the queue shows it, a few ms late on purpose so the poller finds it.
            this.#wakeAt(delayMs + 5, wake);
            const queueDelayMs = Math.ceil(delayMs / 1000) * 1000;
            if (queueDelayMs - delayMs > 20) this.#wakeAt(queueDelayMs + 5, wake);
        }
    }

    #wakeAt(ms: number, wake: () => void): void {
        const timer = setTimeout(() => {
            this.#timers.delete(timer);
            if (!this.#stopped) wake();
        }, ms);
        timer.unref();
        this.#timers.add(timer);
    }

    stop(): void {
        this.#stopped = true;
        for (const timer of this.#timers) clearTimeout(timer);
        this.#timers.clear();
    }
}
