// Types of timeline-model.js (a browser module served as written), for the unit tests that import it.
export interface TimelineItem {
    kind: 'orchestration' | 'activity' | 'suborchestration' | 'timer' | 'event' | 'lifecycle';
    name: string;
    id?: number;
    start: number;
    end: number;
    pending: boolean;
    failed: boolean;
    point?: boolean;
    attempt?: number;
    reason?: string;
    instanceId?: string;
    fireAt?: string;
    outcome?: 'terminated';
}

export interface Timeline {
    start: number;
    end: number;
    orchestration: TimelineItem | undefined;
    items: TimelineItem[];
}

export function buildTimeline(history: ReadonlyArray<Record<string, unknown>>, nowMs: number): Timeline;

export interface GroupSummary {
    inFlight: number[];
    peak: number;
    count: number;
    failed: number;
    pending: number;
    p50: number;
    p95: number;
    max: number;
    slowest: TimelineItem[];
}

export function summariseGroup(
    items: readonly TimelineItem[],
    start: number,
    end: number,
    buckets: number,
): GroupSummary;
