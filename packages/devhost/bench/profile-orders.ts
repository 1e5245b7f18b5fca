/* eslint-disable import-x/order -- the fake @azure/functions-core must be installed before any other import runs. */
/**
 * `npm run bench:profile`: where an order's time goes, to profile before optimising.
 *
 * Runs the built app on the devhost against its own in-memory Azurite (as `order-latency.ts` does), warms up,
 * then prints one JSON document with:
 * - `timeline`: every outgoing HTTP request of one order (storage calls, anything else), with its start
 *   relative to the POST and its duration, and the requests this process served: the critical path, call by
 *   call;
 * - `storageCallsByMethod`: the task hub's calls by method over `PROFILE_ORDERS` orders at `PROFILE_IN_FLIGHT`
 *   in flight (deferred row writes only coalesce when orders are fast, so counts differ under load);
 * - `cpu`: a V8 CPU profile of `PROFILE_ORDERS` sequential orders, self time summed by package (the Azure SDK,
 *   Node's HTTP, durable-functions, the devhost's layers, GC, idle) and the top functions. The profile itself
 *   is written to `bench/results/profile-<date>.cpuprofile` (open it in Chrome DevTools or speedscope).
 *
 * Sizes: PROFILE_ORDERS (200), PROFILE_IN_FLIGHT (50). Asserts nothing.
 */
import { installCoreModule } from '../src/host/worker/core-module';
installCoreModule();

import diagnostics from 'node:diagnostics_channel';
import { mkdirSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import path from 'node:path';
import { benchOrder, startAppUnderBench, type AppUnderBench } from './support/app-under-bench';
import { summary } from './support/stats';

const ORDERS = Number(process.env.PROFILE_ORDERS ?? 200);
const IN_FLIGHT = Number(process.env.PROFILE_IN_FLIGHT ?? 50);
const resultsDir = path.resolve(__dirname, '../../bench/results');

const round = (n: number): number => Number(n.toFixed(1));
const order = (i: number): unknown => benchOrder(`PR-${i}`);

/** The request fields the `http.client.*` / `http.server.*` diagnostics channels carry that we read. */
interface ClientRequestLike {
    method: string;
    path: string;
}
interface ServerRequestLike {
    method?: string;
    url?: string;
}

/** Records the HTTP requests of one order, client and server side, relative to its start. */
async function timelineOfOneOrder(bench: AppUnderBench, i: number): Promise<{ ms: number; calls: string[] }> {
    const t0 = performance.now();
    const starts = new WeakMap<object, number>();
    const calls: { at: number; line: string }[] = [];
    const onStart = (message: unknown): void => {
        starts.set((message as { request: object }).request, performance.now());
    };
    const onFinish = (message: unknown): void => {
        const { request, response } = message as { request: ClientRequestLike; response: { statusCode?: number } };
        const started = starts.get(request);
        if (started === undefined) return;
        const pathOnly = request.path.split('?')[0] ?? request.path;
        calls.push({
            at: started - t0,
            line: `${request.method} ${pathOnly} → ${response.statusCode ?? '?'} (${round(performance.now() - started)} ms)`,
        });
    };
    const onServed = (message: unknown): void => {
        const { request } = message as { request: ServerRequestLike };
        calls.push({ at: performance.now() - t0, line: `served ${request.method ?? ''} ${request.url ?? ''}` });
    };
    diagnostics.subscribe('http.client.request.start', onStart);
    diagnostics.subscribe('http.client.response.finish', onFinish);
    diagnostics.subscribe('http.server.request.start', onServed);
    try {
        const { ms } = await bench.runToEnd('order_processing', order(i));
        return {
            ms: round(ms),
            calls: calls.sort((a, b) => a.at - b.at).map((c) => `${round(c.at).toFixed(1).padStart(6)} ms  ${c.line}`),
        };
    } finally {
        diagnostics.unsubscribe('http.client.request.start', onStart);
        diagnostics.unsubscribe('http.client.response.finish', onFinish);
        diagnostics.unsubscribe('http.server.request.start', onServed);
    }
}

/** Counts calls per method of the runtime's storage object while `work` runs. */
async function countStorageCalls(bench: AppUnderBench, work: () => Promise<void>): Promise<Record<string, number>> {
    const storage = bench.extension.runtime?.storage as unknown as Record<string, unknown> | undefined;
    if (!storage) return {};
    const counts: Record<string, number> = {};
    const patched: string[] = [];
    for (let proto: unknown = Object.getPrototypeOf(storage); proto && proto !== Object.prototype;) {
        for (const name of Object.getOwnPropertyNames(proto)) {
            const method = storage[name];
            if (name === 'constructor' || typeof method !== 'function' || Object.hasOwn(storage, name)) continue;
            storage[name] = (...args: unknown[]): unknown => {
                counts[name] = (counts[name] ?? 0) + 1;
                return (method as (...a: unknown[]) => unknown).apply(storage, args);
            };
            patched.push(name);
        }
        proto = Object.getPrototypeOf(proto);
    }
    try {
        await work();
    } finally {
        for (const name of patched) delete storage[name];
    }
    return Object.fromEntries(Object.entries(counts).sort((a, b) => b[1] - a[1]));
}

interface ProfileNode {
    id: number;
    callFrame: { functionName: string; url: string; lineNumber: number };
    children?: number[];
}
interface CpuProfile {
    nodes: ProfileNode[];
    samples: number[];
    timeDeltas: number[];
}

/** What a profile node's self time is charged to: a package, a devhost/src layer, Node, or V8's own buckets. */
function owner(frame: ProfileNode['callFrame']): string {
    if (!frame.url) return frame.functionName.startsWith('(') ? frame.functionName : '(native)';
    if (frame.url.startsWith('node:')) return 'node';
    const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(frame.url);
    if (pkg?.[1]) return pkg[1];
    const ours = /dist\/((?:devhost|src|bench)\/[^/]+)/.exec(frame.url);
    return ours?.[1] ?? frame.url;
}

function selfTimes(profile: CpuProfile): {
    total: number;
    byOwner: Map<string, number>;
    byFunction: Map<string, number>;
} {
    const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
    const parents = new Map<number, number>();
    for (const node of profile.nodes) for (const child of node.children ?? []) parents.set(child, node.id);
    /** The profiler's own stop call (`session.post`), which lands in the last samples; it is no order's work. */
    const profilerOwn = (id: number): boolean => {
        for (let at: number | undefined = id; at !== undefined; at = parents.get(at)) {
            if (nodes.get(at)?.callFrame.url === 'node:inspector') return true;
        }
        return false;
    };
    const byOwner = new Map<string, number>();
    const byFunction = new Map<string, number>();
    let total = 0;
    profile.samples.forEach((id, i) => {
        const node = nodes.get(id);
        const micros = profile.timeDeltas[i] ?? 0;
        if (!node || profilerOwn(id)) return;
        total += micros;
        const who = owner(node.callFrame);
        byOwner.set(who, (byOwner.get(who) ?? 0) + micros);
        const name = `${node.callFrame.functionName || '(anonymous)'} (${who})`;
        byFunction.set(name, (byFunction.get(name) ?? 0) + micros);
    });
    return { total, byOwner, byFunction };
}

/** The largest entries as `ms per order, share of samples, name` lines (one line each keeps the JSON readable). */
function top(map: Map<string, number>, total: number, count: number, orders: number): string[] {
    return [...map]
        .sort((a, b) => b[1] - a[1])
        .slice(0, count)
        .map(
            ([name, micros]) =>
                `${(micros / 1000 / orders).toFixed(2).padStart(6)} ms/order ${((100 * micros) / total).toFixed(1).padStart(5)}%  ${name}`,
        );
}

async function main(): Promise<void> {
    const bench = await startAppUnderBench('Profile');
    let next = 0;
    for (; next < 30; next++) await bench.runToEnd('order_processing', order(next));
    const timeline = await timelineOfOneOrder(bench, next++);

    const storageCallsByMethod = await countStorageCalls(bench, async () => {
        const end = next + ORDERS;
        await Promise.all(
            Array.from({ length: IN_FLIGHT }, async () => {
                while (next < end) await bench.runToEnd('order_processing', order(next++));
            }),
        );
    });
    const perOrderCalls = Object.fromEntries(
        Object.entries(storageCallsByMethod).map(([name, count]) => [name, round(count / ORDERS)]),
    );

    const session = new Session();
    session.connect();
    await session.post('Profiler.enable');
    await session.post('Profiler.start');
    const cpu0 = process.cpuUsage();
    const latencies: number[] = [];
    for (let i = 0; i < ORDERS; i++) latencies.push((await bench.runToEnd('order_processing', order(next++))).ms);
    const cpu = process.cpuUsage(cpu0);
    const { profile } = (await session.post('Profiler.stop')) as unknown as { profile: CpuProfile };
    session.disconnect();
    await bench.close();

    mkdirSync(resultsDir, { recursive: true });
    const profilePath = path.join(resultsDir, `profile-${new Date().toISOString().slice(0, 10)}.cpuprofile`);
    writeFileSync(profilePath, JSON.stringify(profile));
    const { total, byOwner, byFunction } = selfTimes(profile);
    console.log(
        JSON.stringify(
            {
                benchmark: 'where an order_processing order spends its time on the devhost + in-memory Azurite',
                timeline,
                storageCallsPerOrder: { inFlight: IN_FLIGHT, byMethod: perOrderCalls },
                cpu: {
                    orders: ORDERS,
                    latencyMs: summary(latencies),
                    hostCpuMsPerOrder: round((cpu.user + cpu.system) / 1000 / ORDERS),
                    byOwner: top(byOwner, total, 20, ORDERS),
                    topFunctions: top(byFunction, total, 25, ORDERS),
                    profile: path.relative(process.cwd(), profilePath),
                },
            },
            null,
            2,
        ),
    );
}

main().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
});
