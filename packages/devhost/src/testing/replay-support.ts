/**
 * What both replay drivers share (replay-history.ts for the provider's rows, show-history.ts for the HTTP
 * API's abridged history): the SDK's handler for the orchestrator under test, and which events an episode
 * decides on its own versus is told.
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import type { OrchestrationHandler } from 'durable-functions';
import type { InvokeOrchestrator } from '../extensions/durable/engine/types';
import { EventType, type HistoryEvent } from '../shared/history';

/** What an episode decides on its own. */
export const DECISIONS = new Set<number>([
    EventType.TaskScheduled,
    EventType.TimerCreated,
    EventType.SubOrchestrationInstanceCreated,
    EventType.EventSent,
    EventType.ExecutionCompleted,
    EventType.ContinueAsNew,
]);
/** What an episode is told: the start, completions, events, and the client's commands. */
export const INPUTS = new Set<number>([
    EventType.ExecutionStarted,
    EventType.TaskCompleted,
    EventType.TaskFailed,
    EventType.TimerFired,
    EventType.EventRaised,
    EventType.SubOrchestrationInstanceCompleted,
    EventType.SubOrchestrationInstanceFailed,
    EventType.ExecutionTerminated,
    EventType.ExecutionSuspended,
    EventType.ExecutionResumed,
]);

/** A decision reduced to what must not change: kind, sequence id, name, timer time, result. */
export function comparable(event: HistoryEvent, options: { ids: boolean; times: boolean }): string {
    const e = event as unknown as Record<string, unknown>;
    const completed = e.EventType === EventType.ExecutionCompleted;
    return JSON.stringify({
        EventType: e.EventType,
        EventId: options.ids ? e.EventId : null,
        Name: e.Name ?? null,
        FireAt: options.times && e.FireAt !== undefined ? new Date(String(e.FireAt)).toISOString() : null,
        ...(completed ? { Status: e.OrchestrationStatus } : {}),
        ...(completed && e.Result !== undefined ? { Result: e.Result } : {}),
    });
}

/** The SDK's orchestration handler for `orchestrator`, called as the worker calls it (a JSON boundary). */
export function sdkInvoker(orchestrator: OrchestrationHandler, appDir = process.cwd()): InvokeOrchestrator {
    const appRequire = createRequire(path.join(path.resolve(appDir), 'package.json'));
    // The handler df.app.orchestration registers for a generator (durable-functions' own testing utility).
    const { createOrchestrator } = appRequire('durable-functions/lib/src/util/testingUtils') as {
        createOrchestrator: (fn: OrchestrationHandler) => (trigger: unknown, context: unknown) => Promise<unknown>;
    };
    const { InvocationContext } = appRequire('@azure/functions') as typeof import('@azure/functions');
    const handler = createOrchestrator(orchestrator);
    return async (functionName, payload) => {
        try {
            const state = await handler(payload, new InvocationContext({ functionName }));
            return { kind: 'state', state: JSON.parse(JSON.stringify(state)) as unknown };
        } catch (e) {
            const error = e instanceof Error ? e : new Error(String(e));
            return { kind: 'error', message: error.message, ...(error.stack ? { stack: error.stack } : {}) };
        }
    };
}
