/**
 * createTestHost: a v4 app on the real Durable engine, for an app's own tests. By default the task hub is in
 * memory (no Azurite) and time is virtual: it stands still until the test moves it, and while the test awaits
 * `waitForCompletion` it skips to the next durable timer or retry back-off whenever nothing else can happen, so
 * an order with a three-day timeout is tested in milliseconds. Everything else is the devhost as `devhost start`
 * runs it: the app's registrations loaded through the worker's seam, its HTTP routes, the Durable HTTP API, the
 * SDK's own DurableClient.
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import type { DurableClient, DurableOrchestrationStatus } from 'durable-functions';
import { createDurableExtension, type DurableExtension } from '../extensions/durable/extension';
import { durableClientBinding } from '../extensions/durable/http-api/management-urls';
import type { InstanceRecord } from '../extensions/durable/task-hub-port/task-hub-storage';
import { startHost, type RunningHost } from '../host/start-host';
import { isTerminalStatus, type HistoryEvent } from '../shared/history';
import type { HostLogger } from '../shared/host-contracts';
import { parseTimeSpan } from '../shared/timespan';
import {
    ActivityStubs,
    type ActivityStub,
    type ActivityStubFunction,
    type ActivityStubOptions,
} from './activity-stubs';
import { silentLogger } from './loggers';
import { MemoryTaskHub } from './memory-task-hub';
import { realClock, virtualClock, type TestClock } from './virtual-clock';

export interface TestHostOptions {
    /** The app's folder (its package.json `main` names the built files); the current folder by default. */
    appDir?: string;
    /**
     * Registers the functions in this process instead (`df.app.orchestration(...)` and the like, called here):
     * for a test that defines its own orchestrations. Runs once per process; `appDir` then only supplies
     * host.json, if it has one.
     */
    register?: () => unknown;
    /**
     * Changes the app's host.json for this host, e.g. other `extensions.durableTask` settings (a
     * `defaultVersion` of an older release, to test instances it started).
     */
    hostJson?: (hostJson: Readonly<Record<string, unknown>>) => Readonly<Record<string, unknown>>;
    /** `memory` (the default): an in-memory task hub. Or a storage connection string (Azurite, an account). */
    storage?: 'memory' | string;
    /** `virtual` (the default with memory storage): test time; `real`: the wall clock. */
    clock?: 'virtual' | 'real';
    /** Where virtual time starts; now by default. */
    startTime?: Date;
    /** Host and app logs; dropped by default. */
    logger?: HostLogger;
}

export interface WaitOptions {
    /** Real time to wait, in ms (virtual time does not count); 10 s by default. */
    timeoutMs?: number;
}

export interface TestHost {
    /** The host's HTTP pipeline in this process: the app's routes and the Durable HTTP API. */
    fetch(input: string | URL | Request, init?: RequestInit): Promise<Response>;
    /** The durable-functions SDK's DurableClient, bound to this host. */
    readonly client: DurableClient;
    /** The host's current time (virtual or real). */
    now(): Date;
    /** The instance's final status, as `client.getStatus` returns it, once it is Completed, Failed or Terminated. */
    waitForCompletion(instanceId: string, options?: WaitOptions): Promise<DurableOrchestrationStatus>;
    /** The instance's history as stored (its current execution's events, in order). */
    history(instanceId: string): Promise<HistoryEvent[]>;
    /** Replaces an activity for this host (activity-stubs.ts); `delay` makes each call take test time. */
    stubActivity(name: string, fn: ActivityStubFunction, options?: ActivityStubOptions): ActivityStub;
    /** Moves virtual time by ms or a TimeSpan ('2.00:00:00'), fires what falls due and waits until it ran. */
    advanceTime(by: number | string): Promise<void>;
    close(): Promise<void>;
}

/** Consecutive idle checks, a macrotask apart, before the hub counts as idle (a result may be in flight). */
const IDLE_CHECKS = 3;

export async function createTestHost(options: TestHostOptions = {}): Promise<TestHost> {
    const appDir = path.resolve(options.appDir ?? process.cwd());
    const inMemory = (options.storage ?? 'memory') === 'memory';
    if (!inMemory) process.env.AzureWebJobsStorage = options.storage;
    const clockKind = options.clock ?? (inMemory ? 'virtual' : 'real');
    if (clockKind === 'virtual' && !inMemory) {
        throw new Error(
            "createTestHost: clock 'virtual' needs storage 'memory' (a real account's queues keep real time).",
        );
    }
    const clock: TestClock = clockKind === 'virtual' ? virtualClock(options.startTime) : realClock();
    const stubs = new ActivityStubs((ms) => clock.sleep(ms));
    const terminal = new Map<string, InstanceRecord>();
    const waiters = new Map<string, Set<() => void>>();
    let memory: MemoryTaskHub | undefined;

    const durable: DurableExtension = createDurableExtension({
        clock: () => new Date(clock.now()),
        wrapApp: (app) => stubs.wrap(app),
        onCheckpoint: (record) => {
            if (!isTerminalStatus(record.runtimeStatus)) return;
            terminal.set(record.instanceId, record);
            for (const wake of waiters.get(record.instanceId) ?? []) wake();
        },
        ...(inMemory
            ? {
                  createStorage: (request) =>
                      Promise.resolve(
                          (memory = new MemoryTaskHub(request.hubName ?? 'TestHub', request.partitionCount, false, () =>
                              clock.now(),
                          )),
                      ),
                  config: { maxQueuePollingIntervalMs: 50 },
              }
            : {}),
    });
    const host: RunningHost = await startHost({
        appDir,
        port: 0,
        listen: false, // everything goes through fetch and the SDK's in-memory RPC: no socket to open or clean up
        extensions: [durable],
        logger: options.logger ?? silentLogger,
        ...(options.register ? { register: options.register } : {}),
        ...(options.hostJson ? { hostJson: options.hostJson } : {}),
    });
    const runtime = durable.runtime;
    if (runtime === undefined) {
        await host.close();
        throw new Error(`createTestHost: the app in ${appDir} registers no Durable function.`);
    }
    // The runtime's timers are unref'd (a host must not keep a CLI alive), so a test runner that does not hold
    // the process open itself would exit in the middle of a wait: the test host holds it until close().
    const keepAlive = setInterval(() => undefined, 60_000);
    const client = sdkClient(appDir, durableClientBinding(host.origin, runtime.storage.hubName));

    /** Nothing runs but stubs sleeping in test time, nothing is visible: only time can make something happen. */
    async function idle(): Promise<boolean> {
        for (let check = 0; check < IDLE_CHECKS; check++) {
            const working = runtime!.pendingWork - clock.sleeping().count;
            if (working > 0 || (memory?.visibleMessageCount() ?? 0) > 0) return false;
            await new Promise((resolve) => setImmediate(resolve));
        }
        return true;
    }

    /**
     * Skips virtual time to the next thing due (a hidden message: a timer, a retry; or a stub's delay ending)
     * when the hub is idle; true if it did.
     */
    async function skipAhead(): Promise<boolean> {
        if (clock.kind !== 'virtual' || !(await idle())) return false;
        const due = [memory?.nextVisibleAt(), clock.sleeping().nextWake].filter((at) => at !== undefined);
        if (due.length === 0) return false;
        jumpTo(Math.min(...due));
        return true;
    }

    /** Moves test time; leases held by work in hand run on unmoved (memory-task-hub.ts, shiftLeases). */
    function jumpTo(ms: number): void {
        const from = clock.now();
        clock.advanceTo(ms);
        memory?.shiftLeases(clock.now() - from);
        runtime!.wakeAll();
    }

    function terminalOrWait(instanceId: string, ms: number): Promise<void> {
        if (terminal.has(instanceId)) return Promise.resolve();
        return new Promise((resolve) => {
            const set = waiters.get(instanceId) ?? new Set();
            waiters.set(instanceId, set);
            const done = (): void => {
                clearTimeout(timer);
                set.delete(done);
                resolve();
            };
            const timer = setTimeout(done, ms);
            set.add(done);
        });
    }

    return {
        fetch: (input, init) => host.fetch(input, init),
        client,
        now: () => new Date(clock.now()),

        async waitForCompletion(instanceId, waitOptions = {}) {
            const deadline = Date.now() + (waitOptions.timeoutMs ?? 10_000);
            for (;;) {
                // A terminal checkpoint may belong to an earlier execution (a restart): the row decides.
                const row = await runtime.storage.readInstance(instanceId);
                if (row !== undefined && isTerminalStatus(row.runtimeStatus)) {
                    terminal.delete(instanceId);
                    return client.getStatus(instanceId, { showHistory: false, showInput: true });
                }
                // Turned away by version: it would wait on the queue for ever, however far time skips.
                const rejection = runtime.versionGate.rejection(instanceId);
                // Of this instance as it stands (an id reused after a rejection starts over).
                if (rejection !== undefined && row !== undefined && (row.version ?? '') === rejection.version) {
                    throw new Error(
                        `${instanceId} will not finish on this host: ${rejection.reason} (instance version ` +
                            `'${rejection.version}'; createTestHost's hostJson option can give the host another one).`,
                    );
                }
                if (Date.now() > deadline) {
                    throw new Error(
                        `${instanceId} did not finish within ${waitOptions.timeoutMs ?? 10_000} ms of real time ` +
                            `(status ${row?.runtimeStatus ?? 'unknown'}, test time ${new Date(clock.now()).toISOString()}).`,
                    );
                }
                if (!(await skipAhead())) await terminalOrWait(instanceId, 5);
            }
        },

        async history(instanceId) {
            return [...(await runtime.storage.readHistory(instanceId)).events];
        },

        stubActivity(name, fn, stubOptions) {
            return stubs.add(name, fn, runtime.functions.activities.keys(), stubOptions);
        },

        async advanceTime(by) {
            const ms = typeof by === 'number' ? by : parseTimeSpan(by);
            jumpTo(clock.now() + ms);
            // Let what fell due run (and what it schedules for now), without moving time again.
            const deadline = Date.now() + 10_000;
            while (!(await idle()) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 1));
            // Progress rows wait a moment to be replaced (instance-row-writer.ts): store them, so getStatus agrees.
            await runtime.flushRows();
        },

        async close() {
            try {
                await host.close();
            } finally {
                clearInterval(keepAlive); // after: stopping waits on the runtime's unref'd timers too
            }
        },
    };
}

/** The SDK's own client, from the app's copy of durable-functions (`getClient` over the binding's data). */
function sdkClient(appDir: string, binding: ReturnType<typeof durableClientBinding>): DurableClient {
    const df = createRequire(path.join(appDir, 'package.json'))(
        'durable-functions',
    ) as typeof import('durable-functions');
    const input = df.input.durableClient();
    const context = { options: { extraInputs: [input] }, extraInputs: { get: () => binding } };
    return df.getClient(context as unknown as Parameters<typeof df.getClient>[0]);
}
