/**
 * The Instances row writer (runtime/instance-row-writer.ts) when a write fails: during an outage the row is
 * written again until it lands (a waiting instance may have no next checkpoint for days, and its row must
 * not stay behind its history), a newer row replaces the one being retried, and a failure that is the row's
 * own (a 400) is not repeated.
 */
import { describe, expect, it } from 'vitest';
import { InstanceRowWriter } from '../../../../src/extensions/durable/runtime/instance-row-writer';
import type { InstanceRecord } from '../../../../src/extensions/durable/task-hub-port/task-hub-storage';
import { MemoryTaskHub } from '../../../../src/testing/memory-task-hub';
import { pollUntil } from '../../../../src/testing/poll-until';
import { instanceRecord } from '../../../support/task-hub/instance-record';

const outage = (): Error => Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });

/** A hub whose row writes fail with `failure` the first `times` times. */
function failingRowWrites(times: number, failure: () => Error): { hub: MemoryTaskHub; attempts: () => number } {
    const hub = new MemoryTaskHub('RowWriter');
    const write = hub.writeInstance.bind(hub);
    let attempts = 0;
    hub.writeInstance = (record: InstanceRecord) => (++attempts <= times ? Promise.reject(failure()) : write(record));
    return { hub, attempts: () => attempts };
}

describe('a row write that fails', () => {
    it('is written again once storage answers, though its caller heard of the failure', async () => {
        const { hub, attempts } = failingRowWrites(2, outage);
        const rows = new InstanceRowWriter(hub);
        const running = instanceRecord('waiting', { runtimeStatus: 'Running' });
        await expect(rows.write(running)).rejects.toThrow('ECONNREFUSED');
        const stored = await pollUntil(
            () => hub.readInstance('waiting'),
            (row) => row !== undefined,
        );
        expect(stored?.runtimeStatus).toBe('Running');
        expect(attempts()).toBe(3);
    });

    it('gives way to a newer row of the instance written meanwhile', async () => {
        const { hub } = failingRowWrites(1, outage);
        const rows = new InstanceRowWriter(hub);
        await rows.write(instanceRecord('moving', { runtimeStatus: 'Running' })).catch(() => undefined);
        await rows.write(instanceRecord('moving', { runtimeStatus: 'Completed', output: '1' }));
        await new Promise((resolve) => setTimeout(resolve, 1_500));
        expect((await hub.readInstance('moving'))?.runtimeStatus).toBe('Completed');
    });

    it('is not repeated when the failure is the row’s own', async () => {
        const { hub, attempts } = failingRowWrites(1, () =>
            Object.assign(new Error('EntityTooLarge'), { statusCode: 400 }),
        );
        const rows = new InstanceRowWriter(hub);
        await expect(rows.write(instanceRecord('big'))).rejects.toThrow('EntityTooLarge');
        await new Promise((resolve) => setTimeout(resolve, 1_500));
        expect(attempts()).toBe(1);
        expect(await hub.readInstance('big')).toBeUndefined();
    });

    it('is dropped once a new execution is written under the id, so it cannot land over its Pending row', async () => {
        const { hub, attempts } = failingRowWrites(1, outage);
        const rows = new InstanceRowWriter(hub);
        await rows.write(instanceRecord('restarted', { runtimeStatus: 'Completed' })).catch(() => undefined);
        // The client restarts the instance: it writes the new Pending row itself, then revives the id.
        await hub.writeInstance(instanceRecord('restarted', { executionId: 'exec-2', runtimeStatus: 'Pending' }));
        rows.revive('restarted');
        await new Promise((resolve) => setTimeout(resolve, 1_500));
        expect(await hub.readInstance('restarted')).toMatchObject({ executionId: 'exec-2', runtimeStatus: 'Pending' });
        expect(attempts()).toBe(2);
    });
});
