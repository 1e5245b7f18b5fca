/**
 * Replay of the Durable HTTP API's history (`showHistory=true`; DurableClient.GetDurableOrchestrationStatusAsync).
 * The extension abridges it: no EventIds, no OrchestratorStarted/Completed, and each completed TaskScheduled
 * (or SubOrchestrationInstanceCreated) folded into its completion as FunctionName, ScheduledTime and Input. So
 * it cannot be replayed row by row. What it does keep is the order in which the instance took in its answers
 * (completions, timers, events): the instance is run again through the engine with those answers, one at a
 * time, each answering the code's own step of that name (and input, when the history stored inputs) or its
 * timer. A recorded answer the code has no step for, a step of the code's that the recording never answered
 * nor holds as pending, or another ending, is the divergence. Activity results are needed
 * (`showHistoryOutput=true`); ids and timer times are not compared (the abridged history has neither).
 */
import { runEpisode } from '../extensions/durable/engine/episode';
import type { EngineOptions, InvokeOrchestrator } from '../extensions/durable/engine/types';
import { EventType, RuntimeStatus, type HistoryEvent, type RuntimeStatusName } from '../shared/history';
import type { CallSites } from './call-sites';
import { describeEvent, NonDeterminismError, producedFromEngineMessage } from './non-determinism-error';
import { DECISIONS, INPUTS } from './replay-support';

export interface ShowHistoryStatus {
    instanceId?: string;
    input?: unknown;
    historyEvents: ReadonlyArray<Record<string, unknown>>;
}

interface Recorded {
    /** Position in historyEvents (what the error names). */
    index: number;
    type: EventType;
    time: number;
    raw: Record<string, unknown>;
    /** A scheduling step folded into a completion: its name and input. */
    name?: string;
}

export interface AbridgedReplay {
    invoke: InvokeOrchestrator;
    sites: CallSites;
    engineOptions: EngineOptions;
    /** The instance's orchestration version (the API's history does not carry it). */
    version: string | undefined;
}

const SCHEDULED_BY: Partial<Record<EventType, EventType>> = {
    [EventType.TaskCompleted]: EventType.TaskScheduled,
    [EventType.TaskFailed]: EventType.TaskScheduled,
    [EventType.SubOrchestrationInstanceCompleted]: EventType.SubOrchestrationInstanceCreated,
    [EventType.SubOrchestrationInstanceFailed]: EventType.SubOrchestrationInstanceCreated,
};

export async function replayAbridged(
    status: ShowHistoryStatus,
    run: AbridgedReplay,
): Promise<{ episodes: number; runtimeStatus: RuntimeStatusName }> {
    const instanceId = status.instanceId ?? 'replayed-instance';
    const ref = { InstanceId: instanceId, ExecutionId: 'replayed-execution' };
    const recorded = readAbridged(status.historyEvents);
    let history: HistoryEvent[] = [];
    /** The code's steps not answered yet, by id, oldest first. */
    const open = new Map<number, HistoryEvent>();
    const matching = { ambiguous: false };
    let runtimeStatus: RuntimeStatusName = 'Pending';
    let episodes = 0;
    /** The leaf action behind each of the code's steps so far, by id (the same ordinals on every run). */
    const leaves = new Map<number, number>();
    const diverged = (historyIndex: number, historyEvent: string, step?: HistoryEvent): NonDeterminismError => {
        const newest = step ?? [...open.values()].at(-1);
        const leaf = newest ? leaves.get(newest.EventId) : undefined;
        return new NonDeterminismError({
            historyIndex,
            historyEvent,
            produced: newest ? describeEvent(newest) : `nothing further (the code ended ${runtimeStatus})`,
            orchestratorLine: leaf === undefined ? run.sites.last() : run.sites.leaf(leaf),
        });
    };

    for (const input of recorded.answers) {
        if (runtimeStatus !== 'Pending' && runtimeStatus !== 'Running' && runtimeStatus !== 'Suspended') {
            throw diverged(input.index, describeRecorded(input));
        }
        const event = answer(input, open, status, ref, run.version, matching);
        if (event === undefined) throw diverged(input.index, describeRecorded(input));
        const now = Math.max(input.time, event.EventType === EventType.TimerFired ? Date.parse(event.FireAt) : 0);
        const result = await runEpisode(
            {
                instanceId,
                past: history,
                incoming: [{ Event: event, SequenceNumber: 0, OrchestrationInstance: ref }],
                now: new Date(now),
                newGuid: () => ref.ExecutionId,
                options: run.engineOptions,
            },
            run.invoke,
        );
        episodes++;
        if (result.divergence) {
            throw new NonDeterminismError({
                historyIndex: input.index,
                historyEvent: 'the same steps on a second replay (the code does not replay the same way twice)',
                produced: producedFromEngineMessage(result.instance.output),
                orchestratorLine: run.sites.last(),
            });
        }
        const made = result.appended.filter(
            (e) => DECISIONS.has(e.EventType) && e.EventType !== EventType.ExecutionCompleted,
        );
        for (const [id, leaf] of result.decisionActions ?? []) leaves.set(id, leaf);
        if (made.some((step) => step.EventType === EventType.EventSent)) {
            // An entity's answer is an EventRaised named by a request id derived from the execution id, which
            // the abridged history does not carry: answers cannot be matched to today's requests.
            throw new Error(
                'replay: this orchestrator calls entities, which a showHistory replay cannot follow; ' +
                    "replay the provider's history rows instead (host.history(id), or the History table).",
            );
        }
        if (result.newExecution) {
            // The API's history is the current execution's only: a recorded one never continues as new.
            throw diverged(input.index, describeRecorded(input), {
                EventType: EventType.ContinueAsNew,
                EventId: -1,
                Timestamp: input.raw.Timestamp,
            } as unknown as HistoryEvent);
        }
        for (const step of made) open.set(step.EventId, step);
        history = result.newExecution ? [...result.appended] : [...history, ...result.appended];
        runtimeStatus = result.instance.runtimeStatus;
        const completed = result.appended.find((e) => e.EventType === EventType.ExecutionCompleted);
        if (completed && !sameEnding(completed, recorded.ending, matching.ambiguous)) {
            throw diverged(
                recorded.ending?.index ?? status.historyEvents.length,
                recorded.ending
                    ? describeRecorded(recorded.ending)
                    : 'no ending (the recorded instance had not finished)',
                completed,
            );
        }
    }
    // What is still open must be what the recording holds as pending.
    const pending = [...recorded.pending];
    for (const step of open.values()) {
        const at = pending.findIndex(
            (item) =>
                item.type === step.EventType &&
                (item.name === undefined ||
                    item.name.toLowerCase() === String((step as { Name?: string }).Name).toLowerCase()),
        );
        if (at === -1) throw diverged(status.historyEvents.length, 'nothing more (the recording ends here)', step);
        pending.splice(at, 1);
    }
    const missing = pending[0];
    if (missing) throw diverged(missing.index, describeRecorded(missing));
    if (recorded.ending && runtimeStatus === 'Running')
        throw diverged(recorded.ending.index, describeRecorded(recorded.ending));
    return { episodes, runtimeStatus };
}

/** The answers in the order the instance took them in, its pending steps, and how it ended. */
function readAbridged(events: ReadonlyArray<Record<string, unknown>>): {
    answers: Recorded[];
    pending: Recorded[];
    ending: Recorded | undefined;
} {
    const answers: Recorded[] = [];
    const scheduled: Recorded[] = [];
    const firedAt: number[] = [];
    let ending: Recorded | undefined;
    events.forEach((raw, index) => {
        const type = EventType[String(raw.EventType) as keyof typeof EventType] as EventType | undefined;
        if (type === undefined) {
            throw new Error(`replay: history event ${index} has an unknown EventType ${String(raw.EventType)}.`);
        }
        const item: Recorded = {
            index,
            type,
            time: Date.parse(String(raw.Timestamp)),
            raw,
            ...(typeof raw.Name === 'string' ? { name: raw.Name } : {}),
        };
        if (INPUTS.has(type)) answers.push(item);
        if (type === EventType.TimerFired) firedAt.push(Date.parse(String(raw.FireAt)));
        if (
            type === EventType.TaskScheduled ||
            type === EventType.SubOrchestrationInstanceCreated ||
            type === EventType.TimerCreated
        )
            scheduled.push(item);
        if (type === EventType.ExecutionCompleted || type === EventType.ContinueAsNew) ending = item;
    });
    // A TimerCreated whose FireAt a TimerFired carries has fired; the others are pending (or were cancelled).
    const pending = scheduled.filter((item) => {
        if (item.type !== EventType.TimerCreated) return true;
        const at = firedAt.indexOf(Date.parse(String(item.raw.FireAt)));
        if (at === -1) return true;
        firedAt.splice(at, 1);
        return false;
    });
    return { answers, pending, ending };
}

/** A recorded answer as the event the code's own step gets (its id, its timer). */
function answer(
    input: Recorded,
    open: Map<number, HistoryEvent>,
    status: ShowHistoryStatus,
    ref: { InstanceId: string; ExecutionId: string },
    version: string | undefined,
    matching: { ambiguous: boolean },
): HistoryEvent | undefined {
    const { raw } = input;
    const base = { EventId: -1, IsPlayed: false, Timestamp: new Date(input.time).toISOString() };
    switch (input.type) {
        case EventType.ExecutionStarted:
            return {
                ...base,
                EventType: EventType.ExecutionStarted,
                OrchestrationInstance: ref,
                ParentInstance: null,
                Name: String(raw.FunctionName ?? raw.Name),
                Version: version ?? null,
                Input: 'input' in status ? jsonText(status.input) : inputText(raw.Input),
                Tags: null,
                Correlation: null,
                ScheduledStartTime: null,
                Generation: 0,
            } as HistoryEvent;
        case EventType.TaskCompleted:
        case EventType.TaskFailed:
        case EventType.SubOrchestrationInstanceCompleted:
        case EventType.SubOrchestrationInstanceFailed: {
            const step = takeStep(open, SCHEDULED_BY[input.type]!, input, matching);
            if (!step) return undefined;
            const completed =
                input.type === EventType.TaskCompleted || input.type === EventType.SubOrchestrationInstanceCompleted;
            if (completed && !('Result' in raw)) {
                throw new Error(
                    `replay: history event ${input.index} has no Result: get the history with showHistoryOutput=true.`,
                );
            }
            return {
                ...base,
                EventType: input.type,
                TaskScheduledId: step.EventId,
                ...(completed
                    ? { Result: jsonText(raw.Result) }
                    : {
                          Reason: stringOrNull(raw.Reason),
                          Details: stringOrNull(raw.Details),
                          FailureDetails: raw.FailureDetails ?? null,
                      }),
            } as HistoryEvent;
        }
        case EventType.TimerFired: {
            const timers = [...open.values()].filter((event) => event.EventType === EventType.TimerCreated);
            const wanted = Date.parse(String(raw.FireAt));
            const timer = timers.sort((a, b) => distance(a, wanted) - distance(b, wanted))[0];
            if (timer?.EventType !== EventType.TimerCreated) return undefined;
            open.delete(timer.EventId);
            return {
                ...base,
                EventType: EventType.TimerFired,
                TimerId: timer.EventId,
                FireAt: timer.FireAt,
            } as HistoryEvent;
        }
        case EventType.EventRaised:
            return {
                ...base,
                EventType: EventType.EventRaised,
                Name: String(raw.Name),
                Input: inputText(raw.Input),
            } as HistoryEvent;
        default:
            return { ...base, EventType: input.type, Input: inputText(raw.Input) } as HistoryEvent;
    }
}

/** The code's step in flight that a recorded completion answers: same kind and name, same input if recorded. */
function takeStep(
    open: Map<number, HistoryEvent>,
    type: EventType,
    input: Recorded,
    matching: { ambiguous: boolean },
): HistoryEvent | undefined {
    const name = String(input.raw.FunctionName).toLowerCase();
    const candidates = [...open.values()].filter(
        (event) => event.EventType === type && (event as { Name?: string }).Name?.toLowerCase() === name,
    );
    const recordedInput =
        input.raw.Input === undefined || input.raw.Input === null ? undefined : JSON.stringify(parsed(input.raw.Input));
    const sameInput =
        recordedInput === undefined
            ? undefined
            : candidates.find(
                  (event) => JSON.stringify(parsed((event as { Input?: unknown }).Input)) === recordedInput,
              );
    // Without stored inputs, parallel steps of one name are told apart by age only: results may cross.
    if (sameInput === undefined && candidates.length > 1) matching.ambiguous = true;
    const step = sameInput ?? candidates[0];
    if (step) open.delete(step.EventId);
    return step;
}

/** The code's ending against the recorded one: status, and the result unless parallel results may have crossed. */
function sameEnding(completed: HistoryEvent, ending: Recorded | undefined, ambiguous: boolean): boolean {
    if (!ending || completed.EventType !== EventType.ExecutionCompleted) return false;
    const statusName = RuntimeStatus[completed.OrchestrationStatus];
    if (String(ending.raw.OrchestrationStatus) !== statusName) return false;
    if (ambiguous || statusName !== 'Completed' || !('Result' in ending.raw)) return true;
    return JSON.stringify(parsed(completed.Result)) === JSON.stringify(ending.raw.Result);
}

function describeRecorded(step: Recorded): string {
    const name = step.name ?? (typeof step.raw.Name === 'string' ? step.raw.Name : undefined);
    return `${EventType[step.type]}${name ? ` '${name}'` : ''}${step.name ? ' (folded into its completion)' : ''}`;
}

function distance(timer: HistoryEvent, wanted: number): number {
    return Math.abs(Date.parse((timer as { FireAt: string }).FireAt) - wanted);
}

/** JSON text of an input the API shows as a value (the devhost) or as JSON text (the extension). */
function inputText(value: unknown): string | null {
    if (value === undefined || value === null) return null;
    if (typeof value === 'string') {
        try {
            JSON.parse(value);
            return value;
        } catch {
            return JSON.stringify(value);
        }
    }
    return JSON.stringify(value);
}

function jsonText(value: unknown): string | null {
    return value === undefined ? null : JSON.stringify(value);
}

function parsed(value: unknown): unknown {
    if (typeof value !== 'string') return value;
    try {
        return JSON.parse(value) as unknown;
    } catch {
        return value;
    }
}

function stringOrNull(value: unknown): string | null {
    return typeof value === 'string' ? value : null;
}
