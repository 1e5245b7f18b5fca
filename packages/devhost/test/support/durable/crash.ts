/**
 * Crash-test support: hosts of the management fixture on a task hub chosen by the test (so a second host can
 * pick up where the first stopped), and reads of the raw task hub to check history for duplicates.
 */
import path from 'node:path';
import { expect } from 'vitest';
import {
    createTaskHubStorage,
    parseConnectionString,
    type AzureTaskHubStorage,
} from '../../../src/extensions/durable/azure-storage';
import { createDurableExtension, type DurableExtensionOptions } from '../../../src/extensions/durable/extension';
import { startHost } from '../../../src/host/start-host';
import { EventType, type HistoryEvent } from '../../../src/shared/history';
import type { LogEntry } from '../../../src/shared/host-contracts';
import { serveInMemory } from '../in-memory-fetch';
import { azuriteConnectionString } from '../storage';
import { captureLogger, FIXTURES, type DurableTestHost } from './durable-host';

export async function startOnHub(hubName: string, options: DurableExtensionOptions = {}): Promise<DurableTestHost> {
    process.env.AzureWebJobsStorage = azuriteConnectionString();
    process.env.FIXTURE_HUB = hubName;
    const logs: LogEntry[] = [];
    const durable = createDurableExtension(options);
    const host = serveInMemory(
        await startHost({
            appDir: path.join(FIXTURES, 'management'),
            port: 0,
            extensions: [durable],
            logger: captureLogger(logs),
        }),
    );
    return { host, durable, hubName, logs, origin: host.origin, close: () => host.close() };
}

export function hubStorage(hubName: string): AzureTaskHubStorage {
    return createTaskHubStorage({ connection: parseConnectionString(azuriteConnectionString()), hubName });
}

/** One execution's history: started once, each task scheduled once and finished once, completed once. */
export function expectCleanHistory(events: readonly HistoryEvent[], instanceId: string): void {
    const count = (type: EventType): number => events.filter((e) => e.EventType === type).length;
    expect(count(EventType.ExecutionStarted), instanceId).toBe(1);
    expect(count(EventType.ExecutionCompleted), instanceId).toBe(1);
    const scheduled = events.filter((e) => e.EventType === EventType.TaskScheduled).map((e) => e.EventId);
    expect(new Set(scheduled).size, `${instanceId}: TaskScheduled ids`).toBe(scheduled.length);
    const finished = events
        .filter((e) => e.EventType === EventType.TaskCompleted || e.EventType === EventType.TaskFailed)
        .map((e) => ('TaskScheduledId' in e ? e.TaskScheduledId : -1));
    expect(new Set(finished).size, `${instanceId}: one completion per task`).toBe(finished.length);
    expect(
        [...finished].sort((a, b) => a - b),
        `${instanceId}: every scheduled task finished`,
    ).toEqual([...scheduled].sort((a, b) => a - b));
}
