/**
 * One orchestration instance driven episode by episode through the real engine (runEpisode, via the engine
 * tests' in-memory task hub) with the real SDK. The test plays the activity worker: it answers each
 * scheduled activity with the app's real handler, or with a hand-made TaskCompleted / TaskFailed to reach
 * the rare branches, in whatever order and batches it likes.
 */
import {
    executionStartedMessage,
    taskCompleted,
    taskFailed,
    type EpisodeResult,
    type InstanceSnapshot,
} from 'devhost/engine';
import { EventType, type HistoryEvent, type TaskScheduledEvent } from 'devhost/history';
import { EngineHarness, type WorkItem } from 'devhost/testing';
import type { BuiltApp } from './built-app';

/** A scheduled activity as the worker receives it: TaskScheduled id, name and the bound input. */
export interface ScheduledActivity {
    readonly id: number;
    readonly name: string;
    readonly input: unknown;
}

export class ReplayRun {
    readonly hub: EngineHarness;
    /** Every activity the engine sent to the work-item queue, in order, over the whole run. */
    readonly scheduled: ScheduledActivity[] = [];
    /** Sent but not yet answered by the test. */
    #pending: WorkItem[] = [];

    constructor(
        readonly app: BuiltApp,
        readonly instanceId = 'instance1',
    ) {
        this.hub = new EngineHarness(app.invokeOrchestrator);
    }

    /**
     * Enqueues ExecutionStarted and runs the first episode. `version` is the instance's orchestration version
     * (what the host stamps from host.json `defaultVersion`); without one the instance has version `""`, as
     * every instance started before versioning.
     */
    async start(orchestrator: string, input: unknown, options: { version?: string } = {}): Promise<EpisodeResult> {
        this.hub.send(
            executionStartedMessage({
                instanceId: this.instanceId,
                executionId: this.hub.newGuid(),
                name: orchestrator,
                input,
                now: this.hub.now,
                version: options.version ?? '',
            }),
        );
        return this.episode();
    }

    /** One episode over everything queued for the instance; collects the work items it sent. */
    async episode(): Promise<EpisodeResult> {
        const result = await this.hub.episode(this.instanceId);
        const sent = this.hub.workItems.splice(0);
        for (const item of sent)
            this.scheduled.push({ id: item.event.EventId, name: item.event.Name, input: item.input });
        this.#pending.push(...sent);
        return result;
    }

    /** The unanswered work items, oldest first. */
    pending(): readonly ScheduledActivity[] {
        return this.#pending.map((item) => ({ id: item.event.EventId, name: item.event.Name, input: item.input }));
    }

    #take(id: number): WorkItem {
        const index = this.#pending.findIndex((item) => item.event.EventId === id);
        const [item] = index === -1 ? [] : this.#pending.splice(index, 1);
        if (!item) throw new Error(`no pending work item with TaskScheduled id ${id}`);
        return item;
    }

    #reply(item: WorkItem, event: HistoryEvent): void {
        this.hub.send({
            Event: event,
            SequenceNumber: 0,
            OrchestrationInstance: { InstanceId: item.instanceId, ExecutionId: item.executionId },
        });
    }

    /** Answers work item `id` with a hand-made result (any JSON, malformed on purpose if need be). */
    complete(id: number, result: unknown): void {
        this.#reply(this.#take(id), taskCompleted(id, result, this.hub.now));
    }

    /** Answers work item `id` with a failure, as the activity dispatcher reports a thrown error. */
    fail(id: number, message: string): void {
        const item = this.#take(id);
        this.#reply(
            item,
            taskFailed(id, item.event.Name, { message, stack: `Error: ${message}\n    at test` }, this.hub.now),
        );
    }

    /** Runs the app's real handler for work item `id` and sends its result or failure back. */
    async runReal(id: number): Promise<void> {
        const item = this.#take(id);
        const outcome = await this.app.runActivity(item.event.Name, item.input);
        this.#reply(
            item,
            outcome.ok
                ? taskCompleted(id, outcome.value, this.hub.now)
                : taskFailed(
                      id,
                      item.event.Name,
                      outcome.stack === undefined ? { message: outcome.message } : outcome,
                      this.hub.now,
                  ),
        );
    }

    /** Real activities for everything pending, episode after episode, until the instance is quiet. */
    async driveWithRealActivities(maxEpisodes = 20): Promise<InstanceSnapshot> {
        for (let i = 0; i < maxEpisodes && this.#pending.length > 0; i++) {
            for (const { id } of this.pending()) await this.runReal(id);
            await this.episode();
        }
        return this.status();
    }

    status(): InstanceSnapshot {
        return this.hub.status(this.instanceId);
    }

    history(): HistoryEvent[] {
        return this.hub.history(this.instanceId);
    }

    /** The instance's output parsed from JSON (Completed instances). */
    output(): unknown {
        const text = this.status().output;
        if (text === null) throw new Error('the instance has no output');
        return JSON.parse(text) as unknown;
    }
}

/** The TaskScheduled events of a history, in order. */
export function scheduledEvents(history: readonly HistoryEvent[]): TaskScheduledEvent[] {
    return history.filter((event): event is TaskScheduledEvent => event.EventType === EventType.TaskScheduled);
}
