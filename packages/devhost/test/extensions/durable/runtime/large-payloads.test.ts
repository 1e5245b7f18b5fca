/**
 * Large payloads end to end through a real orchestration: a 5 MB input, a 5 MB activity result, 300 KB of event
 * data and a 1 MB output round-trip intact, and purging the instance removes it. On Azurite they go through
 * <hub>-largemessages (gzipped) and the purge removes those blobs too; the memory hub has no size limits, so it
 * keeps whole values and has no blobs to look at (its callers see whole values either way).
 */
import { BlobServiceClient } from '@azure/storage-blob';
import { describe, expect, it } from 'vitest';
import {
    postJson,
    useDurableHost,
    waitForStatus,
    waitUntil,
    WEBHOOK,
    ON_MEMORY_HUB,
} from '../../../support/durable/durable-host';
import { testFetch } from '../../../support/in-memory-fetch';
import { azuriteConnectionString } from '../../../support/storage';

const t = useDurableHost('management');

/** Text that gzip cannot shrink to nothing: a deterministic pseudo-random alphabet soup. */
function soup(length: number): string {
    const alphabet = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 äöü€"\\\'{}';
    let state = 42;
    let out = '';
    for (let i = 0; i < length; i++) {
        state = (state * 1103515245 + 12345) >>> 0;
        out += alphabet[state % alphabet.length];
    }
    return out;
}

async function blobNames(prefix: string): Promise<string[]> {
    const container = BlobServiceClient.fromConnectionString(azuriteConnectionString()).getContainerClient(
        `${t.hubName.toLowerCase()}-largemessages`,
    );
    const names: string[] = [];
    for await (const blob of container.listBlobsFlat({ prefix })) names.push(blob.name);
    return names;
}

describe('large payloads', () => {
    it('round-trip a 5 MB input, a 5 MB activity result, large event data and output; purge removes them (and their blobs)', async () => {
        const id = `big-${Date.now().toString(36)}`;
        const text = soup(5 * 1024 * 1024);
        const started = await postJson(`${t.origin}${WEBHOOK}/orchestrators/bigPayload/${id}`, { text, repeat: 1 });
        expect(started.status).toBe(202);
        const statusUrl = `${t.origin}${WEBHOOK}/instances/${id}`;
        await waitUntil(statusUrl, (s) => s.runtimeStatus === 'Running', 30_000);
        const raised = await postJson(`${statusUrl}/raiseEvent/Big`, { text: text.slice(0, 300 * 1024) });
        expect(raised.status).toBe(202);
        const done = await waitForStatus(`${statusUrl}?showInput=true`, 60_000, 50);
        expect(done.runtimeStatus).toBe('Completed');
        expect(done.output).toEqual({
            inputLength: text.length,
            echoedIntact: true,
            eventIntact: true,
            eventLength: 300 * 1024,
            head: text.slice(0, 1024 * 1024),
        });
        expect((done.input as { text: string }).text === text).toBe(true);

        if (!ON_MEMORY_HUB) {
            const blobs = await blobNames(`${id}/`);
            // Queue messages (start, work item, result, event) and history/instance columns went to blobs.
            expect(blobs.some((name) => name.startsWith(`${id}/message-`))).toBe(true);
            expect(blobs.some((name) => name.startsWith(`${id}/history-`))).toBe(true);
        }

        const purged = await testFetch(statusUrl, { method: 'DELETE' });
        expect(await purged.json()).toEqual({ instancesDeleted: 1 });
        const gone = await testFetch(statusUrl);
        await gone.body?.cancel();
        expect(gone.status).toBe(404);
        if (!ON_MEMORY_HUB) expect(await blobNames(`${id}/`)).toEqual([]);
    }, 90_000);
});
