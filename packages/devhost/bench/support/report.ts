/**
 * The combined benchmark report (bench/run-all.ts) and its rendering as the table of docs/benchmark.md and the app's README.
 */
import type { Summary } from './stats';

interface CpuPerOrder {
    host: number;
    azurite: number | null;
}

export interface BenchReport {
    benchmark: string;
    date: string;
    commit: string;
    quick: boolean;
    machine: { cpu: string; cores: number; memoryGb: number; os: string; node: string; loadAverageAtStart: number[] };
    loadAverageAtEnd: number[];
    peer: {
        name: string;
        orderP50Ms: number;
        ordersPerSecond: number;
        fanOutSeconds: Record<number, number>;
        storageOperationsPerOrder: string;
        cpuMsPerOrder: { engine: number; store: number };
    };
    targets: Record<string, number>;
    orders: {
        storageCallMs: Summary;
        sequential: {
            orders: number;
            latencyMs: Summary;
            storageCallsUntilCompleted: Summary | null;
            storageCallsPerOrder: Summary | null;
            /** Absent in reports written before it was measured. */
            appStorageCallsUntilCompleted?: Summary | null;
            cpuMsPerOrder: CpuPerOrder;
            floorMs: number | null;
            floorWithAppMs?: number | null;
        };
        /** The sequential phase again after the others (absent in reports written before it was measured). */
        sequentialWarm?: {
            orders: number;
            afterOrders: number;
            latencyMs: Summary;
            cpuMsPerOrder: CpuPerOrder;
        };
        throughput: {
            orders: number;
            inFlight: number;
            ordersPerSecond: number;
            latencyMs: Summary;
            storageCallsPerOrder: number | null;
            cpuMsPerOrder: CpuPerOrder;
        };
    };
    parallelProcessing: { items: number; wallMs: number };
    /** devhost/testing's createTestHost (absent in reports written before it was measured). */
    testHost?: {
        orders: number;
        withLedgerMs: Summary;
        stubbedMs: Summary;
        threeDayTimeoutMs: Summary;
    };
    fanOut: {
        results: { activities: number; completed: boolean; wallMs?: number; storageCallsPerActivity?: number }[];
    };
}

/** `host / azurite` CPU per order, `?` where Azurite's was not measured. */
const cpuCell = (cpu: CpuPerOrder): string => `${cpu.host} / ${cpu.azurite ?? '?'}`;
const seconds = (ms: number | undefined): string => (ms === undefined ? 'did not finish' : (ms / 1000).toFixed(2));

/** The "latest run" table (docs/benchmark.md, the app's README): measure | peer | devhost | target. */
export function renderTable(report: BenchReport): string {
    const { peer, targets, orders } = report;
    const seq = orders.sequential;
    const tp = orders.throughput;
    const warm = orders.sequentialWarm;
    /** The warm phase's figure beside the first phase's, when the report has one. */
    const warmNote = (text: (w: NonNullable<typeof warm>) => string): string =>
        warm ? ` (after ${warm.afterOrders} orders: ${text(warm)})` : '';
    const sizes = report.fanOut.results.map((r) => r.activities);
    const fanOutDevhost = report.fanOut.results.map((r) => (r.completed ? seconds(r.wallMs) : 'did not finish'));
    const calls = seq.storageCallsUntilCompleted;
    const appCalls = seq.appStorageCallsUntilCompleted;
    const rows: string[][] = [
        ['measure', 'peer', 'devhost', 'target'],
        [
            `order latency, ${seq.orders} sequential: p50 / p95 / p99 (ms)`,
            String(peer.orderP50Ms),
            `${seq.latencyMs.p50} / ${seq.latencyMs.p95} / ${seq.latencyMs.p99}${warmNote((w) => `p50 ${w.latencyMs.p50}`)}`,
            `p50 ≤ ${targets.orderP50Ms}`,
        ],
        [
            `throughput, ${tp.orders} orders, ${tp.inFlight} in flight (orders/s)`,
            String(peer.ordersPerSecond),
            `${tp.ordersPerSecond} (p50 ${tp.latencyMs.p50} ms)`,
            `≥ ${targets.ordersPerSecond}`,
        ],
        [
            `fan-out ${sizes.join(' / ')} activities (s)`,
            sizes.map((n) => peer.fanOutSeconds[n] ?? '–').join(' / '),
            fanOutDevhost.join(' / '),
            `10,000 ≤ ${targets.fanOut10000Seconds}`,
        ],
        [
            'storage operations per order: until Completed / in all',
            peer.storageOperationsPerOrder,
            calls && seq.storageCallsPerOrder
                ? `${calls.p50} / ${seq.storageCallsPerOrder.p50} task hub calls${appCalls ? ` (+${appCalls.p50} by the app's ledger)` : ''}`
                : 'not counted',
            `critical path ≤ ${targets.criticalPathStorageCalls}`,
        ],
        [
            `CPU per order, engine or host process / store (ms): sequential; ${tp.inFlight} in flight`,
            `${peer.cpuMsPerOrder.engine} / ${peer.cpuMsPerOrder.store}`,
            `${cpuCell(seq.cpuMsPerOrder)}${warmNote((w) => cpuCell(w.cpuMsPerOrder))}; ${cpuCell(tp.cpuMsPerOrder)}`,
            `host ≤ ${targets.hostCpuMsPerOrder}`,
        ],
        [
            'floor: critical-path calls × one call (ms)',
            '–',
            calls
                ? `${calls.p50} × ${orders.storageCallMs.p50} = ${seq.floorMs}${appCalls && seq.floorWithAppMs != null ? `; with the app's: ${calls.p50 + appCalls.p50} × ${orders.storageCallMs.p50} = ${seq.floorWithAppMs}` : ''}`
                : 'not counted',
            '',
        ],
        [
            `parallel_processing, ${report.parallelProcessing.items} items (s)`,
            '–',
            seconds(report.parallelProcessing.wallMs),
            '',
        ],
        ...(report.testHost
            ? [
                  [
                      `test host (in memory, virtual time): an order with the ledger / side effects stubbed; a three-day timeout: p50 (ms)`,
                      '–',
                      `${report.testHost.withLedgerMs.p50} / ${report.testHost.stubbedMs.p50}; ${report.testHost.threeDayTimeoutMs.p50}`,
                      'order ≤ 5, timer ≤ 50',
                  ],
              ]
            : []),
    ];
    const table = rows.map((cells) => `| ${cells.join(' | ')} |`);
    table.splice(1, 0, '|---|---|---|---|');
    const m = report.machine;
    const footer =
        `Run ${report.date.slice(0, 16).replace('T', ' ')} UTC at ${report.commit}${report.quick ? ' (BENCH_QUICK sizes)' : ''}, ` +
        `${m.cpu}, ${m.cores} cores, ${m.memoryGb} GiB, ${m.os}, Node ${m.node}; ` +
        `load average ${m.loadAverageAtStart.join(' ')} at the start, ${report.loadAverageAtEnd.join(' ')} at the end.`;
    return `${table.join('\n')}\n\n${footer}`;
}
