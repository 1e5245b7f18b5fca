/**
 * Rewind of a failed instance, as DTFx's Azure Storage provider does it (RewindHistoryAsync), in a simple form:
 * the failure is taken out of history so that a replay re-runs what failed, and nothing that succeeded.
 *
 * - Every TaskFailed, and the TaskScheduled it answers, becomes a GenericEvent "Rewound: <type>" (EventId -1):
 *   on replay the SDK asks for that activity again with the same id, and the engine schedules it anew.
 * - Every SubOrchestrationInstanceFailed and its SubOrchestrationInstanceCreated likewise: the child is started
 *   again under the same child id (a fresh execution of it, not a rewind of the child's own history).
 * - Timers created in an episode that took in one of those failures (TimerCreated, and its TimerFired) are
 *   rewound as well: they are what the orchestrator did because of the failure, above all the retry delays of
 *   callActivityWithRetry (failure → timer → next attempt). Left in history, the replay, which now does not
 *   fail there, would never create them and fail as non-deterministic.
 * - ExecutionCompleted(Failed) becomes a GenericEvent too, so the execution is open again.
 * Rows keep their positions (events are replaced, not removed), so the rewrite is one overwrite of the same
 * rows under the sentinel ETag. The instance then gets an ExecutionRewound message to run an episode.
 */
import { EventType, RuntimeStatus, type HistoryEvent } from '../../../shared/history';

const REWOUND_PREFIX = 'Rewound: ';

function rewound(event: HistoryEvent): HistoryEvent {
    return {
        EventType: EventType.GenericEvent,
        EventId: -1,
        IsPlayed: event.IsPlayed,
        Timestamp: event.Timestamp,
        Data: `${REWOUND_PREFIX}${EventType[event.EventType]}`,
    };
}

export interface RewindResult {
    events: HistoryEvent[];
    /** How many failures were taken out (failed tasks and sub-orchestrations). */
    rewoundTasks: number;
}

/** The history with its failures rewound; throws when the execution did not end in failure. */
export function rewindHistory(events: readonly HistoryEvent[]): RewindResult {
    const failedTaskIds = new Set<number>();
    const failedChildIds = new Set<number>();
    let failedEnding = false;
    for (const event of events) {
        if (event.EventType === EventType.TaskFailed) failedTaskIds.add(event.TaskScheduledId);
        else if (event.EventType === EventType.SubOrchestrationInstanceFailed)
            failedChildIds.add(event.TaskScheduledId);
        else if (event.EventType === EventType.ExecutionCompleted && event.OrchestrationStatus === RuntimeStatus.Failed)
            failedEnding = true;
    }
    if (!failedEnding) throw new Error('Only a failed execution can be rewound.');
    const failureTimers = timersAfterFailures(events, failedTaskIds, failedChildIds);
    const out = events.map((event): HistoryEvent => {
        switch (event.EventType) {
            case EventType.TaskFailed:
            case EventType.SubOrchestrationInstanceFailed:
            case EventType.ExecutionCompleted:
                return rewound(event);
            case EventType.TaskScheduled:
                return failedTaskIds.has(event.EventId) ? rewound(event) : event;
            case EventType.SubOrchestrationInstanceCreated:
                return failedChildIds.has(event.EventId) ? rewound(event) : event;
            case EventType.TimerCreated:
                return failureTimers.has(event.EventId) ? rewound(event) : event;
            case EventType.TimerFired:
                return failureTimers.has(event.TimerId) ? rewound(event) : event;
            default:
                return event;
        }
    });
    return { events: out, rewoundTasks: failedTaskIds.size + failedChildIds.size };
}

/**
 * Ids of the timers created in an episode (OrchestratorStarted up to the next one) whose incoming events include
 * a failure being rewound.
 */
function timersAfterFailures(
    events: readonly HistoryEvent[],
    failedTaskIds: ReadonlySet<number>,
    failedChildIds: ReadonlySet<number>,
): Set<number> {
    const timers = new Set<number>();
    let episodeHadFailure = false;
    let episodeTimers: number[] = [];
    const closeEpisode = (): void => {
        if (episodeHadFailure) for (const id of episodeTimers) timers.add(id);
        episodeHadFailure = false;
        episodeTimers = [];
    };
    for (const event of events) {
        if (event.EventType === EventType.OrchestratorStarted) closeEpisode();
        else if (event.EventType === EventType.TaskFailed && failedTaskIds.has(event.TaskScheduledId))
            episodeHadFailure = true;
        else if (
            event.EventType === EventType.SubOrchestrationInstanceFailed &&
            failedChildIds.has(event.TaskScheduledId)
        )
            episodeHadFailure = true;
        else if (event.EventType === EventType.TimerCreated) episodeTimers.push(event.EventId);
    }
    closeEpisode();
    return timers;
}
