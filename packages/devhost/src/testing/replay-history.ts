/**
 * replay(history, orchestrator): today's orchestrator code against a recorded history, as a worker that
 * picks the instance up after a deploy would run it. The history is replayed episode by episode through the
 * real engine and the real SDK: every episode must make exactly the decisions the recorded one made, so a
 * change that would break instances in flight fails here, with the history event, the action the code made
 * instead and the orchestrator's line (NonDeterminismError), rather than as an opaque failed instance later.
 */
import type { OrchestrationHandler } from 'durable-functions';
import { runEpisode } from '../extensions/durable/engine/episode';
import { defaultEngineOptions, type EngineOptions } from '../extensions/durable/engine/types';
import { EventType, type HistoryEvent, type RuntimeStatusName } from '../shared/history';
import { CallSites } from './call-sites';
import { describeEvent, NonDeterminismError, producedFromEngineMessage } from './non-determinism-error';
import { readRecordedHistory, type RecordedHistory } from './recorded-history';
import { comparable, DECISIONS, INPUTS, sdkInvoker } from './replay-support';
import { replayAbridged } from './show-history';

export type { RecordedHistory } from './recorded-history';
export { NonDeterminismError } from './non-determinism-error';

export interface ReplayOptions {
    /** The folder whose durable-functions runs the orchestrator (the app's); the current folder by default. */
    appDir?: string;
    /** host.json's Durable settings, when the app changes them (timer lengths, for one). */
    engineOptions?: Partial<EngineOptions>;
    /** The instance's orchestration version, for a history from the HTTP API (which leaves it out). */
    version?: string;
}

export interface ReplayReport {
    /** The episodes replayed (each an OrchestratorStarted of the recording). */
    episodes: number;
    /** The status today's code reaches with the recorded answers. */
    runtimeStatus: RuntimeStatusName;
}

/**
 * Replays `history` (the provider's history rows: `host.history(id)`, a recorded file, or the Durable HTTP
 * API's `showHistory` JSON, see recorded-history.ts) against `orchestrator`, and resolves when every episode
 * made the recorded decisions; rejects with a NonDeterminismError at the first one that did not.
 */
export async function replay(
    history: RecordedHistory,
    orchestrator: OrchestrationHandler,
    options: ReplayOptions = {},
): Promise<ReplayReport> {
    const recorded = readRecordedHistory(history);
    const sites = new CallSites();
    const invoke = sdkInvoker(sites.wrap(orchestrator), options.appDir);
    const engineOptions = { ...defaultEngineOptions, ...options.engineOptions };
    if (recorded.kind === 'abridged') {
        const run = await replayAbridged(recorded.status, { invoke, sites, engineOptions, version: options.version });
        return { episodes: run.episodes, runtimeStatus: run.runtimeStatus };
    }
    const { events } = recorded;
    const started = events.find((event) => event.EventType === EventType.ExecutionStarted);
    if (started?.EventType !== EventType.ExecutionStarted)
        throw new Error('replay: the history has no ExecutionStarted event.');
    const instanceId = started.OrchestrationInstance.InstanceId;

    const starts = events.flatMap((event, index) => (event.EventType === EventType.OrchestratorStarted ? [index] : []));
    let runtimeStatus: RuntimeStatusName = 'Running';
    for (const [n, start] of starts.entries()) {
        const end = starts[n + 1] ?? events.length;
        const episode = events.slice(start + 1, end);
        const result = await runEpisode(
            {
                instanceId,
                past: events.slice(0, start),
                incoming: episode
                    .filter((event) => INPUTS.has(event.EventType))
                    .map((event) => ({
                        Event: event,
                        SequenceNumber: 0,
                        OrchestrationInstance: started.OrchestrationInstance,
                    })),
                now: new Date(events[start]?.Timestamp ?? 0),
                newGuid: () => '00000000-0000-0000-0000-000000000000',
                options: engineOptions,
            },
            invoke,
        );
        if (result.divergence) {
            const { historyIndex, leafAction } = result.divergence;
            const event = events[historyIndex];
            throw new NonDeterminismError({
                historyIndex,
                historyEvent: event ? describeEvent(event) : `event ${historyIndex}`,
                produced: producedFromEngineMessage(result.instance.output),
                orchestratorLine: leafAction === null ? sites.last() : sites.leaf(leafAction),
            });
        }
        const made = result.appended.filter((event) => DECISIONS.has(event.EventType));
        const expected = episode.filter((event) => DECISIONS.has(event.EventType));
        const differs = firstDifference(made, expected);
        if (differs !== undefined) {
            const mine = made[differs];
            const theirs = expected[differs];
            const leaf = mine === undefined ? undefined : result.decisionActions?.get(mine.EventId);
            throw new NonDeterminismError({
                historyIndex: theirs === undefined ? end : start + 1 + episode.indexOf(theirs),
                historyEvent:
                    theirs === undefined ? 'nothing more (the recorded episode ends here)' : describeEvent(theirs),
                produced: mine === undefined ? 'nothing (the code made no further step here)' : describeEvent(mine),
                orchestratorLine: leaf === undefined ? sites.last() : sites.leaf(leaf),
            });
        }
        runtimeStatus = result.instance.runtimeStatus;
    }
    return { episodes: starts.length, runtimeStatus };
}

/** The index of the first decision that differs in kind, sequence id, name, timer time or result. */
function firstDifference(made: readonly HistoryEvent[], expected: readonly HistoryEvent[]): number | undefined {
    const exact = { ids: true, times: true };
    for (let i = 0; i < Math.max(made.length, expected.length); i++) {
        const a = made[i];
        const b = expected[i];
        if (a === undefined || b === undefined || comparable(a, exact) !== comparable(b, exact)) return i;
    }
    return undefined;
}
