/**
 * What the shim's replay (replay.ts) takes and gives: the decisions an episode makes, and, when the code no
 * longer matches its history, where the two parted (for the non-determinism error and devhost/testing's replay).
 */
import type { EventRaisedEvent, HistoryEvent } from '../../../shared/history';
import type { Action } from './actions';
import type { EntityMessage } from './entity-protocol';

export const httpActivityName = 'BuiltIn::HttpActivity';

export type Decision =
    | { kind: 'task'; id: number; name: string; input: string }
    | { kind: 'timer'; id: number; fireAt: Date }
    | { kind: 'subOrchestration'; id: number; name: string; instanceId: string; input: string | null; version?: string }
    /** A message to an entity: EventSent "op" (operation or lock request) or "release" to `@name@key`. */
    | { kind: 'eventSent'; id: number; name: string; instanceId: string; message: EntityMessage };

export interface ReplayOptions {
    maximumShortTimerMs: number;
    longRunningTimerIntervalMs: number;
    defaultHttpAsyncRequestSleepMs: number;
}

export interface ReplayInput {
    executionId: string;
    /** The whole history the SDK saw this episode (past, OrchestratorStarted, new events). */
    history: readonly HistoryEvent[];
    /** Index of this episode's OrchestratorStarted in `history`. */
    firstNewIndex: number;
    actions: readonly Action[];
    options: ReplayOptions;
}

export interface ReplayResult {
    /** Where history and code parted, with nonDeterminism. */
    divergence: Divergence | null;
    /** The leaf action (as in Divergence) behind each new decision, by id. */
    decisionActions: ReadonlyMap<number, number>;
    /** Steps scheduled by the replay that history does not hold yet, in id order. */
    decisions: Decision[];
    nonDeterminism: string | null;
    /** Whether the shim got past its last top-level action (none is still awaited). */
    allActionsReached: boolean;
    openTasks: number;
    /** The next id: ExecutionCompleted takes it. */
    nextId: number;
    /** Names of the events still awaited, once per waiter (entity answers too: named by their request ids). */
    eventWaits: string[];
    continueAsNew: { input: unknown; carryOver: EventRaisedEvent[] } | null;
}

/**
 * The first history event the code did not reproduce: its index in the history and sequence id, and the
 * leaf action (depth-first ordinal in the SDK's action list, composites not counted) whose step took that id,
 * null when the code scheduled nothing there.
 */
export interface Divergence {
    historyIndex: number;
    eventId: number;
    leafAction: number | null;
}

export function describeDecision(decision: Decision): string {
    switch (decision.kind) {
        case 'task':
            return `an activity task named '${decision.name}'`;
        case 'timer':
            return 'a timer';
        case 'subOrchestration':
            return `a sub-orchestration named '${decision.name}'`;
        case 'eventSent':
            return `an event '${decision.name}' sent to '${decision.instanceId}'`;
    }
}
