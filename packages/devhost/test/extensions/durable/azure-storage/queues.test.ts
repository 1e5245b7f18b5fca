import { beforeAll, describe, expect, it } from 'vitest';
import type { DiscardedMessage } from '../../../../src/extensions/durable/azure-storage/message-queues';
import {
    visibilityDelaySeconds,
    MAX_VISIBILITY_DELAY_SECONDS,
} from '../../../../src/extensions/durable/azure-storage/message-queues';
import { dtfxTimestamp, EventType, type TaskMessage } from '../../../../src/shared/history';
import { everyEventType } from '../../../support/task-hub/events-fixture';
import { createTestHub, type TestHub } from '../../../support/task-hub/hub-fixture';

let hub: TestHub;
const discarded: DiscardedMessage[] = [];
beforeAll(async () => {
    hub = await createTestHub({ onDiscardedMessage: (m) => discarded.push(m) });
});

function scheduled(instanceId: string, name = 'charge'): TaskMessage {
    return {
        Event: {
            EventType: EventType.TaskScheduled,
            EventId: 2,
            IsPlayed: false,
            Timestamp: dtfxTimestamp(new Date()),
            Name: name,
            Version: '',
            Input: '["London"]',
        },
        SequenceNumber: 0,
        OrchestrationInstance: { InstanceId: instanceId, ExecutionId: 'exec-1' },
    };
}

async function peekOne(queueName: string): Promise<Record<string, unknown>> {
    const peeked = await hub.queues.getQueueClient(queueName).peekMessages({ numberOfMessages: 1 });
    const text = peeked.peekedMessageItems[0]?.messageText;
    if (text === undefined) throw new Error(`queue ${queueName} is empty`);
    return JSON.parse(text) as Record<string, unknown>;
}

async function drain(partition: number): Promise<void> {
    for (
        let batch = await hub.storage.receiveControlMessages(partition, 32, 1);
        batch.length > 0;
        batch = await hub.storage.receiveControlMessages(partition, 32, 1)
    ) {
        await Promise.all(batch.map((m) => hub.storage.deleteMessage(m)));
    }
}

describe('control and work-item queues', () => {
    it('writes MessageData as raw JSON with $type names and numeric EventType', async () => {
        await hub.storage.sendWorkItem(scheduled('orders-1'));
        const body = await peekOne(hub.storage.workItemQueueName);
        expect(body).toMatchObject({
            $type: 'DurableTask.AzureStorage.MessageData',
            CompressedBlobName: null,
            Sender: { InstanceId: 'orders-1', ExecutionId: 'exec-1' },
            TaskMessage: {
                $type: 'DurableTask.Core.TaskMessage',
                SequenceNumber: 0,
                Event: {
                    $type: 'DurableTask.Core.History.TaskScheduledEvent',
                    EventType: 4,
                    Name: 'charge',
                    Input: '["London"]',
                    EventId: 2,
                    IsPlayed: false,
                },
                OrchestrationInstance: {
                    $type: 'DurableTask.Core.OrchestrationInstance',
                    InstanceId: 'orders-1',
                    ExecutionId: 'exec-1',
                },
            },
        });
        expect(body.ActivityId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
        expect(typeof body.SequenceNumber).toBe('number');
        expect((body.TaskMessage as { Event: { Timestamp: unknown } }).Event.Timestamp).toMatch(/Z$/);
        expect((body.TaskMessage as { Event: Record<string, unknown> }).Event).not.toHaveProperty('_Timestamp');
    });

    it('round-trips every event type through a control queue, without $type, on the partition of the instance', async () => {
        const id = 'queue-roundtrip';
        const partition = hub.storage.partitionOf(id);
        await drain(partition);
        // ExecutionFailed has no event class in DTFx, so no message carries it.
        const events = everyEventType(id, 'x').filter((e) => e.EventType !== EventType.ExecutionFailed);
        for (const [i, event] of events.entries()) {
            await hub.storage.sendControlMessage({
                Event: event,
                SequenceNumber: i,
                OrchestrationInstance: { InstanceId: id, ExecutionId: 'x' },
            });
        }
        const received = await hub.storage.receiveControlMessages(partition, 32, 30);
        expect(received).toHaveLength(events.length);
        const byEvent = [...received].sort((a, b) => a.message.SequenceNumber - b.message.SequenceNumber);
        expect(byEvent.map((r) => r.message.Event)).toEqual(events);
        for (const r of received) {
            expect(r.queueName).toBe(hub.storage.controlQueueName(partition));
            expect(r.dequeueCount).toBe(1);
            expect(r.insertedOn).toBeInstanceOf(Date);
            expect(JSON.stringify(r.message)).not.toContain('$type');
        }
        await Promise.all(received.map((r) => hub.storage.deleteMessage(r)));
        expect(await hub.storage.receiveControlMessages(partition, 32, 30)).toHaveLength(0);
    });

    it('delays delivery until visibleAt (durable timers)', async () => {
        const id = 'timer-1';
        const partition = hub.storage.partitionOf(id);
        await drain(partition);
        await hub.storage.sendControlMessage(scheduled(id), { visibleAt: new Date(Date.now() + 1500) });
        expect(await hub.storage.receiveControlMessages(partition, 32, 30)).toHaveLength(0);
        await new Promise((r) => setTimeout(r, 2100));
        const received = await hub.storage.receiveControlMessages(partition, 32, 30);
        expect(received.map((r) => r.message.OrchestrationInstance.InstanceId)).toEqual([id]);
        await hub.storage.deleteMessage(received[0]!);
    });

    it('rounds delays up and clamps them to the 7-day queue maximum', () => {
        const now = new Date('2024-01-01T00:00:00Z');
        expect(visibilityDelaySeconds(undefined, now)).toBe(0);
        expect(visibilityDelaySeconds(new Date('2023-12-31T00:00:00Z'), now)).toBe(0);
        expect(visibilityDelaySeconds(new Date('2024-01-01T00:00:00.001Z'), now)).toBe(1);
        expect(visibilityDelaySeconds(new Date('2024-03-01T00:00:00Z'), now)).toBe(MAX_VISIBILITY_DELAY_SECONDS);
    });

    it('accepts a timer beyond 7 days (clamped) without a service error', async () => {
        const id = 'far-timer';
        await hub.storage.sendControlMessage(scheduled(id), {
            visibleAt: new Date(Date.now() + 30 * 24 * 3600 * 1000),
        });
        expect(await hub.storage.receiveControlMessages(hub.storage.partitionOf(id), 32, 30)).toHaveLength(0);
    });

    it('releases a message with a delay and counts dequeues; a stale pop receipt is refreshed in place', async () => {
        const id = 'release-1';
        const partition = hub.storage.partitionOf(id);
        await drain(partition);
        await hub.storage.sendControlMessage(scheduled(id));
        const [first] = await hub.storage.receiveControlMessages(partition, 32, 30);
        if (!first) throw new Error('no message');
        await hub.storage.releaseMessage(first, 0);
        const [again] = await hub.storage.receiveControlMessages(partition, 32, 30);
        expect(again?.messageId).toBe(first.messageId);
        expect(again?.dequeueCount).toBe(2);
        await hub.storage.releaseMessage(again!, 1);
        await hub.storage.deleteMessage(again!);
        await hub.storage.deleteMessage(again!); // already gone: not an error
        await new Promise((r) => setTimeout(r, 1200));
        expect(await hub.storage.receiveControlMessages(partition, 32, 30)).toHaveLength(0);
    });

    it('reads base64 bodies (a Base64-encoding sender) and removes unreadable ones instead of blocking the queue', async () => {
        const id = 'encodings';
        const partition = hub.storage.partitionOf(id);
        await drain(partition);
        const queue = hub.queues.getQueueClient(hub.storage.controlQueueName(partition));
        await hub.storage.sendControlMessage(scheduled(id, 'plain'));
        const plain = (await queue.peekMessages()).peekedMessageItems[0]?.messageText ?? '';
        await drain(partition);
        await queue.sendMessage(Buffer.from(plain.replace('"plain"', '"base64"'), 'utf8').toString('base64'));
        await queue.sendMessage('{"not":"a message"}');
        await queue.sendMessage('%%% garbage');
        const received = await hub.storage.receiveControlMessages(partition, 32, 30);
        expect(received.map((r) => (r.message.Event as { Name?: string }).Name)).toEqual(['base64']);
        expect(discarded.map((d) => d.body)).toEqual(expect.arrayContaining(['{"not":"a message"}', '%%% garbage']));
        await hub.storage.deleteMessage(received[0]!);
        expect((await queue.peekMessages({ numberOfMessages: 32 })).peekedMessageItems).toHaveLength(0);
    });
});
