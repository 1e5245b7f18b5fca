/**
 * Calling the orchestrator function and reading its answer as the extension does: the handler's
 * OrchestratorState, or a thrown failure that carries its state after `$OutOfProcData$:`. Shared by episodes
 * and by the status replay (status-replay.ts).
 */
import { errorMessage } from '../../../shared/errors';
import type { ExecutionStartedEvent, HistoryEvent } from '../../../shared/history';
import { parseOrchestratorState, type OrchestratorState } from './actions';
import { tryParseJson } from './events';
import type { EngineOptions, InvokeOrchestrator, OrchestrationBindingPayload, OrchestratorCallResult } from './types';

const outOfProcDataMarker = '$OutOfProcData$:';

/** The orchestrationTrigger binding JSON the extension sends for one call (docs/protocol.md §9). */
export function bindingPayload(
    instanceId: string,
    started: ExecutionStartedEvent,
    history: HistoryEvent[],
    isReplaying: boolean,
    options: EngineOptions,
): OrchestrationBindingPayload {
    return {
        history,
        input: started.Input === null ? null : tryParseJson(started.Input),
        instanceId,
        isReplaying,
        parentInstanceId: started.ParentInstance?.OrchestrationInstance.InstanceId ?? null,
        upperSchemaVersion: 1,
        // V4: the SDK's lock() needs it (the extension announces V3 and knows no lock actions: entity-locks.ts).
        upperSchemaVersionNew: 3,
        longRunningTimerIntervalDuration: options.longRunningTimerIntervalDuration,
        maximumShortTimerDuration: options.maximumShortTimerDuration,
        defaultHttpAsyncRequestSleepTimeMillseconds: options.defaultHttpAsyncRequestSleepTimeMilliseconds,
    };
}

export type Interpreted =
    | { kind: 'state'; state: OrchestratorState; error: string | undefined }
    | { kind: 'failed'; result: string; details: string | null };

/**
 * The handler's answer as the extension reads it. A thrown SDK failure carries its state after
 * `$OutOfProcData$:`. A state with no `error` (a non-Error was thrown) would leave the real extension
 * waiting forever; the devhost fails the instance with the text before the marker instead.
 */
export function interpretCall(name: string, call: OrchestratorCallResult): Interpreted {
    const failed = (message: string, stack?: string): Interpreted => ({
        kind: 'failed',
        result: `Orchestrator function '${name}' failed: ${message}`,
        details: JSON.stringify({ Message: message, StackTrace: stack ?? null }),
    });
    if (call.kind === 'state') {
        try {
            const state = parseOrchestratorState(call.state);
            return { kind: 'state', state, error: state.error };
        } catch (e) {
            return failed(`the orchestrator returned an invalid OrchestratorState: ${errorMessage(e)}`);
        }
    }
    const markerAt = call.message.indexOf(outOfProcDataMarker);
    if (markerAt < 0) return failed(call.message, call.stack);
    try {
        const state = parseOrchestratorState(call.message.slice(markerAt + outOfProcDataMarker.length));
        const prefix = call.message.slice(0, markerAt).trim();
        return {
            kind: 'state',
            state,
            error: state.error ?? (prefix || 'the orchestrator threw a value that is not an Error'),
        };
    } catch (e) {
        return failed(
            `${call.message.slice(0, markerAt).trim()} (unreadable $OutOfProcData$: ${errorMessage(e)})`,
            call.stack,
        );
    }
}

export async function callSafely(
    invoke: InvokeOrchestrator,
    name: string,
    payload: OrchestrationBindingPayload,
): Promise<OrchestratorCallResult> {
    try {
        return await invoke(name, payload);
    } catch (e) {
        return e instanceof Error
            ? { kind: 'error', message: e.message, ...(e.stack === undefined ? {} : { stack: e.stack }) }
            : { kind: 'error', message: String(e) };
    }
}
