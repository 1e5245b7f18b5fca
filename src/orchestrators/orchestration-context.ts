import type { RetryOptions, Task } from 'durable-functions';

/**
 * The part of the durable-functions orchestration context our orchestrators use. Typing the generators
 * against this (instead of the full OrchestrationContext, an InvocationContext with a live replay engine)
 * lets tests drive them with a small fake, while the real context still fits structurally.
 * Deliberately absent: anything about time or randomness. Orchestrators get neither.
 */
export interface OrchestrationApi {
    readonly instanceId: string;
    /**
     * The instance's orchestration version: host.json `extensions.durableTask.defaultVersion` when it was
     * started, kept in its ExecutionStarted event; `""` (or undefined) for instances started before a default
     * version was set. Fixed for the instance's life, so branching on it is deterministic.
     */
    readonly version: string | undefined;
    getInput(): unknown;
    callActivity(name: string, input?: unknown): Task;
    callActivityWithRetry(name: string, retryOptions: RetryOptions, input?: unknown): Task;
    callSubOrchestrator(name: string, input?: unknown, instanceId?: string): Task;
    setCustomStatus(customStatusObject: unknown): void;
    readonly Task: { all(tasks: Task[]): Task };
}

export interface OrchestrationContextLike {
    readonly df: OrchestrationApi;
}

/** An orchestrator generator: yields durable Tasks, receives their results as `unknown`, returns TResult. */
export type Orchestrator<TResult> = (context: OrchestrationContextLike) => Generator<Task, TResult, unknown>;
