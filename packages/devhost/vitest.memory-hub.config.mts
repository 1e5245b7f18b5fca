import { defineProject } from 'vitest/config';

/**
 * The Durable conformance files a second time, on the in-memory task hub (src/testing/memory-task-hub.ts) instead
 * of Azurite: DEVHOST_TEST_MEMORY_HUB makes test/support/durable/durable-host.ts start its hosts on it. So the
 * hub createTestHost gives an app's tests is held to the same behaviour as the Azure Storage one. The root
 * `vitest run` includes it (../../vitest.config.mts); alone: `npx vitest run --project devhost-memory-hub`.
 *
 * Only the files whose hosts come from durable-host.ts without their own storage: in every other file of
 * test/extensions/durable the variable changes nothing, so a second run would only repeat the first. Of those,
 * left out on purpose:
 * - crash/poison.test.ts, runtime/in-process-work-items.test.ts: bring their own storage (a wrapper around the
 *   Azure one), so they would run on Azurite again;
 * - runtime/hand-over.test.ts: hands work over between runtimes through the Azure Storage queues and reads them
 *   with the Queue SDK (the provider's envelope);
 * - exactly-once/same-millisecond-events.test.ts: reads the history and the queues on Azurite itself
 *   (support/durable/crash.ts hubStorage, exactly-once.ts queuedMessages);
 * - runtime/scale-bounds.test.ts: its one durable-host test (the fan-in's episode count) rests on Azure
 *   Storage's latency and is skipped on the memory hub; the others use fakes, the same on both runs.
 * test/testing/memory-task-hub.test.ts (in the `devhost` project) holds the memory hub's semantics against the
 * Azure Storage hub's directly.
 */
export default defineProject({
    test: {
        name: 'devhost-memory-hub',
        include: [
            'test/extensions/durable/http-api/durable-client-basic-app.test.ts',
            'test/extensions/durable/http-api/durable-client.test.ts',
            'test/extensions/durable/http-api/management-routes.test.ts',
            'test/extensions/durable/http-api/request-limits.test.ts',
            'test/extensions/durable/http-api/sdk-rpc-in-memory.test.ts',
            'test/extensions/durable/http-api/status-codes.test.ts',
            'test/extensions/durable/runtime/entities.test.ts',
            'test/extensions/durable/runtime/entity-locks.test.ts',
            'test/extensions/durable/runtime/large-payloads.test.ts',
            'test/extensions/durable/runtime/orchestrations.test.ts',
        ],
        env: { DEVHOST_TEST_MEMORY_HUB: '1' },
        // The hosts still read a connection string (AzureWebJobsStorage), and the Azure-only tests of these files
        // are declared, not started: the shared setup provides one.
        globalSetup: ['test/support/global-setup.ts'],
        // Each test file gets its own process: the Functions library keeps registrations per process.
        pool: 'forks',
        testTimeout: 30_000,
        hookTimeout: 60_000,
    },
});
