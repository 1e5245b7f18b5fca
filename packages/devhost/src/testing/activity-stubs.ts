/**
 * Activity doubles for createTestHost: a stub replaces one activity of one host (the app's code runs for every
 * other), sees the input the orchestration scheduled, and answers as the activity would: a value, or a thrown
 * error that fails the attempt (so retry policies and compensation run as in production, without the side
 * effects). Names ignore case, as the Durable extension's do.
 */
import { randomUUID } from 'node:crypto';
import type { InvocationOutcome, InvokeRequest, LoadedApp } from '../shared/host-contracts';
import { parseTimeSpan } from '../shared/timespan';

export interface ActivityCall {
    /** The activity's input, as the orchestration passed it. */
    readonly input: unknown;
    /** 1 for the first call of this stub, 2 for the next (retries included). */
    readonly attempt: number;
}

export type ActivityStubFunction = (input: unknown, call: ActivityCall) => unknown;

export interface ActivityStubOptions {
    /** How long each call takes, in test time (ms or a TimeSpan such as '00:05:00'): virtual time skips it. */
    delay?: number | string;
}

export interface ActivityStub {
    readonly name: string;
    /** Every call so far, in order. */
    readonly calls: readonly ActivityCall[];
    /** Puts the app's own activity back. */
    restore(): void;
}

interface Installed {
    readonly fn: ActivityStubFunction;
    readonly calls: ActivityCall[];
    readonly delayMs: number;
}

export class ActivityStubs {
    readonly #stubs = new Map<string, Installed>();
    readonly #sleep: (ms: number) => Promise<void>;

    /** `sleep` waits in the host's test time (virtual-clock.ts). */
    constructor(sleep: (ms: number) => Promise<void>) {
        this.#sleep = sleep;
    }

    /** Replaces the activity `name`, which must be one of the app's activities (`activities`). */
    add(
        name: string,
        fn: ActivityStubFunction,
        activities: Iterable<string>,
        options: ActivityStubOptions = {},
    ): ActivityStub {
        const known = [...activities];
        const registered = known.find((activity) => activity.toLowerCase() === name.toLowerCase());
        if (registered === undefined) {
            throw new Error(
                `stubActivity('${name}'): the app has no activity of that name (its activities: ${known.join(', ') || 'none'}).`,
            );
        }
        const delay = options.delay ?? 0;
        const delayMs = typeof delay === 'number' ? delay : parseTimeSpan(delay);
        if (!Number.isFinite(delayMs) || delayMs < 0)
            throw new Error(`stubActivity('${name}'): delay must be a duration of zero or more, not ${String(delay)}.`);
        const installed: Installed = { fn, calls: [], delayMs };
        const key = registered.toLowerCase();
        this.#stubs.set(key, installed);
        return {
            name: registered,
            calls: installed.calls,
            restore: () => {
                if (this.#stubs.get(key) === installed) this.#stubs.delete(key);
            },
        };
    }

    /** The app with stubbed activities answered here; everything else goes to the app. */
    wrap(app: LoadedApp): LoadedApp {
        return { ...app, invoke: (request) => this.#invoke(app, request) };
    }

    async #invoke(app: LoadedApp, request: InvokeRequest): Promise<InvocationOutcome> {
        const stub = this.#stubs.get(request.functionName.toLowerCase());
        if (stub === undefined) return app.invoke(request);
        const invocationId = request.invocationId ?? randomUUID();
        const call: ActivityCall = { input: inputOf(request), attempt: stub.calls.length + 1 };
        stub.calls.push(call);
        try {
            await this.#sleep(stub.delayMs);
            const value: unknown = await stub.fn(call.input, call);
            return {
                status: 'success',
                invocationId,
                returnValue: { json: JSON.stringify(value ?? null) },
                outputData: [],
            };
        } catch (error) {
            const failure = error instanceof Error ? error : new Error(String(error));
            return failure.stack === undefined
                ? { status: 'failure', invocationId, message: failure.message }
                : { status: 'failure', invocationId, message: failure.message, stack: failure.stack };
        }
    }
}

/** The activity trigger's value: the runtime sends the input as JSON text under the trigger binding. */
function inputOf(request: InvokeRequest): unknown {
    const data = request.inputData[0]?.data;
    const text = data?.json ?? data?.string;
    return typeof text === 'string' ? (JSON.parse(text) as unknown) : undefined;
}
