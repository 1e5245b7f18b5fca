/**
 * The engine's public types: what the runtime hands an episode and what it gets back. The runtime owns
 * storage, queues and clocks; the engine is a pure function of (history, messages, orchestrator answer).
 */
import type { HistoryEvent, RuntimeStatusName, TaskMessage } from '../../../shared/history';
import type { Divergence } from './replay-contract';

/** From host.json `extensions.durableTask` (or the Azure Storage provider's defaults). */
export interface EngineOptions {
    /** TimeSpan text, e.g. "6.00:00:00": longer timers are split into sub-timers. */
    maximumShortTimerDuration: string;
    /** TimeSpan text, e.g. "3.00:00:00": the length of each sub-timer of a long timer. */
    longRunningTimerIntervalDuration: string;
    /** Poll interval of callHttp's 202 pattern when the response has no Retry-After. */
    defaultHttpAsyncRequestSleepTimeMilliseconds: number;
    /**
     * The extension's `storeInputsInOrchestrationHistory` (host.json, off by default): TaskScheduled events in
     * history keep the activity's input. Without it only the work item carries the input.
     */
    storeInputsInOrchestrationHistory?: boolean;
    /**
     * host.json `defaultVersion`: the Version of a sub-orchestration started without one (the extension stamps
     * the host's version on every instance it creates; docs/protocol.md §16). Absent: ''.
     */
    defaultVersion?: string;
}

export const defaultEngineOptions: EngineOptions = {
    maximumShortTimerDuration: '6.00:00:00',
    longRunningTimerIntervalDuration: '3.00:00:00',
    defaultHttpAsyncRequestSleepTimeMilliseconds: 30_000,
};

export type OrchestratorCallResult =
    /** The handler's return value (OrchestratorState JSON, or its text). */
    | { kind: 'state'; state: unknown }
    /** The invocation failed; `message` may carry `\n\n$OutOfProcData$:<state JSON>`. */
    | { kind: 'error'; message: string; stack?: string };

/** The orchestrationTrigger binding JSON the Durable extension sends (docs/protocol.md §9). */
export interface OrchestrationBindingPayload {
    history: HistoryEvent[];
    input: unknown;
    instanceId: string;
    isReplaying: boolean;
    parentInstanceId: string | null;
    upperSchemaVersion: 1;
    upperSchemaVersionNew: 3;
    longRunningTimerIntervalDuration: string;
    maximumShortTimerDuration: string;
    /** Spelled as the extension spells it. */
    defaultHttpAsyncRequestSleepTimeMillseconds: number;
}

export type InvokeOrchestrator = (
    functionName: string,
    payload: OrchestrationBindingPayload,
) => Promise<OrchestratorCallResult>;

export interface EpisodeRequest {
    instanceId: string;
    /** Committed history of the current execution ([] for a new instance). */
    past: HistoryEvent[];
    /** This batch's messages in arrival order (may hold duplicates or stale ones). */
    incoming: TaskMessage[];
    /** The episode's clock: OrchestratorStarted.Timestamp and every timer computed in it. */
    now: Date;
    /** New ExecutionIds (ContinueAsNew, sub-orchestrations). */
    newGuid: () => string;
    options: EngineOptions;
    /** When given, an ExecutionStarted for a name outside this set fails the instance at once. */
    knownOrchestrators?: ReadonlySet<string>;
    /** When given, a request to an entity whose name is outside this set fails the orchestration. */
    knownEntities?: ReadonlySet<string>;
    /**
     * The instance row's current customStatus (JSON text). Optional; kept when the orchestrator is not run
     * in this episode (suspended, no-op) and carried into a ContinueAsNew generation, as DTFx does.
     */
    customStatus?: string | null;
    /**
     * Keys of client messages consumed by earlier generations of this instance (see intake.ts), as stored
     * with the history; a redelivered one is discarded instead of applied to the current generation.
     */
    consumedBefore?: readonly string[];
    /**
     * Fail the execution instead of calling the orchestrator (the runtime's version check decided so:
     * versionFailureStrategy Fail, runtime/version-gate.ts): `result` is the output, `details` what a parent gets.
     */
    failBeforeRun?: { result: string; details: string | null };
}

export interface OutboundMessage {
    queue: 'control' | 'workItem';
    message: TaskMessage;
    /** Not to be delivered before this instant (timers). */
    visibleAt?: Date;
}

export interface InstanceSnapshot {
    name: string;
    runtimeStatus: RuntimeStatusName;
    /** JSON text of the current execution's input. */
    input: string | null;
    /** JSON text of the output; for Failed the failure message, for Terminated the reason (raw text). */
    output: string | null;
    customStatus: string | null;
    completedTime: Date | null;
    /** The start event's Generation; null when it names none (the row keeps the previous one). */
    generation: number | null;
    parentInstanceId: string | null;
    /** Set when this episode started an execution (first start or a restart). */
    createdTime?: Date;
    scheduledStartTime: Date | null;
}

export interface EpisodeResult {
    executionId: string;
    /** True when the history restarts (ContinueAsNew, restart): write from index 0, replacing the old rows. */
    newExecution: boolean;
    startIndex: number;
    appended: HistoryEvent[];
    outbound: OutboundMessage[];
    instance: InstanceSnapshot;
    /** Duplicates / stale / not applicable: the runtime deletes them. */
    discarded: TaskMessage[];
    /** Not applicable yet (early timer, message before its instance starts): the runtime keeps them queued. */
    deferred: TaskMessage[];
    ranOrchestrator: boolean;
    /**
     * When the orchestrator ran: the events its last replay still awaits, by name (waitForExternalEvent, and
     * entity answers named by request id). History does not record a wait; the viewer's "Waiting for" shows it.
     */
    eventWaits?: string[];
    /**
     * Set when the episode starts a new execution: the client-message keys the checkpoint must store for the
     * new generation (those consumed by the generations it replaces; empty for a restart).
     */
    consumedBefore?: string[];
    /** Set when the episode failed the instance as non-deterministic: where its code and history parted. */
    divergence?: Divergence;
    /** Behind each decision this episode appended (by EventId): its leaf action, as in Divergence. */
    decisionActions?: ReadonlyMap<number, number>;
}
