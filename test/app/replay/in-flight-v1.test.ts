/**
 * Orders in flight across the deploy of version 2: a recorded version 1 history (started before versioning,
 * ExecutionStarted Version "") cut mid-way, as the new build finds it after a deploy, replays on today's build
 * and goes on with version 1's steps, run by the real activities (test-mode services, the real Table ledger
 * on the run's Azurite). The same history read as version 2 takes version 2's steps, or is non-deterministic
 * where version 1's are already in it: the version 1 branch must stay until the last version 1 order ended.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import {
    activityInput,
    defaultEngineOptions,
    runEpisode,
    taskCompleted,
    taskFailed,
    type InstanceSnapshot,
} from 'devhost/engine';
import { EventType, type HistoryEvent, type TaskMessage } from 'devhost/history';
import { loadBuiltApp } from '../../support/replay/built-app';
import {
    DECISIONS,
    decision,
    episodes,
    readRecording,
    replayEpisode,
    startedEvent,
    type Recording,
} from '../../support/replay/recordings';
import { azuriteConnectionString, uniqueHubName } from '../../support/storage';

const app = loadBuiltApp();

beforeAll(() => {
    // The real activities write the ledger: into tables of this file's own (the app reads them once).
    process.env.AzureWebJobsStorage = azuriteConnectionString();
    process.env.ORDERS_TABLE_PREFIX = uniqueHubName('InFlight');
});

/** The recording, with its ExecutionStarted Version replaced when `version` is given. */
function recorded(file: string, version?: string): Recording {
    const recording = readRecording(file);
    if (version === undefined) return recording;
    const events = recording.events.map((event) =>
        event.EventType === EventType.ExecutionStarted ? ({ ...event, Version: version } as HistoryEvent) : event,
    );
    return { ...recording, events };
}

interface Continued {
    /** The activities run after the cut, in order: the ones pending at the cut first. */
    readonly ran: string[];
    readonly inputs: Map<string, unknown>;
    readonly instance: InstanceSnapshot;
}

/**
 * Keeps the first `kept` episodes of a recording (the last one replayed on today's build, which also gives
 * the inputs of the activities it scheduled), then plays the activity worker with the app's real handlers,
 * episode after episode, until the instance has nothing pending.
 */
async function continueAfter(recording: Recording, kept: number): Promise<Continued> {
    const cut = episodes(recording.events)[kept - 1];
    if (cut === undefined) throw new Error(`the recording has fewer than ${kept} episodes`);
    const past = recording.events.slice(0, cut.start);
    let result = await replayEpisode(app, recording, past, cut);
    expect(result.appended.filter((e) => DECISIONS.has(e.EventType)).map(decision)).toEqual(
        cut.events.filter((e) => DECISIONS.has(e.EventType)).map(decision),
    );
    const history = [...past, ...result.appended];
    const target = startedEvent(recording.events).OrchestrationInstance;
    const ran: string[] = [];
    const inputs = new Map<string, unknown>();
    let now = new Date(cut.events[0]?.Timestamp ?? Date.now());
    for (let episode = 0; episode < 20; episode++) {
        const work = result.outbound.flatMap((out) => {
            const event = out.message.Event;
            return out.queue === 'workItem' && event.EventType === EventType.TaskScheduled ? [event] : [];
        });
        if (work.length === 0) break;
        now = new Date(now.getTime() + 1_000);
        const answers: TaskMessage[] = [];
        for (const scheduled of work) {
            const input = activityInput(scheduled);
            ran.push(scheduled.Name);
            inputs.set(scheduled.Name, input);
            const outcome = await app.runActivity(scheduled.Name, input);
            answers.push({
                Event: outcome.ok
                    ? taskCompleted(scheduled.EventId, outcome.value, now)
                    : taskFailed(scheduled.EventId, scheduled.Name, { message: outcome.message }, now),
                SequenceNumber: 0,
                OrchestrationInstance: target,
            });
        }
        result = await runEpisode(
            {
                instanceId: recording.instanceId,
                past: history,
                incoming: answers,
                now,
                newGuid: () => 'continued-guid',
                options: defaultEngineOptions,
            },
            app.invokeOrchestrator,
        );
        history.push(...result.appended);
    }
    return { ran, inputs, instance: result.instance };
}

const completedOrder = 'order-completed.json';

describe('a version 1 order in flight when version 2 is deployed', () => {
    it('is a version 1 recording: its ExecutionStarted has no version', () => {
        expect(startedEvent(readRecording(completedOrder).events).Version ?? '').toBe('');
    });

    it.each([
        {
            kept: 1,
            at: 'validate_order scheduled',
            ran: ['validate_order', 'charge_customer', 'fulfill_order', 'send_notification'],
        },
        { kept: 2, at: 'charge_customer scheduled', ran: ['charge_customer', 'fulfill_order', 'send_notification'] },
        { kept: 3, at: 'fulfill_order scheduled', ran: ['fulfill_order', 'send_notification'] },
    ])('cut with $at: replays and finishes with version 1 steps, never reserving stock', async ({ kept, ran }) => {
        const continued = await continueAfter(recorded(completedOrder), kept);
        expect(continued.ran).toEqual(ran);
        expect(continued.instance.runtimeStatus).toBe('Completed');
        expect(JSON.parse(continued.instance.output ?? 'null')).toMatchObject({
            status: 'completed',
            order_id: 'REC-1',
            notification: 'sent',
        });
        if (continued.inputs.has('charge_customer')) {
            expect(continued.inputs.get('charge_customer')).toMatchObject({
                idempotency_key: 'order-REC-1:charge',
                amount: { cents: 3 * 2999 },
            });
        }
    });

    it('the same cut read as version 2 would reserve stock next: the recorded version picks the branch', async () => {
        const continued = await continueAfter(recorded(completedOrder, '2.0'), 1);
        expect(continued.ran.slice(0, 3)).toEqual(['validate_order', 'reserve_stock', 'charge_customer']);
    });

    it('read as version 2 after its charge was scheduled, the version 1 history is non-deterministic', async () => {
        const recording = recorded(completedOrder, '2.0');
        const last = episodes(recording.events).at(-1);
        if (last === undefined) throw new Error('no episodes');
        const result = await replayEpisode(app, recording, recording.events.slice(0, last.start), last);
        expect(result.instance.runtimeStatus).toBe('Failed');
        expect(result.instance.output).toMatch(/Non-Deterministic workflow detected/);
    });
});
