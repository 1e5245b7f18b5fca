/**
 * Where in an orchestrator each action came from, for replay's non-determinism report. The orchestrator runs
 * wrapped: the `context.df` methods that make a task note the caller's stack frame, and every task the code
 * yields is expanded into its leaf actions in the order the SDK adds them to its action list
 * (TaskOrchestrationExecutor: a task yielded for the first time while still running, a Task.all/any with its
 * children in order; signalEntity and continueAsNew at the call). That order is the engine's leaf-action
 * ordinal (engine/replay-contract.ts, Divergence), so the action the engine names maps to a source line.
 */
import type { OrchestrationContext, OrchestrationHandler } from 'durable-functions';

/** A source position, `file:line:column` as the stack trace gives it. */
export type CallSite = string;

const TASK_METHODS = [
    'callActivity',
    'callActivityWithRetry',
    'callSubOrchestrator',
    'callSubOrchestratorWithRetry',
    'callHttp',
    'callEntity',
    'createTimer',
    'waitForExternalEvent',
    'lock',
] as const;
const FIRE_AND_FORGET = ['signalEntity', 'continueAsNew'] as const;

/** The SDK's task objects, as far as this module reads them (durable-functions lib/src/task). */
interface SdkTask {
    alreadyScheduled?: boolean;
    state?: unknown;
    children?: SdkTask[];
    actionObj?: { compoundActions?: unknown[] };
}

export class CallSites {
    readonly #ofTask = new WeakMap<object, CallSite>();
    /** Leaf actions of the latest run, in the SDK's order. */
    #leaves: Array<CallSite | undefined> = [];

    /** The orchestrator with its call sites recorded; each run starts a new list. */
    wrap(orchestrator: OrchestrationHandler): OrchestrationHandler {
        // eslint-disable-next-line @typescript-eslint/no-this-alias -- the generator needs this instance
        const sites = this;
        return function* (context: OrchestrationContext) {
            sites.#leaves = [];
            sites.#instrument(context.df as unknown as Record<string, unknown>);
            const inner = orchestrator(context) as Generator<unknown, unknown, unknown> | unknown;
            if (!isGenerator(inner)) return inner;
            let next = inner.next();
            while (!next.done) {
                sites.#noteYield(next.value as SdkTask);
                let answer: unknown;
                try {
                    answer = yield next.value;
                } catch (error) {
                    next = inner.throw(error);
                    continue;
                }
                next = inner.next(answer);
            }
            return next.value;
        } as OrchestrationHandler;
    }

    /** The source line of the leaf action `ordinal` of the latest run. */
    leaf(ordinal: number): CallSite | undefined {
        return this.#leaves[ordinal];
    }

    /** Where the latest run last yielded (where it waits, or the step before it returned). */
    last(): CallSite | undefined {
        return this.#leaves.at(-1);
    }

    #instrument(df: Record<string, unknown>): void {
        for (const name of TASK_METHODS) {
            const original = df[name];
            if (typeof original !== 'function') continue;
            df[name] = (...args: unknown[]): unknown => {
                const task = (original as (...a: unknown[]) => unknown).apply(df, args);
                const site = callerSite();
                if (typeof task === 'object' && task !== null && site !== undefined) this.#ofTask.set(task, site);
                if (name === 'lock') this.#noteRelease(task as { lockResult?: { onRelease?: () => void } });
                return task;
            };
        }
        for (const name of FIRE_AND_FORGET) {
            const original = df[name];
            if (typeof original !== 'function') continue;
            df[name] = (...args: unknown[]): unknown => {
                this.#leaves.push(callerSite());
                return (original as (...a: unknown[]) => unknown).apply(df, args);
            };
        }
    }

    /** lock.release() adds a ReleaseEntities action outside context.df (DurableLock's onRelease): note it there. */
    #noteRelease(task: { lockResult?: { onRelease?: () => void } }): void {
        const lock = task.lockResult;
        const release = lock?.onRelease;
        if (!lock || typeof release !== 'function') return;
        lock.onRelease = () => {
            this.#leaves.push(callerSite());
            release();
        };
    }

    /** As the SDK does: a task yielded first while running adds its action (a compound one, its children's). */
    #noteYield(task: SdkTask): void {
        if (typeof task !== 'object' || task === null || task.alreadyScheduled === true) return;
        if (task.state !== undefined && task.state !== 0 /* TaskState.Running */) return;
        this.#addLeaves(task);
    }

    #addLeaves(task: SdkTask): void {
        // Retryable and long-timer tasks are compound tasks with a single (leaf) action of their own.
        if (task.actionObj?.compoundActions !== undefined && task.children) {
            for (const child of task.children) this.#addLeaves(child);
            return;
        }
        this.#leaves.push(this.#ofTask.get(task));
    }
}

/** The first stack frame outside this module and the SDK: the orchestrator's own line. */
function callerSite(): CallSite | undefined {
    const frames = (new Error().stack ?? '').split('\n').slice(1);
    for (const frame of frames) {
        // This module, and the SDK itself (its package folder, not any path that happens to contain its name).
        if (/[\\/]call-sites\.[jt]s:/.test(frame) || /[\\/]node_modules[\\/]durable-functions[\\/]/.test(frame))
            continue;
        const match = /\(?((?:file:\/\/)?[^\s()]+:\d+:\d+)\)?\s*$/.exec(frame.trim());
        if (match?.[1]) return match[1];
    }
    return undefined;
}

function isGenerator(value: unknown): value is Generator<unknown, unknown, unknown> {
    return (
        typeof value === 'object' &&
        value !== null &&
        typeof (value as { next?: unknown }).next === 'function' &&
        typeof (value as { throw?: unknown }).throw === 'function'
    );
}
