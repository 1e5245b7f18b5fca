/**
 * The crash-point runner: a scenario (a few client calls and what their instances must end as) is run once
 * without faults to count its task-hub writes, then once per write k and per fault (fault-injecting-storage.ts),
 * each run on a task hub of its own. After a crash a fresh runtime on the same hub recovers, the scenario's
 * client calls are repeated as a client retries them (they are idempotent), and then the invariants must hold:
 * every instance the scenario expects ends as it expects, every row agrees with its history, every history is
 * clean, nothing was set aside as poison, and the queues drain. Without a crash (a lost or repeated response)
 * the same runtime must get there by itself, without a restart.
 *
 * The runs of a scenario go four at a time, each on its own hub. A failing run's report names the fault and
 * the write it hit, the problems, the writes of the run, every row's history and the warnings logged
 * (CRASH_POINTS_ALL_LOGS=1: every log line); CRASH_POINTS_TRACE=1 prints the phases of every run.
 */
import { afterAll, beforeAll, expect } from 'vitest';
import { createTaskHubStorage, parseConnectionString } from '../extensions/durable/azure-storage';
import type { DurableClientService } from '../extensions/durable/runtime/client';
import { durableConfigFromHostJson, type DurableConfig } from '../extensions/durable/runtime/durable-config';
import { DurableRuntime } from '../extensions/durable/runtime/durable-runtime';
import { InstanceAlreadyExistsError } from '../extensions/durable/runtime/errors';
import type { InstanceRecord, TaskHubStorage } from '../extensions/durable/task-hub-port/task-hub-storage';
import { EventType, isTerminalStatus } from '../shared/history';
import type { LoadedApp, LogEntry } from '../shared/host-contracts';
import { crashableApp, FaultInjectingStorage, FAULTS, type Fault, type FaultPlan } from './fault-injecting-storage';
import { allRows, hubProblems, poisonBlobs, undrainedQueues, waitForTerminal } from './hub-invariants';
import { loggingInto } from './loggers';
import { pollUntil } from './poll-until';
import { uniqueHubName } from './unique-hub-name';

export interface ScenarioContext {
    client: DurableClientService;
    /** The runtime's view of the hub (reads go through the faults too). */
    storage: TaskHubStorage;
}

/** A scenario: its name, and a fresh run of it (own instance ids: the app's tables are shared between runs). */
export interface Scenario {
    name: string;
    create(): ScenarioRun;
}

export interface ScenarioRun {
    /** Runs without faults before the counted part (e.g. the order a restart replaces). */
    setup?(context: ScenarioContext): Promise<void>;
    /**
     * The client's part, idempotent: after a crash it runs again on the next runtime, as a client retries a
     * call that got no answer. Resolves once the client has done all it does (it may wait for instances).
     */
    act(context: ScenarioContext): Promise<void>;
    /** The instances that must end, and how each must end (problems; empty when right). */
    expect(rows: ReadonlyMap<string, InstanceRecord | undefined>, storage: TaskHubStorage): Promise<string[]>;
    /** The instance ids `expect` reads. */
    instances: readonly string[];
}

export interface CrashPointOptions {
    app: LoadedApp;
    connectionString: string;
    /**
     * The Durable settings of every runtime; by default the app's host.json as the extension reads it (short
     * leases and polling intervals are always applied on top, to keep a run short).
     */
    config?: Omit<DurableConfig, 'hubName'>;
    /** Runs at once (each has its own hub). */
    concurrency?: number;
    /** How long a run may take to reach its expected end after the fault. */
    settleMs?: number;
    faults?: readonly Fault[];
    /** Only these write indices (a debugging aid: `CRASH_POINTS=3,7`). */
    only?: readonly number[];
}

export interface CrashPointReport {
    scenario: string;
    writes: number;
    /** The write calls of the fault-free run, in order (what k means). */
    calls: readonly string[];
    runs: number;
    failures: string[];
}

const FAST: Partial<DurableConfig> = {
    messageLeaseSeconds: 1,
    maxMessageLeaseSeconds: 2,
    maxQueuePollingIntervalMs: 200,
    shutdownTimeoutMs: 2_000,
};

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * After the client's part: waits until the runtime crashed, or the scenario's instances ended and the runtime
 * wrote nothing for a while (so a fault at one of the trailing writes, a message delete after the last
 * checkpoint say, is reached before the checks).
 */
async function settle(
    faults: FaultInjectingStorage,
    instances: readonly string[],
    hubName: string,
    options: CrashPointOptions,
    crashed: Promise<'crashed'>,
): Promise<'crashed' | 'settled'> {
    const check = createTaskHubStorage({ connection: parseConnectionString(options.connectionString), hubName });
    const deadline = Date.now() + (options.settleMs ?? 20_000);
    let writes = -1;
    let quietSince = Date.now();
    for (;;) {
        if (faults.crashed) return 'crashed';
        if (faults.writes.length !== writes) {
            writes = faults.writes.length;
            quietSince = Date.now();
        }
        const ended = await Promise.race([waitForTerminal(check, instances, 0), crashed]);
        if (ended === 'crashed') return 'crashed';
        const allEnded = [...ended.values()].every((row) => row && isTerminalStatus(row.runtimeStatus));
        if ((allEnded && Date.now() - quietSince > QUIET_MS) || Date.now() > deadline) return 'settled';
        await sleep(50);
    }
}

/**
 * The client's part as a client does it: a call that fails is made again (a few times, a moment apart), as a
 * caller retries a request that got an error. Every scenario's part is idempotent.
 */
async function actAsAClient(scenario: ScenarioRun, context: ScenarioContext): Promise<void> {
    for (let attempt = 1; ; attempt++) {
        try {
            await scenario.act(context);
            return;
        } catch (error) {
            if (attempt >= 3) throw error;
            await sleep(200);
        }
    }
}

/** How long a runtime writes nothing before its trailing work counts as done. */
const QUIET_MS = 600;

/**
 * A test file's crash points: `load` gives the options once (the file's app loaded, in beforeAll), `run` runs
 * a scenario at every write and expects every point to recover, and after the file each scenario's count is
 * printed (the suite says how many crash points it covered).
 */
export function crashPointSuite(load: () => Promise<CrashPointOptions>): { run(scenario: Scenario): Promise<void> } {
    let options: CrashPointOptions | undefined;
    const reports: CrashPointReport[] = [];
    beforeAll(async () => {
        options = { ...(await load()), only: process.env.CRASH_POINTS?.split(',').map(Number) };
    });
    afterAll(() => {
        for (const report of reports) {
            console.log(
                `${report.scenario}: ${report.writes} task-hub writes × faults = ${report.runs} crash points, ${report.runs - report.failures.length} recovered`,
            );
        }
    });
    return {
        async run(scenario) {
            if (!options) throw new Error('the crash-point suite has no options: its beforeAll did not run');
            const report = await runCrashPoints(scenario, options);
            reports.push(report);
            expect(report.failures, report.failures.join('\n\n')).toEqual([]);
            expect(report.writes).toBeGreaterThan(0);
        },
    };
}

/** What an app's HTTP starter does: answer an existing instance, start a missing one (a retry is harmless). */
export async function ensureStarted(
    client: DurableClientService,
    name: string,
    instanceId: string,
    input: unknown,
): Promise<void> {
    if (await client.getStatus(instanceId)) return;
    try {
        await client.startNew(name, { instanceId, input: JSON.stringify(input) });
    } catch (error) {
        if (!(error instanceof InstanceAlreadyExistsError)) throw error;
    }
}

/** A stored JSON cell as a value (undefined for none). */
export const jsonOf = (text: string | null | undefined): unknown => (text ? (JSON.parse(text) as unknown) : undefined);

/** A short random suffix: each run's instance ids are its own (the app's tables are shared between runs). */
export const uniqueSuffix = (): string => Math.random().toString(36).slice(2, 10);

/** Runs every crash point of a scenario; the report lists each run whose invariants did not hold. */
export async function runCrashPoints(scenario: Scenario, options: CrashPointOptions): Promise<CrashPointReport> {
    const reference = await runOnce(scenario, options, undefined);
    if (reference.problems.length > 0)
        throw new Error(`${scenario.name} fails without any fault:\n${reference.problems.join('\n')}`);
    const calls = reference.calls;
    const plans: FaultPlan[] = [];
    for (let at = 1; at <= calls.length; at++) {
        if (options.only && !options.only.includes(at)) continue;
        for (const fault of options.faults ?? FAULTS) plans.push({ at, fault });
    }
    const failures: string[] = [];
    let next = 0;
    const worker = async (): Promise<void> => {
        for (let plan = plans[next++]; plan; plan = plans[next++]) {
            const outcome = await runOnce(scenario, options, plan);
            if (outcome.problems.length > 0) {
                failures.push(
                    `${scenario.name} ${plan.fault} at write ${plan.at} (${outcome.hit ?? 'not reached'}):\n  ${outcome.problems.join('\n  ')}\n  log: ${outcome.log}`,
                );
            }
        }
    };
    await Promise.all(Array.from({ length: options.concurrency ?? 4 }, worker));
    return { scenario: scenario.name, writes: calls.length, calls, runs: plans.length, failures };
}

interface RunOutcome {
    calls: string[];
    hit: string | undefined;
    problems: string[];
    log: string;
}

async function runOnce(
    definition: Scenario,
    options: CrashPointOptions,
    plan: FaultPlan | undefined,
): Promise<RunOutcome> {
    const scenario = definition.create();
    const began = Date.now();
    const phases: string[] = [];
    const mark = (phase: string): void => void phases.push(`${phase} ${Date.now() - began}ms`);
    const hubName = uniqueHubName('Cp');
    const connection = parseConnectionString(options.connectionString);
    const base = options.config ?? durableConfigFromHostJson(options.app.hostJson, process.env);
    const config: DurableConfig = { ...base, ...FAST, hubName };
    const logs: LogEntry[] = [];
    const logger = loggingInto(logs);
    const started: DurableRuntime[] = [];
    const newRuntime = async (storage: TaskHubStorage, app: LoadedApp): Promise<DurableRuntime> => {
        const runtime = new DurableRuntime({ app, storage, config, logger });
        await runtime.start();
        started.push(runtime);
        return runtime;
    };
    const problems: string[] = [];
    const faults = new FaultInjectingStorage(createTaskHubStorage({ connection, hubName }));
    try {
        const first = await newRuntime(faults.storage, crashableApp(options.app, faults));
        const context = { client: first.client, storage: faults.storage };
        if (scenario.setup) await scenario.setup(context);
        faults.arm(plan);
        const crashed = new Promise<'crashed'>((resolve) => faults.onCrash(() => resolve('crashed')));
        const acted = actAsAClient(scenario, context).then(
            () => 'acted' as const,
            (error: unknown) => error,
        );
        let outcome = await Promise.race([acted, crashed]);
        mark('acted');
        if (outcome === 'acted') outcome = await settle(faults, scenario.instances, hubName, options, crashed);
        mark(outcome === 'crashed' ? 'crashed' : 'settled');
        if (outcome === 'crashed') {
            // The crashed runtime is left as it is (a dead process does nothing more); a new one takes over,
            // and the client repeats what got no answer.
            started.splice(started.indexOf(first), 1);
            await faults.lockReleased();
            const fresh = createTaskHubStorage({ connection, hubName });
            const next = await newRuntime(fresh, options.app);
            await actAsAClient(scenario, { client: next.client, storage: fresh });
            mark('restarted');
        } else if (outcome !== 'settled') {
            problems.push(`the client's call failed: ${String(outcome)}`);
        }
        const check = createTaskHubStorage({ connection, hubName });
        await waitForTerminal(check, scenario.instances, options.settleMs ?? 20_000);
        mark('ended');
        // Rows may still lag behind history for a moment (a repair waits for a redelivery's back-off): the
        // invariants must hold eventually, within the settle time.
        problems.push(
            ...(await pollUntil(
                async () => [
                    ...(await scenario.expect(await waitForTerminal(check, scenario.instances, 0), check)),
                    ...(await hubProblems(check)),
                ],
                (found) => found.length === 0,
                options.settleMs ?? 20_000,
                100,
            )),
        );
        const left = await undrainedQueues(options.connectionString, hubName, check.partitionCount, 10_000);
        if (Object.keys(left).length > 0) problems.push(`messages left: ${JSON.stringify(left)}`);
        const poison = await poisonBlobs(options.connectionString, hubName);
        if (poison.length > 0) problems.push(`set aside as poison: ${poison.join(', ')}`);
        mark('checked');
        if (problems.length > 0) {
            problems.push(`writes: ${faults.writes.join(' ')}`);
            for (const row of await allRows(check)) {
                const { events } = await check.readHistory(row.instanceId);
                const names = events.map(
                    (e) =>
                        `${EventType[e.EventType]}${e.EventType === EventType.EventRaised || e.EventType === EventType.EventSent || e.EventType === EventType.ExecutionStarted ? `(${JSON.stringify(e).slice(0, 600)})` : ''}`,
                );
                problems.push(`${row.instanceId} ${row.runtimeStatus} history: ${names.join(' ')}`);
            }
        }
        if (process.env.CRASH_POINTS_TRACE)
            console.log(`${definition.name} ${plan?.fault ?? 'no fault'} ${plan?.at ?? ''}: ${phases.join(', ')}`);
    } catch (error) {
        problems.push(`run failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    } finally {
        await Promise.all(started.map((runtime) => runtime.stop().catch(() => undefined)));
        await sleep(0);
    }
    return {
        calls: faults.writes,
        hit: faults.injected?.call,
        problems,
        log: logs
            .filter(
                (entry) => process.env.CRASH_POINTS_ALL_LOGS || entry.level === 'warning' || entry.level === 'error',
            )
            .map((entry) => entry.message)
            .join(' | '),
    };
}
