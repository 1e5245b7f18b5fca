/**
 * The Durable HTTP API refuses a request for another task hub or connection (instead of
 * answering from its own hub), refuses bodies over the host's 100 MB limit without reading them whole, and waits
 * with a polling floor when pollingInterval is 0.
 */
import { describe, expect, it } from 'vitest';
import { postJson, useDurableHost, WEBHOOK } from '../../../support/durable/durable-host';
import { testFetch } from '../../../support/in-memory-fetch';

const t = useDurableHost('management');

describe('taskHub and connection query parameters', () => {
    it('answers for its own hub (any case) and refuses another hub or connection with 400', async () => {
        const started = await postJson(
            `${t.origin}${WEBHOOK}/orchestrators/greet?taskHub=${t.hubName.toUpperCase()}`,
            'a',
        );
        expect(started.status).toBe(202);
        const other = await testFetch(`${t.origin}${WEBHOOK}/instances/?taskHub=SomeOtherHub&connection=Storage`);
        expect(other.status).toBe(400);
        expect(((await other.json()) as { ExceptionMessage: string }).ExceptionMessage).toContain("'SomeOtherHub'");
        const connection = await testFetch(`${t.origin}${WEBHOOK}/instances/?connection=OtherStorage`);
        expect(connection.status).toBe(400);
    });
});

describe('request bodies', () => {
    it('refuses a body over 100 MB with 413 from its declared length', async () => {
        const response = await testFetch(`${t.origin}${WEBHOOK}/orchestrators/greet`, {
            method: 'POST',
            headers: { 'Content-Type': 'application/json', 'Content-Length': String(101 * 1024 * 1024) },
            body: new ReadableStream({
                start(controller) {
                    controller.enqueue(new TextEncoder().encode('"x'));
                },
            }),
            duplex: 'half',
        } as RequestInit);
        expect(response.status).toBe(413);
    });
});

describe('start and wait with pollingInterval=0', () => {
    // Counts the hub's table calls: the memory hub counts them as the storage module does (one per call).
    it('polls the status row with a floor, not every 10 ms, for the whole timeout', async () => {
        const storage = t.durable.runtime?.storage;
        const stats = storage && 'stats' in storage ? (storage.stats as { tableOps: number }) : undefined;
        expect(stats).toBeDefined();
        const before = stats?.tableOps ?? 0;
        const started = Date.now();
        const response = await postJson(`${t.origin}${WEBHOOK}/orchestrators/twoEvents?timeout=2&pollingInterval=0`);
        expect(response.status).toBe(202);
        expect(Date.now() - started).toBeGreaterThanOrEqual(1_900);
        // Start and first episode take a few table calls; 2 s of polling at the 250 ms floor about 8 more.
        expect((stats?.tableOps ?? 0) - before).toBeLessThan(30);
    });
});
