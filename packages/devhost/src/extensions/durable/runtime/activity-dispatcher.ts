/**
 * Runs activity work items: from this process's own enqueues at once, and from the `<hub>-workitems` queue by
 * polling (work of other processes, recovery after a crash). At most maxConcurrentActivityFunctions run at a
 * time. Each result goes back to the instance's control queue as TaskCompleted / TaskFailed, and only then is
 * the work item deleted: a crash in between re-runs the activity (at least once) and the orchestration drops
 * the second completion because its history already has one. A work item this process sent itself hands its
 * result to this process's orchestration dispatcher instead, which deletes the work item once the result is
 * in history (see deliverResult).
 */
import { valueFromTypedData } from '../../../host/bindings/typed-data';
import { errorMessage } from '../../../shared/errors';
import { EventType, type HistoryEvent, type TaskScheduledEvent } from '../../../shared/history';
import type { HostLogger, LoadedApp } from '../../../shared/host-contracts';
import { activityInput, addressed, taskCompleted, taskFailed } from '../engine';
import type { ReceivedMessage, TaskHubStorage } from '../task-hub-port/task-hub-storage';
import type { FunctionNameMap } from './function-names';
import { HeldMessages } from './held-messages';
import { HTTP_ACTIVITY_NAME, runHttpActivity } from './http-activity';
import type { IdleWorkQueue } from './idle-work-queue';
import { isInProcess } from './in-process-work-items';
import type { MessageLeases } from './message-leases';
import type { MessageTransport } from './message-transport';
import { PollLoop } from './poll-loop';
import { Semaphore } from './semaphore';

export interface ActivityDispatcherOptions {
    app: LoadedApp;
    storage: TaskHubStorage;
    transport: MessageTransport;
    activityBindings: FunctionNameMap<string>;
    maxConcurrent: number;
    visibilityTimeoutSeconds: number;
    maxPollingIntervalMs: number;
    logger: HostLogger;
    clock: () => Date;
    /** Where work-item deletes wait for a quiet moment. */
    idleWork: IdleWorkQueue;
    /** Renews the invisibility of every work item held here. */
    leases: MessageLeases;
    /** How long stop() lets running activities finish before handing their work items back. */
    shutdownTimeoutMs: number;
    /**
     * This process's orchestration dispatcher. A work item it sent (handed over in-process, never received
     * from the queue) gives its result there directly, carrying the work item's own handle: the orchestration
     * deletes the work item after the checkpoint that records the result, so no result message is sent.
     */
    deliverResult?: (received: ReceivedMessage) => void;
}

type ActivityOutcome = { ok: true; value: unknown } | { ok: false; message: string; stack?: string };

export class ActivityDispatcher {
    readonly #o: ActivityDispatcherOptions;
    readonly #slots: Semaphore;
    /** Every work item this process holds (queued or running), by message id. */
    readonly #held = new HeldMessages();
    readonly #queue: ReceivedMessage[] = [];
    readonly #running = new Set<Promise<void>>();
    /** The work item of each running activity (to hand back the ones still running when stop's time is up). */
    readonly #runningItems = new Set<ReceivedMessage>();
    readonly #poller: PollLoop;
    #stopped = false;
    #paused = false;

    constructor(options: ActivityDispatcherOptions) {
        this.#o = options;
        this.#slots = new Semaphore(options.maxConcurrent);
        this.#poller = new PollLoop({
            name: 'workitems',
            maxDelayMs: options.maxPollingIntervalMs,
            poll: () => this.#poll(),
            onError: (error) =>
                options.logger.warn(`Polling ${options.storage.workItemQueueName} failed: ${errorMessage(error)}`),
        });
    }

    start(): void {
        this.#poller.start();
    }

    wake(): void {
        this.#poller.wake();
    }

    /** Starts no activity until `resume` (the hub lock may have lapsed); running ones finish. */
    async pause(): Promise<void> {
        this.#paused = true;
        await this.#poller.stop();
    }

    resume(): void {
        if (this.#stopped) return;
        this.#paused = false;
        this.#poller.start();
        this.#pump();
    }

    get activeCount(): number {
        return this.#running.size;
    }

    /** Work items waiting for a free slot. */
    get queued(): number {
        return this.#queue.length;
    }

    /** A work item to run (from this process's enqueue or from the poller). */
    deliver(received: ReceivedMessage): void {
        if (this.#held.refresh(received)) return;
        // A work item an episode scheduled during the stop goes to the queue (InProcessAwareStorage.handOver).
        if (this.#stopped) return void this.#o.storage.releaseMessage(received, 0).catch(() => undefined);
        this.#held.add(received);
        this.#o.leases.hold(received);
        this.#queue.push(received);
        this.#pump();
    }

    /**
     * Stops taking work and lets running activities finish for up to shutdownTimeoutMs. Work items not started,
     * and those of activities still running when the time is up, go back to the queue visible at once, for the
     * next start or another process (an activity that still finishes here sends its result anyway; the
     * orchestration keeps the first result and drops the other).
     */
    async stop(): Promise<void> {
        this.#stopped = true;
        await this.#poller.stop();
        const unstarted = this.#queue.splice(0);
        const handBack = (item: ReceivedMessage): Promise<void> =>
            this.#o.leases
                .letGo(item)
                .then(() => this.#o.storage.releaseMessage(item, 0))
                .catch(() => undefined);
        await Promise.all(unstarted.map(handBack));
        let timer: NodeJS.Timeout | undefined;
        const timedOut = new Promise<'timeout'>((resolve) => {
            timer = setTimeout(() => resolve('timeout'), this.#o.shutdownTimeoutMs);
        });
        const outcome = await Promise.race([
            Promise.allSettled([...this.#running]).then(() => 'done' as const),
            timedOut,
        ]);
        clearTimeout(timer);
        if (outcome === 'timeout') {
            const still = [...this.#runningItems];
            this.#o.logger.warn(
                `Stopping: ${still.length} activit${still.length === 1 ? 'y' : 'ies'} still running after ${this.#o.shutdownTimeoutMs} ms; their work items are handed back.`,
            );
            await Promise.all(still.map(handBack));
        }
    }

    async #poll(): Promise<number | 'busy'> {
        const room = Math.min(32, this.#slots.available - this.#queue.length);
        if (room <= 0) return 'busy';
        const received = await this.#o.storage.receiveWorkItems(room, this.#o.visibilityTimeoutSeconds);
        for (const message of received) this.deliver(message);
        return received.length;
    }

    #pump(): void {
        while (!this.#stopped && !this.#paused && this.#queue.length > 0 && this.#slots.tryAcquire()) {
            const item = this.#queue.shift();
            if (!item) {
                this.#slots.release();
                break;
            }
            this.#runningItems.add(item);
            const run = this.#run(item).finally(() => {
                this.#running.delete(run);
                this.#runningItems.delete(item);
                this.#held.delete(item.messageId);
                this.#slots.release();
                this.#pump();
            });
            this.#running.add(run);
        }
    }

    async #run(item: ReceivedMessage): Promise<void> {
        const event: HistoryEvent = item.message.Event;
        if (event.EventType !== EventType.TaskScheduled) {
            this.#o.logger.warn(
                `Discarding work item ${item.messageId}: it holds event type ${event.EventType}, not TaskScheduled.`,
            );
            await this.#delete(item);
            return;
        }
        const outcome = await this.#execute(event, item);
        const now = this.#o.clock();
        const completion = outcome.ok
            ? taskCompleted(event.EventId, outcome.value, now)
            : taskFailed(
                  event.EventId,
                  event.Name,
                  outcome.stack === undefined
                      ? { message: outcome.message }
                      : { message: outcome.message, stack: outcome.stack },
                  now,
              );
        const result = addressed(completion, item.message.OrchestrationInstance);
        if (this.#o.deliverResult && (isInProcess(item) || (item.dequeueCount === 0 && !this.#stopped))) {
            // Sent hidden by this process, so this process runs the instance's episodes. The work item is the
            // durable record until the result is in history: a crash before that checkpoint makes it visible
            // again and the activity runs again (at least once); a crash after it re-runs the activity and its
            // result is discarded as a duplicate. Saves the TaskCompleted send and delete (2 of 4 queue calls).
            // The same object goes over, so its lease (renewed in place, same messageId) simply continues there.
            // An in-process work item (in-process-work-items.ts) has no queue copy: its result always goes over,
            // also while stopping (the runtime stops the orchestrations after the activities).
            item.message = result;
            this.#o.deliverResult(item);
            return;
        }
        try {
            // Result first, then delete: the order that makes a crash re-run the activity instead of losing it.
            // The sender is the orchestration the work item belongs to (DTFx's ActivitySession instance).
            const target = item.message.OrchestrationInstance;
            await this.#o.transport.send({
                queue: 'control',
                message: result,
                origin: { sender: { InstanceId: target.InstanceId, ExecutionId: target.ExecutionId ?? '' } },
            });
        } catch (error) {
            this.#o.logger.error(
                `Could not send the result of activity '${event.Name}' (${item.message.OrchestrationInstance.InstanceId}): ${errorMessage(error)}. It will run again.`,
            );
            const delay = Math.min(2 ** Math.max(0, item.dequeueCount), 600);
            await this.#o.leases
                .letGo(item)
                .then(() => this.#o.storage.releaseMessage(item, delay))
                .catch(() => undefined);
            return;
        }
        // Off the critical path: the result is already on its way to the orchestration.
        void this.#o.idleWork.add(() => this.#delete(item));
    }

    async #execute(event: TaskScheduledEvent, item: ReceivedMessage): Promise<ActivityOutcome> {
        try {
            const input = activityInput(event);
            if (event.Name === HTTP_ACTIVITY_NAME) return { ok: true, value: await runHttpActivity(input) };
            const bindingName = this.#o.activityBindings.get(event.Name);
            if (bindingName === undefined) {
                const known = [...this.#o.activityBindings.keys()];
                return {
                    ok: false,
                    message:
                        `The function '${event.Name}' doesn't exist, is disabled, or is not an activity function. Additional info: ` +
                        (known.length > 0
                            ? `The following are the known activity functions: '${known.join("', '")}'.`
                            : 'No activity functions are currently registered!'),
                };
            }
            const outcome = await this.#o.app.invoke({
                // Names ignore case, as in the extension (function-names.ts); the app knows its registered name.
                functionName: this.#o.activityBindings.registeredName(event.Name) ?? event.Name,
                inputData: [{ name: bindingName, data: { string: JSON.stringify(input ?? null) } }],
            });
            if (outcome.status === 'failure') {
                return outcome.stack === undefined
                    ? { ok: false, message: outcome.message }
                    : { ok: false, message: outcome.message, stack: outcome.stack };
            }
            return { ok: true, value: valueFromTypedData(outcome.returnValue) ?? null };
        } catch (error) {
            this.#o.logger.warn(
                `Activity '${event.Name}' of ${item.message.OrchestrationInstance.InstanceId} failed in the host: ${errorMessage(error)}`,
            );
            return error instanceof Error
                ? error.stack === undefined
                    ? { ok: false, message: error.message }
                    : { ok: false, message: error.message, stack: error.stack }
                : { ok: false, message: String(error) };
        }
    }

    async #delete(item: ReceivedMessage): Promise<void> {
        try {
            await this.#o.leases.letGo(item);
            await this.#o.storage.deleteMessage(item);
        } catch (error) {
            // Already gone or re-received elsewhere: the duplicate completion it may cause is discarded by history.
            this.#o.logger.warn(`Could not delete work item ${item.messageId}: ${errorMessage(error)}`);
        }
    }
}
