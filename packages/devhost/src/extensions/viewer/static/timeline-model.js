// The timeline of one execution, built from its raw history (scheduling events included): every activity,
// sub-orchestration and timer as a span from scheduled to completed, external events and suspend/resume as
// points. A task still in flight runs to `now`. Retries (callActivityWithRetry) are attempts of the same
// activity with the same input after a failure; they are numbered.
// Pure: no DOM, so it is unit-tested on its own (test/extensions/viewer/).

const FAILED_ORCHESTRATION_STATUS = 3;

/**
 * @param {Array<Record<string, unknown>>} history events in row order, EventType as its name
 * @param {number} nowMs end of spans still running
 */
export function buildTimeline(history, nowMs) {
    const items = [];
    const byScheduleId = new Map();
    const timersById = new Map();
    const failedAttempts = new Map();
    let orchestration;

    for (const event of history) {
        const at = Date.parse(String(event.Timestamp));
        switch (event.EventType) {
            case 'ExecutionStarted':
                orchestration = {
                    kind: 'orchestration',
                    name: String(event.Name ?? ''),
                    start: at,
                    end: undefined,
                    failed: false,
                    pending: true,
                };
                break;
            case 'ExecutionCompleted':
            case 'ExecutionTerminated':
            case 'ContinueAsNew':
                if (orchestration) {
                    orchestration.end = at;
                    orchestration.pending = false;
                    orchestration.failed =
                        event.OrchestrationStatus === FAILED_ORCHESTRATION_STATUS ||
                        event.OrchestrationStatus === 'Failed';
                    orchestration.outcome = event.EventType === 'ExecutionTerminated' ? 'terminated' : undefined;
                }
                break;
            case 'TaskScheduled':
            case 'SubOrchestrationInstanceCreated': {
                const name = String(event.Name ?? '');
                const key = `${event.EventType}\u0000${name}\u0000${String(event.Input ?? '')}`;
                const previousFailures = failedAttempts.get(key) ?? 0;
                const item = {
                    kind: event.EventType === 'TaskScheduled' ? 'activity' : 'suborchestration',
                    id: Number(event.EventId),
                    name,
                    start: at,
                    end: undefined,
                    pending: true,
                    failed: false,
                    attempt: previousFailures + 1,
                    retryKey: key,
                    instanceId:
                        event.EventType === 'SubOrchestrationInstanceCreated'
                            ? String(event.InstanceId ?? '')
                            : undefined,
                };
                byScheduleId.set(item.id, item);
                items.push(item);
                break;
            }
            case 'TaskCompleted':
            case 'TaskFailed':
            case 'SubOrchestrationInstanceCompleted':
            case 'SubOrchestrationInstanceFailed': {
                const item = byScheduleId.get(Number(event.TaskScheduledId));
                if (!item) break;
                item.end = at;
                item.pending = false;
                if (event.EventType.endsWith('Failed')) {
                    item.failed = true;
                    item.reason = failureText(event);
                    failedAttempts.set(item.retryKey, (failedAttempts.get(item.retryKey) ?? 0) + 1);
                }
                break;
            }
            case 'TimerCreated': {
                const item = {
                    kind: 'timer',
                    id: Number(event.EventId),
                    name: 'timer',
                    start: at,
                    end: undefined,
                    pending: true,
                    failed: false,
                    fireAt: String(event.FireAt ?? ''),
                };
                timersById.set(item.id, item);
                items.push(item);
                break;
            }
            case 'TimerFired': {
                const item = timersById.get(Number(event.TimerId));
                if (item) {
                    item.end = at;
                    item.pending = false;
                }
                break;
            }
            case 'EventRaised':
            case 'EventSent':
            case 'ExecutionSuspended':
            case 'ExecutionResumed':
            case 'ExecutionRewound':
                items.push({
                    kind: event.EventType === 'EventRaised' || event.EventType === 'EventSent' ? 'event' : 'lifecycle',
                    name:
                        event.EventType === 'EventRaised'
                            ? String(event.Name ?? '')
                            : event.EventType === 'EventSent'
                              ? `sent ${String(event.Name ?? '')}`
                              : event.EventType.replace('Execution', '').toLowerCase(),
                    start: at,
                    end: at,
                    pending: false,
                    failed: false,
                    point: true,
                });
                break;
            default:
                break;
        }
    }

    const spans = [...(orchestration ? [orchestration] : []), ...items];
    for (const span of spans) if (span.end === undefined) span.end = Math.max(nowMs, span.start);
    const starts = spans.map((span) => span.start).filter(Number.isFinite);
    const ends = spans.map((span) => span.end).filter(Number.isFinite);
    const start = starts.length > 0 ? Math.min(...starts) : nowMs;
    const end = ends.length > 0 ? Math.max(...ends, start + 1) : start + 1;
    return { start, end, orchestration, items };
}

function failureText(event) {
    const details = event.FailureDetails;
    if (details && typeof details === 'object' && typeof details.ErrorMessage === 'string') {
        return `${typeof details.ErrorType === 'string' ? `${details.ErrorType}: ` : ''}${details.ErrorMessage}`;
    }
    return String(event.Reason ?? event.Details ?? 'failed');
}

/**
 * Large fan-outs are summarised per (kind, name) group instead of a row per task: a concurrency histogram of
 * the group over the whole span, its statistics, and its slowest and failed tasks by name.
 */
export function summariseGroup(items, start, end, buckets) {
    const width = (end - start) / buckets;
    const inFlight = new Array(buckets).fill(0);
    for (const item of items) {
        const first = Math.max(0, Math.min(buckets - 1, Math.floor((item.start - start) / width)));
        const last = Math.max(first, Math.min(buckets - 1, Math.floor((item.end - start) / width)));
        for (let bucket = first; bucket <= last; bucket++) inFlight[bucket]++;
    }
    const durations = items.map((item) => item.end - item.start).sort((a, b) => a - b);
    const percentile = (p) => durations[Math.min(durations.length - 1, Math.floor(p * durations.length))] ?? 0;
    return {
        inFlight,
        peak: Math.max(0, ...inFlight),
        count: items.length,
        failed: items.filter((item) => item.failed).length,
        pending: items.filter((item) => item.pending).length,
        p50: percentile(0.5),
        p95: percentile(0.95),
        max: durations.at(-1) ?? 0,
        slowest: [...items].sort((a, b) => b.end - b.start - (a.end - a.start)).slice(0, 10),
    };
}
