/**
 * createTestHost on a fixture app: the real engine on the in-memory task hub, virtual time that stands still
 * until a test or an idle hub moves it, activity stubs, the SDK's client and the host's HTTP in memory.
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EventType } from '../../src/shared/history';
import { createTestHost, type TestHost } from '../../src/testing/test-host';

const APP = path.resolve(__dirname, '../fixtures/durable-apps/toolkit');
const DAY_MS = 24 * 60 * 60 * 1000;
const START = new Date('2030-01-01T00:00:00Z');

let host: TestHost;

beforeAll(async () => {
    host = await createTestHost({ appDir: APP, startTime: START });
});

afterAll(async () => {
    await host?.close();
});

describe('createTestHost on the in-memory task hub', () => {
    it("runs an orchestration with the app's own activities, started through the SDK's client", async () => {
        const id = await host.client.startNew('sequence', { input: ['Ada', 'Grace'] });
        const status = await host.waitForCompletion(id);
        expect(status.runtimeStatus).toBe('Completed');
        expect(status.output).toEqual(['Hello, Ada!', 'Hello, Grace!']);
        const scheduled = (await host.history(id)).filter((event) => event.EventType === EventType.TaskScheduled);
        expect(scheduled.map((event) => ('Name' in event ? event.Name : undefined))).toEqual(['hello', 'hello']);
    });

    it("serves the app's HTTP routes and the Durable HTTP API in memory", async () => {
        const started = await host.fetch('/api/start/sequence', { method: 'POST', body: JSON.stringify(['Linus']) });
        expect(started.status).toBe(202);
        const { id, statusQueryGetUri } = (await started.json()) as { id: string; statusQueryGetUri: string };
        // No socket: the URLs name an origin that never resolves, and fetch answers them in memory.
        expect(new URL(statusQueryGetUri).origin).toBe('http://devhost.invalid');
        await host.waitForCompletion(id);
        const status = await host.fetch(statusQueryGetUri);
        expect(status.status).toBe(200);
        expect(await status.json()).toMatchObject({ runtimeStatus: 'Completed', output: ['Hello, Linus!'] });
    });
});

describe('virtual time', () => {
    it('stands still while nothing waits on it', async () => {
        const before = host.now().getTime();
        await new Promise((resolve) => setTimeout(resolve, 20));
        expect(host.now().getTime()).toBe(before);
    });

    it('skips to a three-day timeout while the test waits, in far less than a second of real time', async () => {
        const began = Date.now();
        const startedAt = host.now().getTime();
        const id = await host.client.startNew('approval');
        const status = await host.waitForCompletion(id);
        expect(Date.now() - began).toBeLessThan(2_000);
        expect(status.output).toMatchObject({ outcome: 'timed out' });
        const created = (await host.history(id)).find((event) => event.EventType === EventType.TimerCreated);
        const fireAt = created && 'FireAt' in created ? new Date(created.FireAt).getTime() : NaN;
        expect(fireAt - startedAt).toBe(3 * DAY_MS);
        expect(host.now().getTime()).toBeGreaterThanOrEqual(fireAt);
        expect(new Date((status.output as { at: string }).at).getTime()).toBeGreaterThanOrEqual(fireAt);
    });

    it('lets an event raised before the wait win the race against the timer', async () => {
        const startedAt = host.now().getTime();
        const id = await host.client.startNew('approval');
        await host.client.raiseEvent(id, 'Approval', 'manager');
        const status = await host.waitForCompletion(id);
        expect(status.output).toEqual({ outcome: 'approved', by: 'manager' });
        expect(host.now().getTime() - startedAt).toBeLessThan(DAY_MS);
    });

    it('moves only as far as advanceTime says, and fires what falls due', async () => {
        const id = await host.client.startNew('approval');
        await host.advanceTime('2.00:00:00');
        expect((await host.client.getStatus(id)).runtimeStatus).toBe('Running');
        await host.advanceTime(DAY_MS);
        expect((await host.client.getStatus(id)).runtimeStatus).toBe('Completed');
        expect((await host.waitForCompletion(id)).output).toMatchObject({ outcome: 'timed out' });
    });
});

describe('activity stubs', () => {
    it('replace an activity for this host: a retry policy runs its back-off in virtual time', async () => {
        const stub = host.stubActivity('flaky', (input, call) => {
            if (call.attempt < 3) throw new Error(`attempt ${call.attempt} failed`);
            return { input, attempts: call.attempt };
        });
        try {
            const startedAt = host.now().getTime();
            const id = await host.client.startNew('retrying', { input: 'order-1' });
            const status = await host.waitForCompletion(id);
            expect(status.runtimeStatus).toBe('Completed');
            expect(status.output).toEqual({ input: 'order-1', attempts: 3 });
            expect(stub.calls.map((call) => call.input)).toEqual(['order-1', 'order-1', 'order-1']);
            // 30 s, then 60 s of back-off passed in test time.
            expect(host.now().getTime() - startedAt).toBeGreaterThanOrEqual(90_000);
        } finally {
            stub.restore();
        }
    });

    it("fail the instance when every attempt fails, and the app's code runs again once restored", async () => {
        const stub = host.stubActivity('FLAKY', () => {
            throw new Error('card declined');
        });
        const id = await host.client.startNew('retrying', { input: 'order-2' });
        const failed = await host.waitForCompletion(id);
        expect(failed.runtimeStatus).toBe('Failed');
        expect(JSON.stringify(failed.output)).toContain('card declined');
        expect(stub.calls).toHaveLength(3);
        stub.restore();
        const again = await host.waitForCompletion(await host.client.startNew('retrying', { input: 'order-3' }));
        expect(JSON.stringify(again.output)).toContain('the real service is down');
    });

    it('refuse a name the app has no activity for, listing the ones it has', () => {
        expect(() => host.stubActivity('nope', () => null)).toThrow(/no activity of that name.*hello.*flaky/);
    });
});

describe('another host for the same app in the same process', () => {
    it('starts on a fresh task hub', async () => {
        const first = await host.client.startNew('sequence', { input: ['Tokyo'] });
        await host.waitForCompletion(first);
        await host.close();
        host = await createTestHost({ appDir: APP, startTime: START });
        await expect(host.client.getStatus(first)).rejects.toThrow(/404/);
        const second = await host.waitForCompletion(await host.client.startNew('sequence', { input: ['Oslo'] }));
        expect(second.output).toEqual(['Hello, Oslo!']);
    });
});
