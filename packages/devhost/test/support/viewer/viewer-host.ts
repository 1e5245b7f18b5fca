/**
 * The viewer's server-side tests' host: the basic durable fixture app with the Durable and viewer extensions,
 * served in memory (`testFetch`), on its own task hub on the run's Azurite.
 */
import path from 'node:path';
import { createDurableExtension, type DurableExtension } from '../../../src/extensions/durable/extension';
import { createViewerExtension } from '../../../src/extensions/viewer/extension';
import { startHost, type RunningHost } from '../../../src/host/start-host';
import type { LogEntry } from '../../../src/shared/host-contracts';
import { captureLogger, FIXTURES } from '../durable/durable-host';
import { serveInMemory } from '../in-memory-fetch';
import { azuriteConnectionString } from '../storage';

/** Starts the host on task hub `hubName` (the fixture reads FIXTURE_HUB); its log lines go to `logs`. */
export async function startViewerHost(
    hubName: string,
    logs: LogEntry[] = [],
): Promise<{ host: RunningHost; durable: DurableExtension }> {
    process.env.AzureWebJobsStorage = azuriteConnectionString();
    process.env.FIXTURE_HUB = hubName;
    const durable = createDurableExtension();
    const host = serveInMemory(
        await startHost({
            appDir: path.join(FIXTURES, 'basic'),
            port: 0,
            extensions: [durable, createViewerExtension({ durable })],
            logger: captureLogger(logs),
        }),
    );
    return { host, durable };
}
