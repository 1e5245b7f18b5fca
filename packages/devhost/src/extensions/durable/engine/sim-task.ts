/**
 * A minimal synchronous task, standing in for the .NET Tasks the extension's shim awaits. Continuations
 * run inline when the task settles, as DTFx's synchronous orchestration scheduler runs them while it
 * processes one history event; that is what keeps id allocation in history order.
 */
export interface TaskFailure {
    reason: string | null;
    details: string | null;
}

export type TaskOutcome =
    { status: 'succeeded'; value: unknown } | { status: 'failed'; failure: TaskFailure } | { status: 'canceled' };

export class SimTask {
    #outcome: TaskOutcome | undefined;
    #continuations: Array<(outcome: TaskOutcome) => void> = [];

    static succeeded(value: unknown): SimTask {
        const task = new SimTask();
        task.settle({ status: 'succeeded', value });
        return task;
    }

    get outcome(): TaskOutcome | undefined {
        return this.#outcome;
    }

    get settled(): boolean {
        return this.#outcome !== undefined;
    }

    /** Runs `continuation` now if settled, else when it settles (in registration order). */
    whenSettled(continuation: (outcome: TaskOutcome) => void): void {
        if (this.#outcome) continuation(this.#outcome);
        else this.#continuations.push(continuation);
    }

    /** First settle wins (TrySetResult semantics); later calls are ignored. */
    settle(outcome: TaskOutcome): void {
        if (this.#outcome) return;
        this.#outcome = outcome;
        const continuations = this.#continuations;
        this.#continuations = [];
        for (const continuation of continuations) continuation(outcome);
    }
}
