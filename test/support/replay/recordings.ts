/**
 * Recorded histories (test/app/replay/recorded/, written by scripts/record-histories.mjs): the raw
 * <Hub>History rows of real runs of the built app, read back and replayed episode by episode through the
 * engine with today's build.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { defaultEngineOptions, runEpisode, type EpisodeResult } from 'devhost/engine';
import { EventType, type ExecutionStartedEvent, type HistoryEvent } from 'devhost/history';
import { INPUTS } from 'devhost/testing';
import type { BuiltApp } from './built-app';

export const recordedDir = path.join(process.cwd(), 'test', 'app', 'replay', 'recorded');

const recordingSchema = z.object({
    orchestrator: z.string(),
    instanceId: z.string(),
    events: z.array(z.looseObject({ EventType: z.number(), EventId: z.number(), Timestamp: z.string() })),
});
export interface Recording {
    orchestrator: string;
    instanceId: string;
    events: HistoryEvent[];
}

export function recordingFiles(): string[] {
    return readdirSync(recordedDir).filter((file) => file.endsWith('.json'));
}

export function readRecording(file: string): Recording {
    const parsed = recordingSchema.parse(JSON.parse(readFileSync(path.join(recordedDir, file), 'utf8')));
    return { ...parsed, events: parsed.events as unknown as HistoryEvent[] };
}

/** The recording's ExecutionStarted event (its Version is the instance's orchestration version). */
export function startedEvent(events: readonly HistoryEvent[]): ExecutionStartedEvent {
    const started = events.find((event) => event.EventType === EventType.ExecutionStarted);
    if (started === undefined) throw new Error('the recording has no ExecutionStarted');
    return started as ExecutionStartedEvent;
}

/** What an episode decides on its own, versus what it is told (completions, events): the devhost's replay's sets. */
export { DECISIONS, INPUTS } from 'devhost/testing';

export interface Episode {
    start: number;
    events: HistoryEvent[];
}

export function episodes(events: readonly HistoryEvent[]): Episode[] {
    const found: Episode[] = [];
    events.forEach((event, index) => {
        if (event.EventType === EventType.OrchestratorStarted) found.push({ start: index, events: [] });
        else found.at(-1)?.events.push(event);
    });
    return found;
}

/** The comparable part of a decision: kind, id, name, timer time, output. */
export function decision(event: HistoryEvent): Record<string, unknown> {
    const e = event as unknown as Record<string, unknown>;
    return {
        EventType: e.EventType,
        EventId: e.EventId,
        ...(e.Name !== undefined ? { Name: e.Name } : {}),
        ...(e.FireAt !== undefined ? { FireAt: new Date(String(e.FireAt)).toISOString() } : {}),
        ...(e.EventType === EventType.ExecutionCompleted ? { Result: e.Result, Status: e.OrchestrationStatus } : {}),
    };
}

/** Replays one recorded episode: `past` is the history before it, its inputs arrive as the recorded run got them. */
export async function replayEpisode(
    app: BuiltApp,
    recording: Recording,
    past: HistoryEvent[],
    episode: Episode,
): Promise<EpisodeResult> {
    const started = startedEvent(recording.events);
    const now = new Date(String((recording.events[episode.start] as unknown as { Timestamp: string }).Timestamp));
    return runEpisode(
        {
            instanceId: recording.instanceId,
            past,
            incoming: episode.events
                .filter((event) => INPUTS.has(event.EventType))
                .map((event) => ({
                    Event: event,
                    SequenceNumber: 0,
                    OrchestrationInstance: started.OrchestrationInstance,
                })),
            now,
            newGuid: () => 'replay-guid',
            options: defaultEngineOptions,
        },
        app.invokeOrchestrator,
    );
}
