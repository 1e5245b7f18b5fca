/**
 * An in-memory stand-in for the runtime around the engine: per-instance history and control queue, a
 * work-item list, and an injected clock. Tests play the activity workers and the passage of time; every
 * episode goes through the real runEpisode with the real SDK.
 */
import {
    activityInput,
    defaultEngineOptions,
    executionStartedMessage,
    runEpisode,
    taskCompleted,
    taskFailed,
    type EngineOptions,
    type EpisodeResult,
    type InstanceSnapshot,
    type InvokeOrchestrator,
} from '../extensions/durable/engine';
import { EventType, type HistoryEvent, type TaskMessage, type TaskScheduledEvent } from '../shared/history';

interface Queued {
    message: TaskMessage;
    visibleAt: number;
}

interface InstanceState {
    history: HistoryEvent[];
    snapshot: InstanceSnapshot | null;
    customStatus: string | null;
}

export interface WorkItem {
    instanceId: string;
    executionId: string;
    event: TaskScheduledEvent;
    input: unknown;
}

export class EngineHarness {
    now: Date;
    readonly options: EngineOptions;
    readonly #invoke: InvokeOrchestrator;
    readonly #instances = new Map<string, InstanceState>();
    readonly #control = new Map<string, Queued[]>();
    workItems: WorkItem[] = [];
    readonly results: EpisodeResult[] = [];
    #guids = 0;

    constructor(
        invoke: InvokeOrchestrator,
        options: Partial<EngineOptions> = {},
        now = new Date('2024-01-01T00:00:00.000Z'),
    ) {
        this.#invoke = invoke;
        this.options = { ...defaultEngineOptions, ...options };
        this.now = now;
    }

    newGuid = (): string => `exec${String(++this.#guids).padStart(4, '0')}`;

    start(name: string, input: unknown, instanceId = 'instance1'): string {
        this.send(executionStartedMessage({ instanceId, executionId: this.newGuid(), name, input, now: this.now }));
        return instanceId;
    }

    send(message: TaskMessage, visibleAt = this.now): void {
        const id = message.OrchestrationInstance.InstanceId;
        const queue = this.#control.get(id) ?? [];
        queue.push({ message, visibleAt: visibleAt.getTime() });
        this.#control.set(id, queue);
    }

    advance(ms: number): void {
        this.now = new Date(this.now.getTime() + ms);
    }

    history(instanceId = 'instance1'): HistoryEvent[] {
        return this.#instances.get(instanceId)?.history ?? [];
    }

    status(instanceId = 'instance1'): InstanceSnapshot {
        const snapshot = this.#instances.get(instanceId)?.snapshot;
        if (!snapshot) throw new Error(`no episode ran for ${instanceId}`);
        return snapshot;
    }

    pendingControl(instanceId = 'instance1'): TaskMessage[] {
        return (this.#control.get(instanceId) ?? []).map((q) => q.message);
    }

    /** Takes the instance's visible control messages off its queue (a test playing another dispatcher). */
    take(instanceId: string): TaskMessage[] {
        const queue = this.#control.get(instanceId) ?? [];
        this.#control.set(
            instanceId,
            queue.filter((q) => q.visibleAt > this.now.getTime()),
        );
        return queue.filter((q) => q.visibleAt <= this.now.getTime()).map((q) => q.message);
    }

    /** One episode over the instance's visible control messages (or exactly `messages` when given). */
    async episode(instanceId = 'instance1', messages?: TaskMessage[]): Promise<EpisodeResult> {
        const queue = this.#control.get(instanceId) ?? [];
        const visible = messages ?? queue.filter((q) => q.visibleAt <= this.now.getTime()).map((q) => q.message);
        if (!messages)
            this.#control.set(
                instanceId,
                queue.filter((q) => q.visibleAt > this.now.getTime()),
            );
        const state = this.#instances.get(instanceId) ?? { history: [], snapshot: null, customStatus: null };
        const result = await runEpisode(
            {
                instanceId,
                past: state.history,
                incoming: visible,
                now: this.now,
                newGuid: this.newGuid,
                options: this.options,
                customStatus: state.customStatus,
            },
            this.#invoke,
        );
        this.results.push(result);
        if (result.newExecution) state.history = [...result.appended];
        else state.history = [...state.history, ...result.appended];
        if (result.appended.length > 0) {
            state.snapshot = result.instance;
            state.customStatus = result.instance.customStatus;
        }
        this.#instances.set(instanceId, state);
        if (!messages) for (const message of result.deferred) this.send(message, this.now);
        for (const out of result.outbound) {
            if (out.queue === 'workItem') {
                const event = out.message.Event;
                if (event.EventType !== EventType.TaskScheduled) throw new Error('work item without TaskScheduled');
                this.workItems.push({
                    instanceId: out.message.OrchestrationInstance.InstanceId,
                    executionId: out.message.OrchestrationInstance.ExecutionId ?? result.executionId,
                    event,
                    input: activityInput(event),
                });
            } else {
                this.send(out.message, out.visibleAt ?? this.now);
            }
        }
        return result;
    }

    /** Plays the activity worker for every pending work item, in order, with `impl`. */
    runActivities(impl: Record<string, (input: unknown) => unknown>): void {
        const items = this.workItems;
        this.workItems = [];
        for (const item of items) {
            const fn = impl[item.event.Name];
            if (!fn) throw new Error(`no test implementation for activity '${item.event.Name}'`);
            let event: HistoryEvent;
            try {
                event = taskCompleted(item.event.EventId, fn(item.input), this.now);
            } catch (e) {
                const error = e instanceof Error ? e : new Error(String(e));
                event = taskFailed(
                    item.event.EventId,
                    item.event.Name,
                    { message: error.message, stack: 'at test' },
                    this.now,
                );
            }
            this.send({
                Event: event,
                SequenceNumber: 0,
                OrchestrationInstance: { InstanceId: item.instanceId, ExecutionId: item.executionId },
            });
        }
    }

    /** Runs episodes (and activities) until the instance has nothing visible to process. */
    async drive(
        impl: Record<string, (input: unknown) => unknown>,
        instanceId = 'instance1',
        maxEpisodes = 50,
    ): Promise<InstanceSnapshot> {
        for (let i = 0; i < maxEpisodes; i++) {
            const visible = (this.#control.get(instanceId) ?? []).some((q) => q.visibleAt <= this.now.getTime());
            if (!visible && this.workItems.length === 0) break;
            if (visible) await this.episode(instanceId);
            this.runActivities(impl);
        }
        return this.status(instanceId);
    }
}

/** A compact view of a history for assertions: type name, EventId, key id, IsPlayed. */
export function shape(history: readonly HistoryEvent[]): string[] {
    return history.map((event) => {
        const name = EventType[event.EventType];
        const key =
            'TaskScheduledId' in event
                ? `(${String(event.TaskScheduledId)})`
                : 'TimerId' in event
                  ? `(${String(event.TimerId)})`
                  : '';
        const id = event.EventId >= 0 ? `#${event.EventId}` : '';
        return `${name}${id}${key}${event.IsPlayed ? '' : '*'}`;
    });
}
