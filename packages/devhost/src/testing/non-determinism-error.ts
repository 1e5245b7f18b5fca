/**
 * The failure replay() reports when today's code no longer makes the decisions a recorded history holds:
 * which history event, what the code did instead, and where in the orchestrator (durable-js #122: the
 * runtime's own "Non-Deterministic workflow detected" names a sequence number, not a line).
 */
import { EventType, type HistoryEvent } from '../shared/history';

export interface Divergence {
    /** Index of the recorded event in the history (0-based, OrchestratorStarted events included). */
    historyIndex: number;
    /** The recorded event, described: kind, sequence id, name. */
    historyEvent: string;
    /** What today's code did at that point instead. */
    produced: string;
    /** `file:line:column` of the orchestrator step behind it, when known. */
    orchestratorLine: string | undefined;
}

export class NonDeterminismError extends Error implements Divergence {
    readonly historyIndex: number;
    readonly historyEvent: string;
    readonly produced: string;
    readonly orchestratorLine: string | undefined;

    constructor(divergence: Divergence) {
        super(
            `Non-deterministic orchestrator: history event ${divergence.historyIndex} is ${divergence.historyEvent}, ` +
                `but the code produced ${divergence.produced}` +
                (divergence.orchestratorLine ? ` (at ${divergence.orchestratorLine})` : '') +
                '. A change made after instances started must keep their steps (version the orchestrator instead).',
        );
        this.name = 'NonDeterminismError';
        this.historyIndex = divergence.historyIndex;
        this.historyEvent = divergence.historyEvent;
        this.produced = divergence.produced;
        this.orchestratorLine = divergence.orchestratorLine;
    }
}

/** "TaskScheduled #3 'charge_customer'", "TimerCreated #4 firing at …", "ExecutionCompleted (Completed) …". */
export function describeEvent(event: HistoryEvent): string {
    const e = event as unknown as Record<string, unknown>;
    const kind = EventType[event.EventType] ?? `EventType ${event.EventType}`;
    const id = event.EventId >= 0 ? ` #${event.EventId}` : '';
    switch (event.EventType) {
        case EventType.TimerCreated:
            return `${kind}${id} firing at ${String(e.FireAt)}`;
        case EventType.ExecutionCompleted:
            return `${kind} with result ${String(e.Result)}`;
        default:
            return typeof e.Name === 'string' ? `${kind}${id} '${e.Name}'` : `${kind}${id}`;
    }
}

/** From the engine's message: "an activity task named 'x'" when it scheduled something else, else nothing. */
export function producedFromEngineMessage(message: string | null): string {
    const instead = /instead scheduled (.+?) at this sequence number/.exec(message ?? '');
    return instead?.[1] ?? 'nothing at this point (it has not, or not yet, scheduled that step)';
}
