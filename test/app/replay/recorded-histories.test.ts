/**
 * Replay of recorded histories (as Temporal's replay tests do): the raw <Hub>History rows of real runs of
 * the built app on Azurite (test/app/replay/recorded/, written by scripts/record-histories.mjs) are replayed
 * episode by episode through the engine with today's build. Every episode must make exactly the decisions the
 * recorded run made, so a change that would break orders already in flight fails here; a mutated copy must be
 * caught as non-deterministic, which proves the check can fail.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defaultEngineOptions, runEpisode, type EpisodeResult } from '../../../devhost/durable/engine';
import { EventType, type HistoryEvent } from '../../../devhost/protocol/history';
import { loadBuiltApp } from '../../support/replay/built-app';

const app = loadBuiltApp();
const recordedDir = path.join(__dirname, 'recorded');

const recordingSchema = z.object({
    orchestrator: z.string(),
    instanceId: z.string(),
    events: z.array(z.looseObject({ EventType: z.number(), EventId: z.number(), Timestamp: z.string() })),
});
type Recording = { orchestrator: string; instanceId: string; events: HistoryEvent[] };

function readRecording(file: string): Recording {
    const parsed = recordingSchema.parse(JSON.parse(readFileSync(path.join(recordedDir, file), 'utf8')));
    return { ...parsed, events: parsed.events as unknown as HistoryEvent[] };
}

/** What an episode decides (history it writes on its own) versus what it is told (completions, events). */
const DECISIONS = new Set<number>([
    EventType.TaskScheduled,
    EventType.TimerCreated,
    EventType.SubOrchestrationInstanceCreated,
    EventType.ExecutionCompleted,
    EventType.EventSent,
]);
const INPUTS = new Set<number>([
    EventType.ExecutionStarted,
    EventType.TaskCompleted,
    EventType.TaskFailed,
    EventType.TimerFired,
    EventType.EventRaised,
    EventType.SubOrchestrationInstanceCompleted,
    EventType.SubOrchestrationInstanceFailed,
]);

interface Episode {
    start: number;
    events: HistoryEvent[];
}

function episodes(events: readonly HistoryEvent[]): Episode[] {
    const found: Episode[] = [];
    events.forEach((event, index) => {
        if (event.EventType === EventType.OrchestratorStarted) found.push({ start: index, events: [] });
        else found.at(-1)?.events.push(event);
    });
    return found;
}

/** The comparable part of a decision: kind, id, name, timer time, output. */
function decision(event: HistoryEvent): Record<string, unknown> {
    const e = event as unknown as Record<string, unknown>;
    return {
        EventType: e.EventType,
        EventId: e.EventId,
        ...(e.Name !== undefined ? { Name: e.Name } : {}),
        ...(e.FireAt !== undefined ? { FireAt: new Date(String(e.FireAt)).toISOString() } : {}),
        ...(e.EventType === EventType.ExecutionCompleted ? { Result: e.Result, Status: e.OrchestrationStatus } : {}),
    };
}

async function replayEpisode(recording: Recording, past: HistoryEvent[], episode: Episode): Promise<EpisodeResult> {
    const started = recording.events.find((e) => e.EventType === EventType.ExecutionStarted) as unknown as {
        OrchestrationInstance: { InstanceId: string; ExecutionId: string };
    };
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

const files = readdirSync(recordedDir).filter((file) => file.endsWith('.json'));

describe('recorded histories replay on the current build', () => {
    it('has recordings of both orchestrators', () => {
        const names = new Set(files.map((file) => readRecording(file).orchestrator));
        expect(names).toEqual(new Set(['order_processing', 'parallel_processing']));
    });

    it.each(files)('%s: every episode makes the recorded decisions', async (file) => {
        const recording = readRecording(file);
        const all = episodes(recording.events);
        expect(all.length).toBeGreaterThan(1);
        for (const episode of all) {
            const past = recording.events.slice(0, episode.start);
            const result = await replayEpisode(recording, past, episode);
            const made = result.appended.filter((e) => DECISIONS.has(e.EventType)).map(decision);
            const recorded = episode.events.filter((e) => DECISIONS.has(e.EventType)).map(decision);
            expect(made, `${file}, episode at event ${episode.start}`).toEqual(recorded);
        }
    });

    it('catches a history the current code would not have written (a renamed activity) as non-deterministic', async () => {
        const recording = readRecording('order-completed.json');
        const mutated = recording.events.map((event) =>
            event.EventType === EventType.TaskScheduled &&
            (event as unknown as { Name: string }).Name === 'charge_customer'
                ? ({ ...event, Name: 'charge_card' } as unknown as HistoryEvent)
                : event,
        );
        const last = episodes(mutated).at(-1);
        if (!last) throw new Error('no episodes');
        const result = await replayEpisode({ ...recording, events: mutated }, mutated.slice(0, last.start), last);
        expect(result.instance.runtimeStatus).toBe('Failed');
        expect(result.instance.output).toMatch(/Non-Deterministic workflow detected/);
    });
});
