/**
 * Crash points and lost responses as a test tool: a TaskHubStorage that forwards every call to the real one
 * (the storage module on Azurite) and, at the k-th call that changes the task hub, injects one fault:
 *
 * - `crash-before`: the process dies before the call is made: the call and every later one never return;
 * - `crash-after`: the call takes effect and the process dies before it hears the answer;
 * - `error-after`: the call takes effect and the caller gets a connection error (the SDK gave up on a call
 *   whose first attempt landed);
 * - `retried`: the call takes effect and is made a second time, as the SDK's retry policy repeats a request
 *   whose response was lost; the caller gets the second attempt's answer (a 409 on an insert, a 412 on a
 *   conditional write, a second copy of a sent message).
 *
 * A crash is in-process: from that moment no storage call of this runtime returns and its function
 * invocations never start (crashApp), so it does nothing more, as if killed; its hub lock is released, as a
 * restart on the same machine breaks a dead pid's lease (hub-lock.ts). A fresh runtime on the same hub then
 * recovers.
 *
 * The enumerated calls are the writes (rows, history, messages sent and deleted, blobs). Receives, lease
 * renewals and reads are time-driven or change nothing durable, so their count differs between runs of one
 * scenario; a crash next to one of them is the same durable state as a crash next to the nearest write.
 */
import type { TaskHubStorage } from '../extensions/durable/task-hub-port/task-hub-storage';
import type { InvokeRequest, LoadedApp } from '../shared/host-contracts';

export type Fault = 'crash-before' | 'crash-after' | 'error-after' | 'retried';

export const FAULTS: readonly Fault[] = ['crash-before', 'crash-after', 'error-after', 'retried'];

/** The calls that change the task hub: the crash points. */
const WRITES: ReadonlySet<string> = new Set([
    'writeInstance',
    'writeNewExecution',
    'appendHistory',
    'purgeInstance',
    'sendControlMessage',
    'sendWorkItem',
    'sendHidden',
    'deleteMessage',
    'setAsideMessage',
    'collectOrphanBlobs',
]);

/** Methods that are not storage calls (names and arithmetic) and pass straight through. */
const LOCAL: ReadonlySet<string> = new Set(['partitionOf', 'controlQueueName']);

export interface FaultPlan {
    /** 1-based index among the write calls (among those of `call` when given). */
    at: number;
    fault: Fault;
    /** Count only the writes of this method (e.g. the 2nd `appendHistory`). */
    call?: string;
}

export interface InjectedFault {
    plan: FaultPlan;
    /** The call the fault hit, e.g. `appendHistory`. */
    call: string;
}

/** A connection reset, as the SDKs report one (no HTTP status: the request may or may not have landed). */
export function connectionReset(call: string): Error {
    return Object.assign(new Error(`read ECONNRESET (injected after ${call} took effect)`), {
        code: 'ECONNRESET',
        name: 'RestError',
    });
}

const never = <T>(): Promise<T> => new Promise<T>(() => undefined);

export class FaultInjectingStorage {
    readonly storage: TaskHubStorage;
    /** Write calls made since `arm`, in order of their start. */
    readonly writes: string[] = [];
    #plan: FaultPlan | undefined;
    #crashed = false;
    #injected: InjectedFault | undefined;
    readonly #onCrash: Array<() => void> = [];
    #lockReleased: Promise<void> = Promise.resolve();

    constructor(inner: TaskHubStorage) {
        this.storage = new Proxy(inner, {
            get: (target, property, receiver) => {
                const value: unknown = Reflect.get(target, property, receiver);
                if (typeof property !== 'string' || typeof value !== 'function' || LOCAL.has(property)) return value;
                const method = value as (...args: unknown[]) => unknown;
                if (property === 'acquireHubLock')
                    return this.#lockThatDiesWithUs(
                        method.bind(target) as NonNullable<TaskHubStorage['acquireHubLock']>,
                    );
                return (...args: unknown[]) =>
                    this.#call(property, () => method.apply(target, args) as Promise<unknown>);
            },
        });
    }

    /** Counts writes from now on (what came before is the scenario's setup) and injects `plan`'s fault. */
    arm(plan: FaultPlan | undefined): void {
        this.writes.length = 0;
        this.#plan = plan;
    }

    get crashed(): boolean {
        return this.#crashed;
    }

    /** The fault that was injected, once it was. */
    get injected(): InjectedFault | undefined {
        return this.#injected;
    }

    /** Kills the runtime now, between two calls (tests of a crash at a moment rather than at a call). */
    crash(): void {
        if (this.#crashed) return;
        this.#crashed = true;
        for (const action of this.#onCrash.splice(0)) action();
    }

    /**
     * Resolves once a crashed runtime's hub lock is let go: what a restart on the same machine finds done when
     * it breaks the dead pid's lease (hub-lock.ts). Await it before starting the next runtime on the hub.
     */
    lockReleased(): Promise<void> {
        return this.#lockReleased;
    }

    /** Runs `action` when the runtime crashes (at once if it already did). */
    onCrash(action: () => void): void {
        if (this.#crashed) action();
        else this.#onCrash.push(action);
    }

    async #call(name: string, run: () => Promise<unknown>): Promise<unknown> {
        if (this.#crashed) return never();
        if (!WRITES.has(name)) return this.#answer(run());
        this.writes.push(name);
        const plan = this.#plan;
        const index = plan?.call === undefined ? this.writes.length : this.writes.filter((w) => w === plan.call).length;
        if (!plan || (plan.call !== undefined && plan.call !== name) || plan.at !== index) return this.#answer(run());
        this.#plan = undefined;
        this.#injected = { plan, call: name };
        switch (plan.fault) {
            case 'crash-before':
                this.crash();
                return never();
            case 'crash-after':
                await run().catch(() => undefined);
                this.crash();
                return never();
            case 'error-after':
                await run().catch(() => undefined);
                throw connectionReset(name);
            case 'retried':
                await run().catch(() => undefined);
                return this.#answer(run());
        }
    }

    /** A dead process hears no answers, not even of calls it made before it died. */
    async #answer(pending: Promise<unknown>): Promise<unknown> {
        try {
            const value = await pending;
            return this.#crashed ? never() : value;
        } catch (error) {
            if (this.#crashed) return never();
            throw error;
        }
    }

    #lockThatDiesWithUs(
        acquire: NonNullable<TaskHubStorage['acquireHubLock']>,
    ): NonNullable<TaskHubStorage['acquireHubLock']> {
        return async (events) => {
            const lock = await acquire(events);
            // A crashed process writes nothing more: not even a hand-over mark.
            this.onCrash(() => {
                this.#lockReleased = lock.release().catch(() => undefined);
            });
            return {
                previousHandedOver: lock.previousHandedOver,
                release: (options) => (this.#crashed ? Promise.resolve() : lock.release(options)),
            };
        };
    }
}

/** The app as the crashed process runs it: once it is dead, no function is invoked any more. */
export function crashableApp(app: LoadedApp, faults: FaultInjectingStorage): LoadedApp {
    return {
        ...app,
        invoke: (request: InvokeRequest) => (faults.crashed ? never() : app.invoke(request)),
    };
}
