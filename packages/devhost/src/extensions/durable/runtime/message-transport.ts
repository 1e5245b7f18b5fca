/**
 * Sends the task hub's messages and hands work this process enqueued straight to its own dispatchers, so a
 * step of an orchestration never waits for a poller.
 *
 * Fast path (storage offers `sendHidden`, as the storage module does): the message is enqueued invisible for
 * the runtime's message lease and the returned handle (messageId + popReceipt) goes to the local dispatcher at
 * once; the dispatcher renews the lease while it holds the message (MessageLeases) and deletes it by that
 * handle when done. The queue copy is the durable fallback: if this process dies, the message becomes visible
 * within one lease and any poller (this process restarted, or another one) takes it. While we hold it no
 * poller can take it, so there is no double dispatch in the normal case.
 *
 * Timers (`visibleAt` ahead) are hidden for exactly as long as a delayed send would hide them (whole seconds,
 * rounded up) and delivered in-process at FireAt: without this process they behave as plain delayed messages.
 *
 * Fallback (plain sends): the message is visible at once (timers: at their whole-second delay) and the owning
 * poller is woken (back-off reset), which costs one receive but no polling delay.
 */
import type { TaskMessage } from '../../../shared/history';
import type { MessageOrigin, ReceivedMessage, TaskHubStorage } from '../task-hub-port/task-hub-storage';

export type QueueKind = 'control' | 'workItem';

/**
 * Optional capability of a TaskHubStorage: enqueue hidden and return a handle for delete/release; undefined
 * when the message had to be sent visible instead (e.g. a large message that went to a blob).
 */
export interface HiddenSend {
    sendHidden(
        queue: QueueKind,
        message: TaskMessage,
        hiddenForSeconds: number,
        origin?: MessageOrigin,
    ): Promise<ReceivedMessage | undefined>;
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
    /** The sending execution (absent for client messages). */
    origin?: MessageOrigin;
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
        const delayMs = this.#delayMs(outgoing);
        // Once stopping, nobody here will work on it: send it visible (or delayed) for whoever runs next.
        if (supportsHiddenSend(this.#storage) && !this.#stopped) {
            // A timer is hidden exactly as long as a delayed send would hide it (whole seconds, rounded up), so
            // without this process it behaves the same; with it, the timer below delivers it at FireAt.
            const hiddenSeconds = delayMs > 0 ? Math.ceil(delayMs / 1000) : this.#hiddenSeconds[outgoing.queue];
            return this.#storage.sendHidden(outgoing.queue, outgoing.message, hiddenSeconds, outgoing.origin);
        }
        const origin = outgoing.origin ? { origin: outgoing.origin } : {};
        if (outgoing.queue === 'control') {
            await this.#storage.sendControlMessage(
                outgoing.message,
                delayMs > 0 ? { visibleAt: outgoing.visibleAt, ...origin } : origin,
            );
        } else {
            await this.#storage.sendWorkItem(outgoing.message, origin);
        }
        return undefined;
    }

    dispatch(outgoing: OutgoingMessage, held: ReceivedMessage | undefined): void {
        const local = this.#local;
        if (!local || this.#stopped) {
            // Hidden for us, but we are going away: make it visible now instead of after its timeout.
            if (held && this.#delayMs(outgoing) <= 0) this.#storage.releaseMessage(held, 0).catch(() => undefined);
            return;
        }
        const delayMs = this.#delayMs(outgoing);
        const deliver = (): void =>
            outgoing.queue === 'control'
                ? local.deliverControl(held as ReceivedMessage)
                : local.deliverWorkItem(held as ReceivedMessage);
        const partition = this.#storage.partitionOf(outgoing.message.OrchestrationInstance.InstanceId);
        const wake = (): void => (outgoing.queue === 'control' ? local.wakeControl(partition) : local.wakeWorkItems());
        if (held) {
            if (delayMs <= 0) deliver();
            // A few ms late on purpose: the engine never fires a timer before its FireAt by the episode clock.
            else if (delayMs <= MAX_LOCAL_TIMER_MS) this.#after(delayMs + 5, deliver);
            return;
        }
        if (delayMs <= 0) {
            wake();
        } else if (delayMs <= MAX_LOCAL_TIMER_MS) {
            // Queue visibility counts whole seconds (rounded up, never early): wake when the message is due and
            // again when the queue shows it, a few ms late on purpose so the poller finds it.
            this.#after(delayMs + 5, wake);
            const queueDelayMs = Math.ceil(delayMs / 1000) * 1000;
            if (queueDelayMs - delayMs > 20) this.#after(queueDelayMs + 5, wake);
        }
    }

    #delayMs(outgoing: OutgoingMessage): number {
        return outgoing.visibleAt ? outgoing.visibleAt.getTime() - this.#clock().getTime() : 0;
    }

    #after(ms: number, action: () => void): void {
        const timer = setTimeout(() => {
            this.#timers.delete(timer);
            if (!this.#stopped) action();
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
