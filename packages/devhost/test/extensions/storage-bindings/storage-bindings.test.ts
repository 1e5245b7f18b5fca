/**
 * Storage bindings and triggers on the devhost, on Azurite, through a real v4 app (fixture `bindings`):
 * an activity's blob output (the durable-functions samples' backupSiteContent shape), blob and table inputs
 * over HTTP, a queue output feeding a queue trigger, a poison message, a timer on a clock the test controls,
 * and a blob trigger.
 */
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { BlobServiceClient } from '@azure/storage-blob';
import { QueueServiceClient } from '@azure/storage-queue';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDurableExtension } from '../../../src/extensions/durable/extension';
import { createStorageExtension } from '../../../src/extensions/storage-bindings/extension';
import { startHost, type RunningHost } from '../../../src/host/start-host';
import type { LogEntry } from '../../../src/shared/host-contracts';
import { ManualClock } from '../../support/bindings/manual-clock';
import { captureLogger, FIXTURES, startOrchestration, waitForStatus } from '../../support/durable/durable-host';
import { serveInMemory, testFetch } from '../../support/in-memory-fetch';
import { azuriteConnectionString, uniqueHubName } from '../../support/storage';

const suffix = randomBytes(4).toString('hex');
const names = {
    BACKUP_CONTAINER: `backups-${suffix}`,
    WORK_QUEUE: `work-${suffix}`,
    WORK_TABLE: `work${suffix}`,
    COPY_CONTAINER: `copies-${suffix}`,
    UPLOAD_CONTAINER: `uploads-${suffix}`,
};
const clock = new ManualClock(new Date('2026-12-03T10:00:00.000Z'));
const logs: LogEntry[] = [];
let host: RunningHost;

async function eventually<T>(probe: () => Promise<T | undefined>, what: string, timeoutMs = 15_000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
        const value = await probe();
        if (value !== undefined) return value;
        if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
    }
}

async function ticks(): Promise<{ isPastDue: boolean }[]> {
    return (await (await testFetch(`${host.origin}/api/ticks`)).json()) as { isPastDue: boolean }[];
}

beforeAll(async () => {
    Object.assign(process.env, names, {
        AzureWebJobsStorage: azuriteConnectionString(),
        StorageConnString: azuriteConnectionString(),
        FIXTURE_HUB: uniqueHubName('Bind'),
    });
    host = serveInMemory(
        await startHost({
            appDir: path.join(FIXTURES, 'bindings'),
            port: 0,
            extensions: [createDurableExtension(), createStorageExtension({ clock, blobPollIntervalMs: 200 })],
            logger: captureLogger(logs),
        }),
    );
});

afterAll(async () => {
    await host?.close();
});

describe('storage bindings', () => {
    it('writes an activity output blob at a path taken from the activity input, and reads it back over HTTP', async () => {
        const files = [
            { backupPath: 'site/index.html', content: '<h1>hello</h1>' },
            { backupPath: 'site/css/app.css', content: 'body { color: red }' },
            { backupPath: 'readme.txt', content: 'read me' },
        ];
        const started = await startOrchestration(host.origin, 'backup', files);
        const status = await waitForStatus(started.statusQueryGetUri);
        expect(status.runtimeStatus).toBe('Completed');
        expect(status.output).toBe(files.reduce((sum, f) => sum + Buffer.byteLength(f.content), 0));

        const blobs = BlobServiceClient.fromConnectionString(azuriteConnectionString()).getContainerClient(
            names.BACKUP_CONTAINER,
        );
        const stored = await blobs.getBlobClient('site/css/app.css').downloadToBuffer();
        expect(stored.toString('utf8')).toBe('body { color: red }');

        const read = await testFetch(`${host.origin}/api/backups/readme.txt`);
        expect(read.status).toBe(200);
        expect(await read.text()).toBe('read me');
        // No blob at that path: the input binding is null, as on Azure, and the function answers 404.
        expect((await testFetch(`${host.origin}/api/backups/missing.txt`)).status).toBe(404);
    });

    it('sends a queue message from an HTTP body; the queue trigger records it in a table read back by key', async () => {
        const id = `ok-${randomBytes(3).toString('hex')}`;
        expect(
            (await testFetch(`${host.origin}/api/work`, { method: 'POST', body: JSON.stringify({ id }) })).status,
        ).toBe(202);
        const row = await eventually(async () => {
            const response = await testFetch(`${host.origin}/api/work/${id}`);
            return response.status === 200 ? ((await response.json()) as Record<string, unknown>) : undefined;
        }, 'the processed row');
        expect(row).toMatchObject({ PartitionKey: 'work', RowKey: id, dequeueCount: 1 });
        expect((await testFetch(`${host.origin}/api/work/never-sent`)).status).toBe(404);
    });

    it('moves a message that fails on every attempt to the poison queue after maxDequeueCount tries', async () => {
        const id = `bad-${randomBytes(3).toString('hex')}`;
        await testFetch(`${host.origin}/api/work`, { method: 'POST', body: JSON.stringify({ id, fail: true }) });
        const poison = QueueServiceClient.fromConnectionString(azuriteConnectionString()).getQueueClient(
            `${names.WORK_QUEUE}-poison`,
        );
        const message = await eventually(async () => {
            if (!(await poison.exists())) return undefined;
            const peeked = await poison.peekMessages({ numberOfMessages: 32 });
            return peeked.peekedMessageItems
                .map((m) => Buffer.from(m.messageText, 'base64').toString('utf8'))
                .find((text) => text.includes(id));
        }, 'the poison message');
        expect(JSON.parse(message)).toEqual({ id, fail: true });
        const failures = logs.filter(
            (entry) => entry.level === 'error' && entry.message.includes(`work item ${id} always fails`),
        );
        expect(failures.length).toBe(3); // host.json maxDequeueCount
        expect((await testFetch(`${host.origin}/api/work/${id}`)).status).toBe(404);
    });
});

describe('timer and blob triggers', () => {
    it('runs the timer at each occurrence of its schedule as the clock reaches it, and not before', async () => {
        expect(await ticks()).toEqual([]);
        clock.advance(4 * 60_000); // 10:04: no occurrence yet (every five minutes)
        await new Promise((resolve) => setTimeout(resolve, 300));
        expect(await ticks()).toEqual([]);
        clock.advance(60_000); // 10:05
        await eventually(async () => ((await ticks()).length === 1 ? true : undefined), 'the first tick');
        clock.advance(10 * 60_000); // 10:10 and 10:15
        const all = await eventually(async () => {
            const rows = await ticks();
            return rows.length === 3 ? rows : undefined;
        }, 'three ticks');
        expect(all.every((row) => row.isPastDue === false)).toBe(true);
    });

    it('runs the blob trigger for a new blob that matches the pattern, and not for one that does not', async () => {
        const service = BlobServiceClient.fromConnectionString(azuriteConnectionString());
        const uploads = service.getContainerClient(names.UPLOAD_CONTAINER);
        await uploads.createIfNotExists();
        await uploads.getBlockBlobClient('note.txt').uploadData(Buffer.from('quiet words'));
        await uploads.getBlockBlobClient('image.png').uploadData(Buffer.from('not text'));
        const copies = service.getContainerClient(names.COPY_CONTAINER);
        const copied = await eventually(async () => {
            try {
                return (await copies.getBlobClient('note.upper').downloadToBuffer()).toString('utf8');
            } catch {
                return undefined;
            }
        }, 'the copy of note.txt');
        expect(copied).toBe('QUIET WORDS');
        const copiedNames: string[] = [];
        for await (const blob of copies.listBlobsFlat()) copiedNames.push(blob.name);
        expect(copiedNames).toEqual(['note.upper']);
    });
});
