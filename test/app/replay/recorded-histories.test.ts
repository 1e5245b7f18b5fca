/**
 * Replay of recorded histories (as Temporal's replay tests do): the raw <Hub>History rows of real runs of
 * the built app on Azurite (test/app/replay/recorded/, written by scripts/record-histories.mjs) are replayed
 * episode by episode through the engine with today's build. Every episode must make exactly the decisions the
 * recorded run made, so a change that would break orders already in flight fails here; a mutated copy must be
 * caught as non-deterministic, which proves the check can fail.
 */
import { describe, expect, it } from 'vitest';
import { EventType, type HistoryEvent } from 'devhost/history';
import { LATEST_ORDER_WORKFLOW_VERSION } from '../../../src/orchestrators/order-processing-versions';
import { loadBuiltApp } from '../../support/replay/built-app';
import {
    DECISIONS,
    decision,
    episodes,
    readRecording,
    recordingFiles,
    replayEpisode,
    startedEvent,
} from '../../support/replay/recordings';

const app = loadBuiltApp();
const files = recordingFiles();

describe('recorded histories replay on the current build', () => {
    it('has recordings of both orchestrators', () => {
        const names = new Set(files.map((file) => readRecording(file).orchestrator));
        expect(names).toEqual(new Set(['order_processing', 'parallel_processing']));
    });

    it('keeps recordings of version 1 orders (started before versioning) while the version 1 branch exists', () => {
        const versions = files
            .map(readRecording)
            .filter((recording) => recording.orchestrator === 'order_processing')
            .map((recording) => startedEvent(recording.events).Version ?? '');
        expect(versions.filter((version) => version === '' || version.startsWith('1')).length).toBeGreaterThan(0);
    });

    it('has recordings of order_processing at host.json defaultVersion (npm run record-histories after a bump)', () => {
        const versions = files
            .map(readRecording)
            .filter((recording) => recording.orchestrator === 'order_processing')
            .map((recording) => startedEvent(recording.events).Version ?? '');
        expect(versions).toContain(LATEST_ORDER_WORKFLOW_VERSION);
    });

    it.each(files)('%s: every episode makes the recorded decisions', async (file) => {
        const recording = readRecording(file);
        const all = episodes(recording.events);
        expect(all.length).toBeGreaterThan(1);
        for (const episode of all) {
            const past = recording.events.slice(0, episode.start);
            const result = await replayEpisode(app, recording, past, episode);
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
        const result = await replayEpisode(app, { ...recording, events: mutated }, mutated.slice(0, last.start), last);
        expect(result.instance.runtimeStatus).toBe('Failed');
        expect(result.instance.output).toMatch(/Non-Deterministic workflow detected/);
    });
});
