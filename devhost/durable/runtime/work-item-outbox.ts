/**
 * Flow control for large fan-outs: an episode that schedules more work items than `window` sends the first
 * `window` before its history write, as usual, and leaves the rest in a durable outbox (storage.saveOutbox,
 * written before the history) that this class sends after the commit, only as fast as this process's
 * messages in the queues drain (fewer than `window` held at a time).
 *
 * Why: on Azurite every queue update and delete scans the account's messages (LokiJS), so its cost grows with
 * the messages alive in the queues: about 10 ms at 100 live messages, 100 ms at 5,000 on the 2-core dev box.
 * Sending 10,000 work items at once made every delete and lease renewal of the fan-out that slow, and it never
 * finished. Real Azure Storage has no such cliff; the provider sends everything at once.
 *
 * Crash safety (the dispatcher's part, orchestration-dispatcher.ts): the inbound messages of such an episode
 * are deleted only after its outbox is sent and removed, so a crash before that brings them back; the first
 * episode of an instance in a process (its state read from storage) reads its outboxes and sends again every
 * work item whose task has no result in history. A work item sent twice runs twice (activities run at least
 * once) and history keeps the first result.
 */
import type { HostLogger } from '../../contracts/host';
import type { TaskMessage } from '../../protocol/history';
import type { TaskHubStorage } from '../../ports/task-hub-storage';
import type { MessageTransport } from './message-transport';

interface Draining {
    instanceId: string;
    name: string;
    messages: TaskMessage[];
    inFlight: number;
    done: (sent: boolean) => void;
}

export class WorkItemOutbox {
    readonly #storage: TaskHubStorage;
    readonly #transport: MessageTransport;
    readonly #held: () => number;
    readonly #window: number;
    readonly #logger: HostLogger;
    readonly #queue: Draining[] = [];
    /** Outboxes being drained, by `instanceId/name`, so a second read of the same outbox does not send twice. */
    readonly #active = new Map<string, Promise<boolean>>();
    #inFlight = 0;
    #retryNotBefore = 0;
    #timer: NodeJS.Timeout | undefined;
    #stopped = false;

    constructor(
        storage: TaskHubStorage,
        transport: MessageTransport,
        held: () => number,
        logger: HostLogger,
        window: number,
    ) {
        this.#storage = storage;
        this.#transport = transport;
        this.#held = held;
        this.#logger = logger;
        this.#window = Math.max(1, window);
    }

    get window(): number {
        return this.#window;
    }

    /** Whether the storage keeps outboxes (otherwise every work item goes out before the history write). */
    get enabled(): boolean {
        return Boolean(this.#storage.saveOutbox && this.#storage.readOutboxes && this.#storage.deleteOutbox);
    }

    /** Work items still to send (tests and diagnostics). */
    get pending(): number {
        return this.#queue.reduce((sum, d) => sum + d.messages.length, 0);
    }

    /** Before the history write: keeps the work items durable under `name`. */
    async save(instanceId: string, name: string, messages: readonly TaskMessage[]): Promise<void> {
        await this.#storage.saveOutbox?.(instanceId, name, messages);
    }

    /**
     * Sends the outbox's messages as room allows, then removes it. Resolves true when both are done (a send
     * that fails is tried again), false if this process stopped first (the outbox stays for the next one).
     * If the same outbox is already draining, waits for that instead.
     */
    drain(instanceId: string, name: string, messages: readonly TaskMessage[]): Promise<boolean> {
        const key = `${instanceId}/${name}`;
        const active = this.#active.get(key);
        if (active) return active;
        if (this.#stopped) return Promise.resolve(false);
        const drained = new Promise<boolean>((done) => {
            if (messages.length === 0) done(true);
            else this.#queue.push({ instanceId, name, messages: [...messages], inFlight: 0, done });
        })
            .then(async (sent) => {
                if (sent) await this.#storage.deleteOutbox?.(instanceId, name);
                return sent;
            })
            .catch((error: unknown) => {
                // Sent, but still stored: a later load sends its open work items again (duplicates are safe).
                this.#logger.warn(
                    `Could not remove outbox ${key}: ${error instanceof Error ? error.message : String(error)}`,
                );
                return true;
            })
            .finally(() => this.#active.delete(key));
        this.#active.set(key, drained);
        this.#pump();
        return drained;
    }

    isDraining(instanceId: string, name: string): boolean {
        return this.#active.has(`${instanceId}/${name}`);
    }

    /** Stops sending; what is left stays in storage and is sent by the next process that loads the instance. */
    stop(): void {
        this.#stopped = true;
        clearTimeout(this.#timer);
        this.#timer = undefined;
        for (const draining of this.#queue.splice(0)) draining.done(false);
    }

    #pump(): void {
        if (this.#stopped) return;
        const ready = Date.now() >= this.#retryNotBefore;
        while (ready && this.#queue.length > 0 && this.#held() + this.#inFlight < this.#window) {
            const head = this.#queue[0];
            if (!head) break;
            const message = head.messages.shift();
            if (message === undefined) {
                this.#queue.shift();
                continue;
            }
            this.#inFlight++;
            head.inFlight++;
            this.#transport
                .send({ queue: 'workItem', message })
                .catch((error: unknown) => {
                    // Try again in a second (not at once: a storage that fails fast would spin), and the outbox
                    // stays in storage until every message went out.
                    this.#retryNotBefore = Date.now() + 1000;
                    head.messages.push(message);
                    if (!this.#queue.includes(head)) this.#queue.push(head);
                    this.#logger.warn(
                        `Could not send a work item of ${head.instanceId}: ${error instanceof Error ? error.message : String(error)}`,
                    );
                })
                .finally(() => {
                    this.#inFlight--;
                    head.inFlight--;
                    // Stopped: what is left stays in storage for the next process.
                    if (this.#stopped) head.done(false);
                    else if (head.inFlight === 0 && head.messages.length === 0) head.done(true);
                    this.#pump();
                });
        }
        if (this.#queue.length > 0 && !this.#timer) {
            // Room comes back as work items are deleted, which this class does not see: look again shortly.
            this.#timer = setTimeout(
                () => {
                    this.#timer = undefined;
                    this.#pump();
                },
                Math.max(25, this.#retryNotBefore - Date.now()),
            );
            this.#timer.unref();
        }
    }
}
