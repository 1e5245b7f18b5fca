/**
 * Test support: start a fixture app on the devhost with the Durable extension against the shared Azurite,
 * on a unique task hub, and small HTTP helpers for the Durable API.
 */
import path from 'node:path';
import { afterAll, beforeAll, it } from 'vitest';
import {
    createDurableExtension,
    type DurableExtension,
    type DurableExtensionOptions,
} from '../../../src/extensions/durable/extension';
import { startHost, type RunningHost } from '../../../src/host/start-host';
import type { LogEntry } from '../../../src/shared/host-contracts';
import { loggingInto as captureLogger } from '../../../src/testing/loggers';
import { MemoryTaskHub } from '../../../src/testing/memory-task-hub';
import { serveInMemory, testFetch } from '../in-memory-fetch';
import { azuriteConnectionString, uniqueHubName } from '../storage';

export const FIXTURES = path.resolve(__dirname, '../../fixtures/durable-apps');

export interface DurableTestHost {
    host: RunningHost;
    durable: DurableExtension;
    hubName: string;
    logs: LogEntry[];
    origin: string;
    close(): Promise<void>;
}

export { captureLogger };

/**
 * DEVHOST_TEST_MEMORY_HUB=1 runs the suites on the in-memory hub (src/testing/memory-task-hub.ts), which keeps
 * the Azure Storage hub's semantics: the vitest project `devhost-memory-hub` runs the conformance files so
 * (packages/devhost/vitest.memory-hub.config.mts). The few tests that read the Azure Storage layout itself are declared
 * with `skipOnMemoryHub(reason)`, which names the reason in the skipped test's title.
 */
export const ON_MEMORY_HUB = process.env.DEVHOST_TEST_MEMORY_HUB === '1';

/** `it`, but skipped on the memory hub with `reason` appended to the title (so the report says why). */
export function skipOnMemoryHub(reason: string): (title: string, fn: () => Promise<void>, timeout?: number) => void {
    return (title, fn, timeout) =>
        it.skipIf(ON_MEMORY_HUB)(ON_MEMORY_HUB ? `${title} (not on the memory hub: ${reason})` : title, fn, timeout);
}

export async function startDurableHost(app: string, options: DurableExtensionOptions = {}): Promise<DurableTestHost> {
    const hubName = uniqueHubName('Rt');
    process.env.AzureWebJobsStorage = azuriteConnectionString();
    process.env.FIXTURE_HUB = hubName;
    const logs: LogEntry[] = [];
    const useMemory = ON_MEMORY_HUB && !options.createStorage;
    const durable = createDurableExtension(
        useMemory
            ? {
                  ...options,
                  // With a hub lock, as the Azure Storage hub has: the runtime then takes the same path on both.
                  createStorage: (r) =>
                      Promise.resolve(new MemoryTaskHub(r.hubName ?? hubName, r.partitionCount, true, Date.now, true)),
              }
            : options,
    );
    const host = serveInMemory(
        await startHost({
            appDir: path.join(FIXTURES, app),
            port: 0,
            extensions: [durable],
            logger: captureLogger(logs),
        }),
    );
    return { host, durable, hubName, logs, origin: host.origin, close: () => host.close() };
}

/**
 * A durable host on a fixture app for every test of the file (or of the enclosing describe): started before
 * them, closed after. The handle reads through to the started host, so it is used inside tests and hooks only.
 */
export function useDurableHost(app: string, options: DurableExtensionOptions = {}): DurableTestHost {
    let started: DurableTestHost | undefined;
    beforeAll(async () => {
        started = await startDurableHost(app, options);
    });
    afterAll(async () => {
        await started?.close();
    });
    return new Proxy({} as DurableTestHost, {
        get(_, key) {
            if (started === undefined)
                throw new Error(`The '${app}' host starts in beforeAll: use it inside a test or hook.`);
            return Reflect.get(started, key) as unknown;
        },
    });
}

export const WEBHOOK = '/runtime/webhooks/durabletask';

export interface CheckStatus {
    id: string;
    statusQueryGetUri: string;
    sendEventPostUri: string;
    terminatePostUri: string;
}

export async function postJson(url: string, body?: unknown, headers: Record<string, string> = {}): Promise<Response> {
    return testFetch(url, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', ...headers },
        body: body === undefined ? '' : JSON.stringify(body),
    });
}

export async function startOrchestration(
    origin: string,
    name: string,
    input?: unknown,
    instanceId?: string,
): Promise<CheckStatus> {
    const response = await postJson(
        `${origin}${WEBHOOK}/orchestrators/${name}${instanceId ? `/${encodeURIComponent(instanceId)}` : ''}`,
        input,
    );
    if (response.status !== 202) throw new Error(`start ${name}: HTTP ${response.status} ${await response.text()}`);
    return (await response.json()) as CheckStatus;
}

export interface StatusBody {
    name: string;
    instanceId: string;
    runtimeStatus: string;
    input: unknown;
    output: unknown;
    customStatus: unknown;
    createdTime: string;
    lastUpdatedTime: string;
    historyEvents?: Array<Record<string, unknown>>;
}

/** Polls a status URL until the instance leaves Pending/Running (HTTP 202). */
export async function waitForStatus(statusUrl: string, timeoutMs = 15_000, intervalMs = 10): Promise<StatusBody> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
        const response = await testFetch(statusUrl);
        if (response.status !== 202) return (await response.json()) as StatusBody;
        await response.body?.cancel();
        if (Date.now() > deadline) throw new Error(`Instance still running after ${timeoutMs} ms: ${statusUrl}`);
        await new Promise((resolve) => setTimeout(resolve, intervalMs));
    }
}

/** Polls until `predicate` holds for the status body (any HTTP status with a body). */
export async function waitUntil(
    statusUrl: string,
    predicate: (status: StatusBody) => boolean,
    timeoutMs = 10_000,
): Promise<StatusBody> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
        const response = await testFetch(statusUrl);
        if (response.status !== 404) {
            const body = (await response.json()) as StatusBody;
            if (predicate(body)) return body;
        } else {
            await response.body?.cancel();
        }
        if (Date.now() > deadline) throw new Error(`Condition not reached after ${timeoutMs} ms: ${statusUrl}`);
        await new Promise((resolve) => setTimeout(resolve, 10));
    }
}
