/**
 * A timer's schedule status survives the devhost: with useMonitor (the default) an occurrence that came due
 * while no host ran is run once at the next start, with isPastDue; without it, nothing runs for the gap.
 */
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { StorageAccounts } from '../../../src/extensions/storage-bindings/accounts';
import { TimerTrigger } from '../../../src/extensions/storage-bindings/timer-trigger';
import type { HostLogger, InvokeRequest, RegisteredFunction } from '../../../src/shared/host-contracts';
import { ManualClock } from '../../support/bindings/manual-clock';
import { azuriteConnectionString } from '../../support/storage';

const silent: HostLogger = { log() {}, info() {}, warn() {}, error() {} };

function timerFunction(name: string, useMonitor?: boolean): RegisteredFunction {
    const binding = { type: 'timerTrigger', direction: 'in' as const, name: 'timer', schedule: '0 */5 * * * *' };
    return {
        name,
        bindings: { timer: useMonitor === undefined ? binding : { ...binding, useMonitor } },
        trigger: { name: 'timer', binding: useMonitor === undefined ? binding : { ...binding, useMonitor } },
    };
}

async function runHost(fn: RegisteredFunction, startAt: string, until?: string): Promise<{ isPastDue: boolean }[]> {
    const calls: { isPastDue: boolean }[] = [];
    const invoke = (request: InvokeRequest) => {
        const json = request.inputData[0]?.data.json ?? '{}';
        calls.push({ isPastDue: (JSON.parse(json) as { IsPastDue: boolean }).IsPastDue });
        return Promise.resolve({ status: 'success' as const, invocationId: 'x', outputData: [] });
    };
    const clock = new ManualClock(new Date(startAt));
    const accounts = new StorageAccounts({ AzureWebJobsStorage: azuriteConnectionString() });
    const timer = new TimerTrigger({ fn, invoke, clock, accounts, logger: silent });
    await timer.start();
    if (until) clock.advanceTo(until);
    await timer.stop();
    return calls;
}

describe('timer schedule monitor', () => {
    it('runs a missed occurrence once, past due, when the next host starts', async () => {
        const fn = timerFunction(`monitored${randomBytes(4).toString('hex')}`);
        expect(await runHost(fn, '2026-12-03T10:01:00Z', '2026-12-03T10:05:00Z')).toEqual([{ isPastDue: false }]);
        // Down from 10:05 to 10:31: the 10:10 ... 10:30 occurrences were missed; one past-due run makes up for them.
        expect(await runHost(fn, '2026-12-03T10:31:00Z')).toEqual([{ isPastDue: true }]);
        expect(await runHost(fn, '2026-12-03T10:32:00Z')).toEqual([]);
    });

    it('runs nothing for the gap when useMonitor is off', async () => {
        const fn = timerFunction(`unmonitored${randomBytes(4).toString('hex')}`, false);
        expect(await runHost(fn, '2026-12-03T10:01:00Z', '2026-12-03T10:05:00Z')).toEqual([{ isPastDue: false }]);
        expect(await runHost(fn, '2026-12-03T10:31:00Z')).toEqual([]);
    });
});
