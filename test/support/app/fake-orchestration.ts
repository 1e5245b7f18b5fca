import type { RetryOptions, Task } from 'durable-functions';
import type { Orchestrator, OrchestrationContextLike } from '../../../src/orchestrators/orchestration-context';

/** A task the fake context hands out: it never completes by itself; the test resolves it by hand. */
export class FakeTask implements Task {
    isCompleted = false;
    isFaulted = false;
    result?: unknown;
    constructor(readonly scheduled: ScheduledWork) {}
}

export type ScheduledWork =
    | { readonly kind: 'activity'; readonly name: string; readonly input: unknown; readonly retry?: RetryOptions }
    | { readonly kind: 'subOrchestration'; readonly name: string; readonly input: unknown }
    | { readonly kind: 'all'; readonly children: readonly FakeTask[] };

export type Step<TResult> =
    { readonly done: false; readonly task: FakeTask } | { readonly done: true; readonly result: TResult };

/**
 * Runs an orchestrator generator without a runtime: `start()` runs it to its first yield, `resolve(value)`
 * feeds the yielded task's result back. The app's orchestrator tests run on the real engine
 * (devhost/testing, createTestHost; test/support/app/order-test-host.ts); this stays for what the engine does
 * not show: every custom status in turn (the engine keeps the last one of an episode), answers it never gives
 * (a Task.all with fewer results than tasks), and fan-outs too large to run in milliseconds there.
 */
export class OrchestratorRun<TResult> {
    /** Every setCustomStatus value, in order. */
    readonly customStatuses: unknown[] = [];
    readonly #generator: Generator<Task, TResult, unknown>;

    /**
     * `version` is the instance's orchestration version as the SDK reports it (`context.df.version`, from its
     * ExecutionStarted event): `""` for an instance started without a host.json `defaultVersion`.
     */
    constructor(orchestrator: Orchestrator<TResult>, input: unknown, instanceId = 'instance-1', version = '') {
        const context: OrchestrationContextLike = {
            df: {
                instanceId,
                version,
                getInput: () => structuredClone(input),
                callActivity: (name, activityInput) => new FakeTask({ kind: 'activity', name, input: activityInput }),
                callActivityWithRetry: (name, retry, activityInput) =>
                    new FakeTask({ kind: 'activity', name, input: activityInput, retry }),
                callSubOrchestrator: (name, subInput) =>
                    new FakeTask({ kind: 'subOrchestration', name, input: subInput }),
                setCustomStatus: (status) => {
                    this.customStatuses.push(structuredClone(status));
                },
                Task: {
                    all: (tasks) => new FakeTask({ kind: 'all', children: tasks.map(asFakeTask) }),
                },
            },
        };
        this.#generator = orchestrator(context);
    }

    start(): Step<TResult> {
        return this.#step(() => this.#generator.next());
    }

    resolve(value: unknown): Step<TResult> {
        return this.#step(() => this.#generator.next(structuredClone(value)));
    }

    #step(advance: () => IteratorResult<Task, TResult>): Step<TResult> {
        const next = advance();
        if (next.done === true) {
            return { done: true, result: next.value };
        }
        return { done: false, task: asFakeTask(next.value) };
    }
}

function asFakeTask(task: Task): FakeTask {
    if (!(task instanceof FakeTask)) {
        throw new TypeError('The orchestrator yielded a task the fake context did not make');
    }
    return task;
}

/** The activities of a Task.all a step is waiting for; fails the test if the step is anything else. */
export function expectFanOut(step: Step<unknown>): { name: string; input: unknown }[] {
    if (step.done) {
        throw new Error(
            `Expected the orchestrator to wait for Task.all, but it returned ${JSON.stringify(step.result)}`,
        );
    }
    if (step.task.scheduled.kind !== 'all') {
        throw new Error(`Expected the orchestrator to wait for Task.all, but it waits for ${step.task.scheduled.kind}`);
    }
    return step.task.scheduled.children.map((child) => {
        if (child.scheduled.kind === 'all') {
            throw new Error('Expected no Task.all inside Task.all');
        }
        return { name: child.scheduled.name, input: child.scheduled.input };
    });
}

/** The orchestrator's return value; fails the test if it is still waiting. */
export function expectResult<TResult>(step: Step<TResult>): TResult {
    if (!step.done) {
        throw new Error(`Expected the orchestrator to finish, but it waits for ${JSON.stringify(step.task.scheduled)}`);
    }
    return step.result;
}
