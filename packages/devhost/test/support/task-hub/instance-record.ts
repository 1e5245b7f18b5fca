/**
 * Test support: an Instances row as the TaskHubStorage port takes it, with defaults (a Running
 * `order_processing` instance, fixed times, no output); `overrides` sets what a test is about.
 */
import type { InstanceRecord } from '../../../src/extensions/durable/task-hub-port/task-hub-storage';

export function instanceRecord(instanceId: string, overrides: Partial<InstanceRecord> = {}): InstanceRecord {
    return {
        instanceId,
        executionId: 'exec-1',
        name: 'order_processing',
        version: null,
        input: '{"order_id":"o-1"}',
        output: null,
        customStatus: null,
        runtimeStatus: 'Running',
        createdTime: new Date('2024-01-01T10:00:00.000Z'),
        lastUpdatedTime: new Date('2024-01-01T10:00:01.000Z'),
        completedTime: null,
        scheduledStartTime: null,
        generation: 0,
        tags: null,
        parentInstanceId: null,
        ...overrides,
    };
}
