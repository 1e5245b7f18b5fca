/**
 * host.json maxConcurrentOrchestratorFunctions / maxConcurrentActivityFunctions bound what runs at once, and
 * one instance never runs two episodes at the same time.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_DURABLE_CONFIG } from '../../../../src/extensions/durable/runtime/durable-config';
import { DurableRuntime } from '../../../../src/extensions/durable/runtime/durable-runtime';
import { EventType, type HistoryEvent } from '../../../../src/shared/history';
import type {
    InvokeRequest,
    InvocationOutcome,
    LoadedApp,
    RegisteredFunction,
} from '../../../../src/shared/host-contracts';
import { MemoryTaskHub } from '../../../../src/testing/memory-task-hub';
import { silentLogger } from '../../../support/host/capture-logger';

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

const running = { orchestrators: 0, activities: 0, maxOrchestrators: 0, maxActivities: 0 };
const activeInstances = new Set<string>();
let overlappingEpisodes = 0;

/** `one` calls activity `work` once and returns its result; `work` takes 30 ms. Written as the SDK answers. */
function app(): LoadedApp {
    const orchestrator = { name: 'o', binding: { type: 'orchestrationTrigger', direction: 'in' as const } };
    const activity = { name: 'a', binding: { type: 'activityTrigger', direction: 'in' as const } };
    return {
        appDir: '/nowhere',
        hostJson: {},
        functions: new Map<string, RegisteredFunction>([
            ['one', { name: 'one', bindings: { o: orchestrator.binding }, trigger: orchestrator }],
            ['work', { name: 'work', bindings: { a: activity.binding }, trigger: activity }],
        ]),
        invoke: async (request: InvokeRequest): Promise<InvocationOutcome> => {
            const text = request.inputData[0]?.data.string ?? 'null';
            if (request.functionName === 'work') {
                running.activities++;
                running.maxActivities = Math.max(running.maxActivities, running.activities);
                await sleep(30);
                running.activities--;
                return { status: 'success', invocationId: 'a', returnValue: { json: text }, outputData: [] };
            }
            const payload = JSON.parse(text) as { instanceId: string; input: unknown; history: HistoryEvent[] };
            if (activeInstances.has(payload.instanceId)) overlappingEpisodes++;
            activeInstances.add(payload.instanceId);
            running.orchestrators++;
            running.maxOrchestrators = Math.max(running.maxOrchestrators, running.orchestrators);
            await sleep(10);
            running.orchestrators--;
            activeInstances.delete(payload.instanceId);
            const action = { actionType: 0, functionName: 'work', input: payload.input };
            const completed = payload.history.find((e) => e.EventType === EventType.TaskCompleted);
            const state =
                completed && 'Result' in completed
                    ? {
                          isDone: true,
                          actions: [[action]],
                          output: JSON.parse(completed.Result ?? 'null') as unknown,
                          schemaVersion: 2,
                      }
                    : { isDone: false, actions: [[action]], schemaVersion: 2 };
            return {
                status: 'success',
                invocationId: 'o',
                returnValue: { json: JSON.stringify(state) },
                outputData: [],
            };
        },
        terminate: () => Promise.resolve(),
    };
}

const hub = new MemoryTaskHub('Concurrency');
const runtime = new DurableRuntime({
    app: app(),
    storage: hub,
    config: {
        ...DEFAULT_DURABLE_CONFIG,
        hubName: hub.hubName,
        maxConcurrentOrchestratorFunctions: 2,
        maxConcurrentActivityFunctions: 3,
    },
    logger: silentLogger,
});

afterAll(() => runtime.stop());

describe('concurrency limits', () => {
    it('bounds episodes and activities and never overlaps episodes of one instance', async () => {
        await runtime.start();
        const ids = await Promise.all(
            Array.from({ length: 12 }, (_, i) =>
                runtime.client.startNew('one', { input: String(i) }).then((r) => r.instanceId),
            ),
        );
        const deadline = Date.now() + 10_000;
        for (;;) {
            const records = await Promise.all(ids.map((id) => hub.readInstance(id)));
            if (records.every((r) => r?.runtimeStatus === 'Completed')) {
                expect(records.map((r) => r?.output)).toEqual(ids.map((_, i) => String(i)));
                break;
            }
            if (Date.now() > deadline) throw new Error('instances did not complete');
            await sleep(20);
        }
        expect(running.maxOrchestrators).toBe(2);
        expect(running.maxActivities).toBe(3);
        expect(overlappingEpisodes).toBe(0);
    });
});
