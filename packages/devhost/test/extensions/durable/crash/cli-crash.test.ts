/**
 * Crash safety and graceful shutdown of the real devhost process (`node dist/cli.js start`, built by
 * `npm test`'s build step) on the shared Azurite:
 * - SIGKILL at several points while many orders and a long fan-out run; after each restart the work goes
 *   on, and in the end every instance completed with the right output and a history without duplicates
 *   (each TaskScheduled id once, one completion per id). The fixture's 4-second queue visibility timeouts
 *   make the devhost's message lease 4 s, so a restart takes over a killed process's messages within
 *   seconds (the default lease is 15 s; see src/extensions/durable/runtime/durable-config.ts).
 * - SIGTERM stops taking work, lets the running activities finish, and leaves the rest to the next start.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { EventType } from '../../../../src/shared/history';
import { expectCleanHistory, hubStorage } from '../../../support/durable/crash';
import { postJson, WEBHOOK, type StatusBody } from '../../../support/durable/durable-host';
import { FIXTURES } from '../../../support/durable/durable-host';
import { azuriteConnectionString, uniqueHubName } from '../../../support/storage';

const ROOT = path.resolve(__dirname, '../../../..'); // the devhost package
const CLI = path.join(ROOT, 'dist/cli.js');
const APP = path.join(FIXTURES, 'management');

interface Devhost {
    child: ChildProcess;
    origin: string;
    output: () => string;
    exited: Promise<number | null>;
}

const running: Devhost[] = [];
afterEach(() => {
    for (const devhost of running.splice(0)) if (devhost.child.exitCode === null) devhost.child.kill('SIGKILL');
});

/** Starts the CLI and resolves once it prints its ready line ("Host started: http://localhost:<port>"). */
async function startDevhost(hubName: string, activityLog: string): Promise<Devhost> {
    if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npm run build\` first (npm test does).`);
    const child = spawn(process.execPath, [CLI, 'start', APP, '--port', '0'], {
        cwd: ROOT,
        env: {
            ...process.env,
            AzureWebJobsStorage: azuriteConnectionString(),
            FIXTURE_HUB: hubName,
            ACTIVITY_LOG: activityLog,
        },
        stdio: ['ignore', 'pipe', 'pipe'],
    });
    let text = '';
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    const origin = await new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`devhost did not start within 20 s:\n${text}`)), 20_000);
        const onData = (chunk: Buffer): void => {
            text += chunk.toString('utf8');
            const match = /Host started: (http:\/\/localhost:\d+)/.exec(text);
            if (match?.[1]) {
                clearTimeout(timer);
                resolve(match[1].replace('localhost', '127.0.0.1'));
            }
        };
        child.stdout?.on('data', onData);
        child.stderr?.on('data', onData);
        void exited.then((code) => {
            clearTimeout(timer);
            reject(new Error(`devhost exited with ${code} before it was ready:\n${text}`));
        });
    });
    const devhost: Devhost = { child, origin, output: () => text, exited };
    running.push(devhost);
    return devhost;
}

async function kill(devhost: Devhost): Promise<void> {
    devhost.child.kill('SIGKILL');
    await devhost.exited;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

async function start(origin: string, name: string, input: unknown, instanceId: string): Promise<void> {
    const response = await postJson(`${origin}${WEBHOOK}/orchestrators/${name}/${instanceId}`, input);
    expect(response.status, await response.text()).toBe(202);
}

/** Waits until every instance is terminal; returns their status bodies by id. */
async function waitForAll(origin: string, ids: readonly string[], timeoutMs: number): Promise<Map<string, StatusBody>> {
    const done = new Map<string, StatusBody>();
    const deadline = Date.now() + timeoutMs;
    while (done.size < ids.length) {
        for (const id of ids) {
            if (done.has(id)) continue;
            const response = await fetch(`${origin}${WEBHOOK}/instances/${id}`);
            if (response.status === 200) done.set(id, (await response.json()) as StatusBody);
            else await response.body?.cancel();
        }
        if (done.size < ids.length) {
            if (Date.now() > deadline)
                throw new Error(`Not finished after ${timeoutMs} ms: ${ids.filter((id) => !done.has(id)).join(', ')}`);
            await sleep(200);
        }
    }
    return done;
}

function activityLines(file: string): string[] {
    return existsSync(file)
        ? readFileSync(file, 'utf8')
              .split('\n')
              .filter((line) => line !== '')
        : [];
}

describe('the devhost process', () => {
    it('survives SIGKILL at several points: every instance completes once, with a clean history', async () => {
        const hub = uniqueHubName('Crash');
        const activityLog = path.join(mkdtempSync(path.join(os.tmpdir(), 'devhost-crash-')), 'activities.log');
        const orders = Array.from({ length: 20 }, (_, i) => `order-${i}`);
        const fanOut = 'fan-out';
        const fanOutCount = 40;

        let devhost = await startDevhost(hub, activityLog);
        await Promise.all(orders.map((id, i) => start(devhost.origin, 'order', i, id)));
        await start(devhost.origin, 'slowFanOut', { count: fanOutCount, delayMs: 250 }, fanOut);
        // Two votes per ballot, raised across the kills: no event lost, none applied twice.
        const ballots = Array.from({ length: 10 }, (_, i) => `ballot-${i}`);
        await Promise.all(ballots.map((id) => start(devhost.origin, 'twoVotes', null, id)));
        const vote = (origin: string, id: string, value: string): Promise<void> =>
            postJson(`${origin}${WEBHOOK}/instances/${id}/raiseEvent/Vote`, value).then((response) =>
                expect(response.status, id).toBe(202),
            );
        await Promise.all(ballots.map((id) => vote(devhost.origin, id, `first:${id}`)));
        // Kill points: during the first episodes and activities, mid fan-out, and again soon after a restart
        // (while the restarted process takes over the first one's messages).
        await sleep(150);
        await kill(devhost);
        for (const [round, delayMs] of [1_500, 600].entries()) {
            devhost = await startDevhost(hub, activityLog);
            if (round === 0) await Promise.all(ballots.map((id) => vote(devhost.origin, id, `second:${id}`)));
            await sleep(delayMs);
            await kill(devhost);
        }
        devhost = await startDevhost(hub, activityLog);
        const statuses = await waitForAll(devhost.origin, [...orders, fanOut, ...ballots], 45_000);
        for (const id of ballots) {
            expect(statuses.get(id), id).toMatchObject({
                runtimeStatus: 'Completed',
                output: [`first:${id}`, `second:${id}`],
            });
            const { events } = await hubStorage(hub).readHistory(id);
            expect(events.filter((e) => e.EventType === EventType.EventRaised).length, id).toBe(2);
        }

        for (const [i, id] of orders.entries()) {
            expect(statuses.get(id), id).toMatchObject({
                runtimeStatus: 'Completed',
                output: `reserve:${i}>charge:${i}>ship:${i}`,
            });
        }
        const sumOfSquares = Array.from({ length: fanOutCount }, (_, n) => n * n).reduce((a, b) => a + b, 0);
        expect(statuses.get(fanOut)).toMatchObject({ runtimeStatus: 'Completed', output: sumOfSquares });

        const storage = hubStorage(hub);
        for (const id of [...orders, fanOut]) expectCleanHistory((await storage.readHistory(id)).events, id);
        // Activities run at least once: every square was computed, some maybe twice (killed before the delete).
        const squares = new Set(activityLines(activityLog).filter((l) => l.startsWith('slowSquare')));
        expect(squares.size).toBe(fanOutCount);
        devhost.child.kill('SIGTERM');
        expect(await devhost.exited).toBe(0);
    }, 120_000);

    it('on SIGTERM lets running activities finish and leaves the rest to the next start', async () => {
        const hub = uniqueHubName('Term');
        const activityLog = path.join(mkdtempSync(path.join(os.tmpdir(), 'devhost-term-')), 'activities.log');
        let devhost = await startDevhost(hub, activityLog);
        // 8 activity slots (fixture host.json), 12 activities of 1.5 s: SIGTERM while the first 8 run.
        await start(devhost.origin, 'slowFanOut', { count: 12, delayMs: 1_500 }, 'term');
        await sleep(700);
        expect(activityLines(activityLog)).toEqual([]);
        const signalled = Date.now();
        devhost.child.kill('SIGTERM');
        expect(await devhost.exited).toBe(0);
        const stopMs = Date.now() - signalled;
        // It waited for the running activities (about 0.8 s more), and not for anything else.
        expect(stopMs).toBeGreaterThan(400);
        expect(stopMs).toBeLessThan(10_000);
        expect(activityLines(activityLog)).toHaveLength(8);

        devhost = await startDevhost(hub, activityLog);
        const statuses = await waitForAll(devhost.origin, ['term'], 30_000);
        expect(statuses.get('term')).toMatchObject({
            runtimeStatus: 'Completed',
            output: Array.from({ length: 12 }, (_, n) => n * n).reduce((a, b) => a + b, 0),
        });
        // The 8 finished before the stop were not run again; the 4 left over ran on the next start.
        expect(activityLines(activityLog)).toHaveLength(12);
        expectCleanHistory((await hubStorage(hub).readHistory('term')).events, 'term');
        devhost.child.kill('SIGTERM');
        await devhost.exited;
    }, 60_000);
});

describe('two devhost processes on one task hub', () => {
    it('the second refuses with one line; after a SIGKILL of the first a restart takes the hub at once', async () => {
        const hubName = uniqueHubName('Lock');
        const log = path.join(mkdtempSync(path.join(os.tmpdir(), 'lock-')), 'activities.log');
        const first = await startDevhost(hubName, log);
        await expect(startDevhost(hubName, log)).rejects.toThrow(
            new RegExp(
                `devhost: Task hub '${hubName}' is in use by another devhost process \\(pid ${first.child.pid} on `,
            ),
        );
        await kill(first);
        const startedAt = Date.now();
        const second = await startDevhost(hubName, log);
        expect(Date.now() - startedAt).toBeLessThan(10_000);
        await start(second.origin, 'greet', 'lock', 'after-lock');
        expect((await waitForAll(second.origin, ['after-lock'], 15_000)).get('after-lock')?.output).toBe(
            'Hello, lock!',
        );
    }, 60_000);
});
