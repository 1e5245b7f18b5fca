/**
 * The instance as its committed history says, custom status included: what a row must say when it is
 * repaired after a crash between a checkpoint's history write and its row write.
 *
 * Status and output follow from history alone (its ExecutionCompleted), but the custom status lives only in
 * the Instances row. DTFx gets it back by running the orchestrator again with the redelivered messages; the
 * devhost's engine discards those as duplicates without running the orchestrator, so the repair would keep
 * the row's stale custom status (or none, for a first episode). So this runs the orchestrator once over the
 * committed history (every event played, nothing new) and takes the custom status it sets; its actions are
 * ignored (they are the ones history already holds). A call that fails or returns no state keeps `fallback`.
 */
import { EventType, type ExecutionStartedEvent, type HistoryEvent } from '../../../shared/history';
import { viewOf } from './intake';
import { bindingPayload, callSafely, interpretCall } from './orchestrator-call';
import { snapshotOfView } from './snapshots';
import type { EngineOptions, InstanceSnapshot, InvokeOrchestrator } from './types';

export interface StatusReplayRequest {
    instanceId: string;
    /** Committed history of the current execution. */
    past: readonly HistoryEvent[];
    options: EngineOptions;
    /** The custom status to keep when the orchestrator gives none (the row's). */
    fallback: string | null;
    /** An orchestrator outside this set is not called. */
    knownOrchestrators?: ReadonlySet<string>;
}

export async function replayInstanceStatus(
    req: StatusReplayRequest,
    invoke: InvokeOrchestrator,
): Promise<InstanceSnapshot> {
    const view = viewOf(req.past);
    const started = req.past.find((e): e is ExecutionStartedEvent => e.EventType === EventType.ExecutionStarted);
    if (!started || (req.knownOrchestrators && !req.knownOrchestrators.has(started.Name)))
        return snapshotOfView(view, req.fallback);
    const history = req.past.map((event) => ({ ...event, IsPlayed: true }));
    const payload = bindingPayload(req.instanceId, started, history, true, req.options);
    // The SDK rewrites Timestamps into Dates in place: hand it a copy.
    const interpreted = interpretCall(started.Name, await callSafely(invoke, started.Name, structuredClone(payload)));
    if (interpreted.kind !== 'state') return snapshotOfView(view, req.fallback);
    const custom = interpreted.state.customStatus;
    return snapshotOfView(view, custom === undefined || custom === null ? null : JSON.stringify(custom));
}
