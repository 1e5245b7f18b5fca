/**
 * One orchestration episode, as the Durable extension and DTFx run it on a batch of control-queue
 * messages: take in what applies, append OrchestratorStarted and the new events, call the orchestrator
 * with the V3 binding, replay its actions to find the new decisions, decide completion, and keep going in
 * the same episode after ContinueAsNew. Pure: no storage, no queues, no clock of its own.
 *
 * Stored IsPlayed follows DTFx: events the orchestrator processed are marked played; OrchestratorStarted,
 * decisions and completion events are not. The binding always shows committed history as played.
 *
 * Suspension: while an instance is suspended, accepted messages are appended to history without running
 * the orchestrator (DTFx also keeps them in history); the orchestrator sees them after the resume, in
 * history order. Terminate works whether or not the instance is suspended.
 */
import {
    EventType,
    RuntimeStatus,
    type ExecutionStartedEvent,
    type HistoryEvent,
    type RuntimeStatusName,
} from '../../../shared/history';
import { parseTimeSpan } from '../../../shared/timespan';
import { findEntityAction } from './actions';
import { decide } from './decide';
import { releaseAtEnd, releaseOrphanedLocks } from './entity-locks';
import { lastSentToEntities, unknownEntityFailure } from './entity-requests';
import {
    executionCompleted,
    orchestratorCompleted,
    orchestratorStarted,
    subOrchestrationCompleted,
    subOrchestrationFailed,
} from './events';
import { clientMessageKey, consumedKeyHash, takeIn, viewOf, type ExecutionView } from './intake';
import { addressed, executionStartedEvent } from './messages';
import { bindingPayload, callSafely, interpretCall } from './orchestrator-call';
import { replay, type Divergence, type ReplayOptions } from './replay';
import { snapshotBase, snapshotOfView } from './snapshots';
import type { EpisodeRequest, EpisodeResult, InvokeOrchestrator, OutboundMessage } from './types';

/** DTFx loops ContinueAsNew within one work item; this bounds an orchestrator that never waits. */
const maxGenerationsPerEpisode = 1000;

interface Generation {
    executionId: string;
    started: ExecutionStartedEvent;
    past: readonly HistoryEvent[];
    /** Events new to this generation in this episode (ExecutionStarted on a first episode). */
    fresh: readonly HistoryEvent[];
}

type Ending =
    | { kind: 'running' }
    | {
          kind: 'completed';
          status: RuntimeStatus.Completed | RuntimeStatus.Failed;
          result: string | null;
          details: string | null;
      }
    | { kind: 'continueAsNew'; input: unknown; carryOver: HistoryEvent[] };

interface GenerationRun {
    events: HistoryEvent[];
    outbound: OutboundMessage[];
    ending: Ending;
    /** JSON text; null when the state has none; undefined when there was no state at all. */
    customStatus: string | null | undefined;
    eventWaits?: string[];
    divergence?: Divergence;
    decisionActions?: ReadonlyMap<number, number>;
}

export async function runEpisode(req: EpisodeRequest, invoke: InvokeOrchestrator): Promise<EpisodeResult> {
    const intake = takeIn(req.past, req.incoming, req.now, new Set(req.consumedBefore ?? []));
    const { view } = intake;
    const started = view.started;
    const common = { discarded: intake.discarded, deferred: intake.deferred };

    if (!started || intake.accepted.length === 0) {
        return {
            executionId: started?.OrchestrationInstance.ExecutionId ?? '',
            newExecution: false,
            startIndex: req.past.length,
            appended: [],
            outbound: [],
            instance: snapshotOfView(view, req.customStatus ?? null),
            ...common,
            ranOrchestrator: false,
        };
    }

    const past = intake.restarted ? [] : req.past;
    const executionId = started.OrchestrationInstance.ExecutionId;
    const startsExecution = intake.accepted.includes(started);

    if (intake.terminated) {
        const terminated = terminate(req, intake.accepted, past, view, started, startsExecution, common);
        // Restarted and terminated in one batch: the new execution's history replaces the old one.
        return intake.restarted ? { ...terminated, newExecution: true, consumedBefore: [] } : terminated;
    }
    if (view.suspended) {
        return {
            executionId,
            newExecution: intake.restarted,
            ...(intake.restarted ? { consumedBefore: [] } : {}),
            startIndex: past.length,
            appended: [orchestratorStarted(req.now), ...intake.accepted.map(unplayed), orchestratorCompleted(req.now)],
            outbound: [],
            instance: {
                ...snapshotBase(started, startsExecution),
                runtimeStatus: 'Suspended',
                output: null,
                customStatus: req.customStatus ?? null,
                completedTime: null,
            },
            ...common,
            ranOrchestrator: false,
        };
    }

    const options = replayOptions(req);
    let generation: Generation = { executionId, started, past, fresh: intake.accepted };
    let newExecution = intake.restarted;
    let customStatus: string | null = req.customStatus ?? null;
    let createdHere = startsExecution;
    // A restart begins a new instance: nothing consumed before counts. A ContinueAsNew adds what the ending
    // generation consumed.
    let consumedBefore: string[] = intake.restarted ? [] : [...(req.consumedBefore ?? [])];
    const outbound: OutboundMessage[] = [];
    for (let count = 1; ; count++) {
        const run = await runGeneration(generation, req, options, invoke, count < maxGenerationsPerEpisode);
        outbound.push(...run.outbound);
        // No state (the call failed): the row's status stands. A later generation that reports none keeps
        // the previous generation's, as DTFx carries custom status over ContinueAsNew.
        if (run.customStatus !== undefined) customStatus = run.customStatus ?? (count > 1 ? customStatus : null);
        const { ending } = run;
        if (ending.kind === 'continueAsNew') {
            consumedBefore = rememberConsumed(consumedBefore, [...generation.past, ...generation.fresh]);
            const next = executionStartedEvent({
                instanceId: req.instanceId,
                executionId: req.newGuid(),
                name: generation.started.Name,
                input: ending.input,
                parent: generation.started.ParentInstance,
                version: generation.started.Version,
                // DTFx leaves a ContinueAsNew start's Generation null (TaskOrchestrationDispatcher.cs); the row keeps
                // the previous one (checkpoint-rows.ts).
                generation: null,
                tags: generation.started.Tags,
                now: req.now,
            });
            generation = {
                executionId: next.OrchestrationInstance.ExecutionId,
                started: next,
                past: [],
                fresh: [next, ...ending.carryOver],
            };
            newExecution = true;
            createdHere = true;
            continue;
        }
        if (ending.kind === 'completed') outbound.push(...notifyParent(generation.started, ending, req.now));
        const status: RuntimeStatusName =
            ending.kind === 'completed' ? (RuntimeStatus[ending.status] as RuntimeStatusName) : 'Running';
        return {
            executionId: generation.executionId,
            newExecution,
            startIndex: newExecution ? 0 : past.length,
            appended: run.events,
            outbound,
            instance: {
                ...snapshotBase(generation.started, createdHere),
                runtimeStatus: status,
                output: ending.kind === 'completed' ? ending.result : null,
                customStatus,
                completedTime: ending.kind === 'completed' ? req.now : null,
            },
            ...common,
            ranOrchestrator: true,
            eventWaits: run.eventWaits ?? [],
            ...(run.divergence ? { divergence: run.divergence } : {}),
            ...(run.decisionActions ? { decisionActions: run.decisionActions } : {}),
            ...(newExecution ? { consumedBefore } : {}),
        };
    }
}

/** How many consumed client-message keys a generation keeps (each 16 hex digits; the sentinel cell holds 32K). */
export const MAX_CONSUMED_KEYS = 1000;

/**
 * The keys after a generation ends: the earlier ones plus the client messages it applied, newest last, at
 * most MAX_CONSUMED_KEYS (a redelivery comes within a lease of the crash, so the oldest are the safest to
 * forget). Hashed: event data can be large.
 */
function rememberConsumed(before: readonly string[], generationEvents: readonly HistoryEvent[]): string[] {
    const keys = new Set(before);
    for (const event of generationEvents) {
        const key = clientMessageKey(event);
        if (key !== undefined) keys.add(consumedKeyHash(key));
    }
    return [...keys].slice(-MAX_CONSUMED_KEYS);
}

async function runGeneration(
    generation: Generation,
    req: EpisodeRequest,
    options: ReplayOptions,
    invoke: InvokeOrchestrator,
    mayContinueAsNew: boolean,
): Promise<GenerationRun> {
    const { started, executionId } = generation;
    const name = started.Name;
    const opening = orchestratorStarted(req.now);
    const history: HistoryEvent[] = [...generation.past.map(played), opening, ...generation.fresh.map(unplayed)];
    const firstNewIndex = generation.past.length;
    const processed = generation.fresh.map(played);

    /** A failure decided before any replay: no decisions, the completion takes the history's next id. */
    const failNow = (result: string, details: string | null, customStatus?: string | null): GenerationRun => {
        const ending: Ending = { kind: 'completed', status: RuntimeStatus.Failed, result, details };
        return {
            events: [
                opening,
                ...processed,
                completionAt(viewOf(history), ending, req.now),
                orchestratorCompleted(req.now),
            ],
            outbound: releaseOrphanedLocks(history, req.instanceId, req.now),
            ending,
            customStatus,
        };
    };

    if (req.knownOrchestrators && !req.knownOrchestrators.has(name)) {
        return failNow(
            `Orchestrator function '${name}' failed: The function '${name}' doesn't exist, is disabled, or is not an orchestrator function.`,
            null,
        );
    }
    if (req.failBeforeRun) return failNow(req.failBeforeRun.result, req.failBeforeRun.details);

    const payload = bindingPayload(req.instanceId, started, history, generation.past.length > 0, req.options);
    // The SDK rewrites Timestamps into Dates in place: hand it a copy, keep ours as stored.
    const call = await callSafely(invoke, name, structuredClone(payload));
    const interpreted = interpretCall(name, call);
    if (interpreted.kind === 'failed') return failNow(interpreted.result, interpreted.details);
    const { state, error } = interpreted;
    const customStatus =
        state.customStatus === undefined || state.customStatus === null ? null : JSON.stringify(state.customStatus);

    const entity = findEntityAction(state.actions);
    if (entity) {
        return failNow(
            `Orchestrator function '${name}' failed: ${entity.actionName}${entity.target ? ` on '${entity.target}'` : ''} is not supported by the devhost (callEntity and signalEntity are).`,
            null,
            customStatus,
        );
    }

    const replayed = replay({ executionId, history, firstNewIndex, actions: state.actions, options });
    if (replayed.nonDeterminism) {
        return {
            ...failNow(
                replayed.nonDeterminism,
                `Unhandled exception while executing orchestration: ${replayed.nonDeterminism}`,
                customStatus,
            ),
            ...(replayed.divergence ? { divergence: replayed.divergence } : {}),
        };
    }
    const unknownEntity = req.knownEntities && unknownEntityFailure(replayed.decisions, req.knownEntities);
    if (unknownEntity) return failNow(`Orchestrator function '${name}' failed: ${unknownEntity}`, null, customStatus);
    const instanceRef = { InstanceId: req.instanceId, ExecutionId: executionId };
    // What this execution sent to each entity before (its EventSent events): the sender side of entity ordering.
    const sentToEntities = lastSentToEntities(history);
    const decided = replayed.decisions.map((decision) => decide(decision, started, instanceRef, req, sentToEntities));
    const quiet = replayed.allActionsReached && replayed.openTasks === 0;

    let ending: Ending = { kind: 'running' };
    if (error !== undefined) {
        // The extension replays the actions of a failed run and throws only once that replay has finished.
        if (quiet) {
            ending = {
                kind: 'completed',
                status: RuntimeStatus.Failed,
                result: `Orchestrator function '${name}' failed: ${error}`,
                details: `Message: ${error}, StackTrace: ${call.kind === 'error' ? (call.stack ?? '') : ''}`,
            };
        }
    } else if (state.isDone && quiet && replayed.continueAsNew && !mayContinueAsNew) {
        ending = {
            kind: 'completed',
            status: RuntimeStatus.Failed,
            result: `Orchestrator function '${name}' failed: it continued as new ${maxGenerationsPerEpisode} times in one episode without waiting for anything.`,
            details: null,
        };
    } else if (state.isDone && quiet) {
        ending = replayed.continueAsNew
            ? {
                  kind: 'continueAsNew',
                  input: replayed.continueAsNew.input,
                  carryOver: replayed.continueAsNew.carryOver,
              }
            : {
                  kind: 'completed',
                  status: RuntimeStatus.Completed,
                  result: state.output === undefined ? null : JSON.stringify(state.output),
                  details: null,
              };
    }
    // Locks still held are released as the orchestration ends (entity-locks.ts).
    const sent = decided.map((d) => d.event);
    const end = ending.kind === 'completed' ? ending.status : ending.kind;
    const released = releaseAtEnd(end, [...history, ...sent], instanceRef, replayed.nextId, req.now);
    const closing: HistoryEvent[] =
        ending.kind === 'completed' ? [completionAt({ nextId: released.nextId }, ending, req.now)] : [];
    return {
        events: [opening, ...processed, ...sent, ...released.events, ...closing, orchestratorCompleted(req.now)],
        outbound: [...decided.flatMap((d) => d.outbound), ...released.outbound],
        ending,
        customStatus,
        eventWaits: replayed.eventWaits,
        decisionActions: replayed.decisionActions,
    };
}

function terminate(
    req: EpisodeRequest,
    accepted: readonly HistoryEvent[],
    past: readonly HistoryEvent[],
    view: ExecutionView,
    started: ExecutionStartedEvent,
    startsExecution: boolean,
    common: Pick<EpisodeResult, 'discarded' | 'deferred'>,
): EpisodeResult {
    const terminated = accepted.find((event) => event.EventType === EventType.ExecutionTerminated);
    const reason = terminated && terminated.EventType === EventType.ExecutionTerminated ? terminated.Input : null;
    const completion = executionCompleted(view.nextId, RuntimeStatus.Terminated, reason, req.now);
    return {
        executionId: started.OrchestrationInstance.ExecutionId,
        newExecution: false,
        startIndex: past.length,
        appended: [orchestratorStarted(req.now), ...accepted.map(unplayed), completion, orchestratorCompleted(req.now)],
        // DTFx sends a terminated child's parent no Details, and the SDK then cannot read the failure at all
        // ("could not parse its exception data"); the devhost sends a Details text so the parent sees the reason.
        outbound: [
            ...notifyParent(
                started,
                {
                    status: RuntimeStatus.Terminated,
                    result: reason,
                    details: `Orchestration '${started.OrchestrationInstance.InstanceId}' was terminated.`,
                },
                req.now,
            ),
            ...releaseOrphanedLocks([...past, ...accepted], req.instanceId, req.now),
        ],
        instance: {
            ...snapshotBase(started, startsExecution),
            runtimeStatus: 'Terminated',
            output: reason,
            customStatus: req.customStatus ?? null,
            completedTime: req.now,
        },
        ...common,
        ranOrchestrator: false,
    };
}

/** DTFx notifies a parent when a child completes (Completed) or fails (Failed, Terminated). */
function notifyParent(
    started: ExecutionStartedEvent,
    ending: { status: RuntimeStatus; result: string | null; details: string | null },
    now: Date,
): OutboundMessage[] {
    const parent = started.ParentInstance;
    if (!parent) return [];
    const event =
        ending.status === RuntimeStatus.Completed
            ? subOrchestrationCompleted(parent.TaskScheduleId, ending.result, now)
            : subOrchestrationFailed(parent.TaskScheduleId, ending.result, ending.details, now);
    return [
        {
            queue: 'control',
            message: addressed(event, parent.OrchestrationInstance),
        },
    ];
}

function completionAt(
    counter: { nextId: number },
    ending: Extract<Ending, { kind: 'completed' }>,
    now: Date,
): HistoryEvent {
    return executionCompleted(counter.nextId, ending.status, ending.result, now);
}

function replayOptions(req: EpisodeRequest): ReplayOptions {
    return {
        maximumShortTimerMs: parseTimeSpan(req.options.maximumShortTimerDuration),
        longRunningTimerIntervalMs: parseTimeSpan(req.options.longRunningTimerIntervalDuration),
        defaultHttpAsyncRequestSleepMs: req.options.defaultHttpAsyncRequestSleepTimeMilliseconds,
    };
}

function played(event: HistoryEvent): HistoryEvent {
    return { ...event, IsPlayed: true };
}

function unplayed(event: HistoryEvent): HistoryEvent {
    return { ...event, IsPlayed: false };
}
