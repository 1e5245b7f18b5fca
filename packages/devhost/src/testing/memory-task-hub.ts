/**
 * An in-memory TaskHubStorage with queue semantics close to Azure Queues (visibility, pop receipts, dequeue
 * counts) and the sentinel-ETag check of the history table. For tests that must control or observe storage
 * precisely (call counts, conflicts, failures), and for createTestHost's task hub. Visibility follows `now`, so a
 * virtual clock (virtual-clock.ts) moves it: a timer message becomes visible when test time reaches its FireAt.
 * The real storage module is tested against Azurite.
 */
import { randomUUID } from 'node:crypto';
import type { QueueKind } from '../extensions/durable/runtime/message-transport';
import {
    CheckpointConflictError,
    MessageGoneError,
    type HistoryAppend,
    type HistorySnapshot,
    type InstancePage,
    type InstanceQuery,
    type InstanceRecord,
    type ReceivedMessage,
    type TaskHubStorage,
    type VersionedInstance,
} from '../extensions/durable/task-hub-port/task-hub-storage';
import type { HistoryEvent, TaskMessage } from '../shared/history';

interface StoredMessage {
    id: string;
    text: string;
    visibleAt: number;
    popReceipt: string;
    dequeueCount: number;
    insertedOn: Date;
    /** Hidden because a receiver holds it (received, or renewed), not because it was sent for later. */
    leased: boolean;
}

export class MemoryTaskHub implements TaskHubStorage {
    readonly partitionCount: number;
    readonly calls: Record<string, number> = {};
    readonly #queues = new Map<string, StoredMessage[]>();
    readonly #rowVersions = new Map<string, number>();
    readonly #instances = new Map<string, InstanceRecord>();
    readonly #history = new Map<
        string,
        { events: HistoryEvent[]; executionId: string; etag: string; consumedBefore: string[] }
    >();

    constructor(
        readonly hubName: string,
        partitionCount = 4,
        /** Set to false to exercise the runtime's fallback (plain sends + wake-up polls). */
        hiddenSend = true,
        /** The time queue visibility follows (ms since the epoch); the wall clock by default. */
        readonly now: () => number = Date.now,
    ) {
        this.partitionCount = partitionCount;
        if (!hiddenSend) (this as { sendHidden?: unknown }).sendHidden = undefined;
    }

    get totalCalls(): number {
        return Object.values(this.calls).reduce((a, b) => a + b, 0);
    }

    #count(op: string): void {
        this.calls[op] = (this.calls[op] ?? 0) + 1;
    }

    get workItemQueueName(): string {
        return `${this.hubName.toLowerCase()}-workitems`;
    }

    controlQueueName(partition: number): string {
        return `${this.hubName.toLowerCase()}-control-${String(partition).padStart(2, '0')}`;
    }

    partitionOf(instanceId: string): number {
        let hash = 2166136261;
        for (const byte of Buffer.from(instanceId, 'utf8')) {
            hash ^= byte;
            hash = Math.imul(hash, 16777619) >>> 0;
        }
        return hash % this.partitionCount;
    }

    createIfNotExists(): Promise<void> {
        this.#count('createIfNotExists');
        return Promise.resolve();
    }

    deleteAll(): Promise<void> {
        this.#queues.clear();
        this.#instances.clear();
        this.#history.clear();
        return Promise.resolve();
    }

    readInstance(instanceId: string): Promise<InstanceRecord | undefined> {
        this.#count('readInstance');
        const record = this.#instances.get(instanceId);
        return Promise.resolve(record ? structuredClone(record) : undefined);
    }

    writeInstance(record: InstanceRecord): Promise<void> {
        this.#count('writeInstance');
        this.#instances.set(record.instanceId, structuredClone(record));
        this.#rowVersions.set(record.instanceId, (this.#rowVersions.get(record.instanceId) ?? 0) + 1);
        return Promise.resolve();
    }

    readInstanceVersioned(instanceId: string): Promise<VersionedInstance | undefined> {
        this.#count('readInstance');
        const record = this.#instances.get(instanceId);
        const etag = String(this.#rowVersions.get(instanceId) ?? 0);
        return Promise.resolve(record ? { record: structuredClone(record), etag } : undefined);
    }

    writeNewExecution(record: InstanceRecord, etag: string | undefined): Promise<boolean> {
        const exists = this.#instances.has(record.instanceId);
        const current = String(this.#rowVersions.get(record.instanceId) ?? 0);
        if (etag === undefined ? exists : !exists || etag !== current) return Promise.resolve(false);
        return this.writeInstance(record).then(() => true);
    }

    /** The filters the storage applies (one page: the memory hub never pages). */
    queryInstances(query: InstanceQuery = {}): Promise<InstancePage> {
        this.#count('queryInstances');
        const matches = [...this.#instances.values()].filter(
            (r) =>
                (query.instanceIdPrefix === undefined || r.instanceId.startsWith(query.instanceIdPrefix)) &&
                (query.runtimeStatus === undefined || query.runtimeStatus.includes(r.runtimeStatus)) &&
                (query.createdTimeFrom === undefined || r.createdTime >= query.createdTimeFrom) &&
                (query.createdTimeTo === undefined || r.createdTime <= query.createdTimeTo),
        );
        return Promise.resolve({
            instances: matches.map((r) => ({ ...structuredClone(r), ...(query.excludeInput ? { input: null } : {}) })),
        });
    }

    readHistory(instanceId: string): Promise<HistorySnapshot> {
        this.#count('readHistory');
        const stored = this.#history.get(instanceId);
        return Promise.resolve(
            stored
                ? {
                      events: structuredClone(stored.events),
                      executionId: stored.executionId,
                      etag: stored.etag,
                      consumedBefore: [...stored.consumedBefore],
                  }
                : { events: [], executionId: null, etag: undefined },
        );
    }

    appendHistory(append: HistoryAppend): Promise<string> {
        this.#count('appendHistory');
        const stored = this.#history.get(append.instanceId);
        if (stored?.etag !== append.etag) return Promise.reject(new CheckpointConflictError(append.instanceId));
        const previous = append.newExecution ? [] : (stored?.events ?? []);
        if (!append.newExecution && append.startIndex !== previous.length) {
            return Promise.reject(new Error(`startIndex ${append.startIndex} != ${previous.length}`));
        }
        const etag = randomUUID();
        this.#history.set(append.instanceId, {
            events: [...previous, ...structuredClone([...append.events])],
            executionId: append.executionId,
            etag,
            consumedBefore: [...(append.consumedBefore ?? stored?.consumedBefore ?? [])],
        });
        return Promise.resolve(etag);
    }

    purgeInstance(instanceId: string): Promise<boolean> {
        const existed = this.#instances.delete(instanceId);
        this.#history.delete(instanceId);
        return Promise.resolve(existed);
    }

    #queue(name: string): StoredMessage[] {
        let queue = this.#queues.get(name);
        if (!queue) this.#queues.set(name, (queue = []));
        return queue;
    }

    #add(name: string, message: TaskMessage, delayMs: number): StoredMessage {
        const stored: StoredMessage = {
            id: randomUUID(),
            text: JSON.stringify(message),
            visibleAt: this.now() + delayMs,
            popReceipt: randomUUID(),
            dequeueCount: 0,
            insertedOn: new Date(this.now()),
            leased: false,
        };
        this.#queue(name).push(stored);
        return stored;
    }

    sendControlMessage(message: TaskMessage, options?: { visibleAt?: Date }): Promise<void> {
        this.#count('send');
        const delay = options?.visibleAt ? Math.max(0, options.visibleAt.getTime() - this.now()) : 0;
        this.#add(this.controlQueueName(this.partitionOf(message.OrchestrationInstance.InstanceId)), message, delay);
        return Promise.resolve();
    }

    sendWorkItem(message: TaskMessage): Promise<void> {
        this.#count('send');
        this.#add(this.workItemQueueName, message, 0);
        return Promise.resolve();
    }

    sendHidden(queue: QueueKind, message: TaskMessage, hiddenForSeconds: number): Promise<ReceivedMessage> {
        this.#count('send');
        const name =
            queue === 'control'
                ? this.controlQueueName(this.partitionOf(message.OrchestrationInstance.InstanceId))
                : this.workItemQueueName;
        const stored = this.#add(name, message, hiddenForSeconds * 1000);
        return Promise.resolve({
            message,
            queueName: name,
            messageId: stored.id,
            popReceipt: stored.popReceipt,
            dequeueCount: 0,
            insertedOn: stored.insertedOn,
        });
    }

    #receive(name: string, max: number, visibilitySeconds: number): ReceivedMessage[] {
        const now = this.now();
        const out: ReceivedMessage[] = [];
        for (const stored of this.#queue(name)) {
            if (out.length >= max) break;
            if (stored.visibleAt > now) continue;
            stored.visibleAt = now + visibilitySeconds * 1000;
            stored.leased = true;
            stored.popReceipt = randomUUID();
            stored.dequeueCount++;
            out.push({
                message: JSON.parse(stored.text) as TaskMessage,
                queueName: name,
                messageId: stored.id,
                popReceipt: stored.popReceipt,
                dequeueCount: stored.dequeueCount,
                insertedOn: stored.insertedOn,
            });
        }
        return out;
    }

    receiveControlMessages(
        partition: number,
        max: number,
        visibilityTimeoutSeconds: number,
    ): Promise<ReceivedMessage[]> {
        this.#count('receive');
        return Promise.resolve(this.#receive(this.controlQueueName(partition), max, visibilityTimeoutSeconds));
    }

    receiveWorkItems(max: number, visibilityTimeoutSeconds: number): Promise<ReceivedMessage[]> {
        this.#count('receive');
        return Promise.resolve(this.#receive(this.workItemQueueName, max, visibilityTimeoutSeconds));
    }

    #find(message: ReceivedMessage): StoredMessage {
        const queue = this.#queue(message.queueName);
        const stored = queue.find((m) => m.id === message.messageId);
        if (!stored || stored.popReceipt !== message.popReceipt) throw new MessageGoneError(message.messageId);
        return stored;
    }

    deleteMessage(message: ReceivedMessage): Promise<void> {
        this.#count('delete');
        try {
            const stored = this.#find(message);
            const queue = this.#queue(message.queueName);
            queue.splice(queue.indexOf(stored), 1);
            return Promise.resolve();
        } catch (error) {
            return Promise.reject(error as Error);
        }
    }

    releaseMessage(message: ReceivedMessage, delaySeconds: number): Promise<void> {
        this.#count('release');
        try {
            const stored = this.#find(message);
            stored.visibleAt = this.now() + delaySeconds * 1000;
            stored.leased = delaySeconds > 0;
            stored.popReceipt = randomUUID();
            return Promise.resolve();
        } catch (error) {
            return Promise.reject(error as Error);
        }
    }

    /** Messages a receive would return now. */
    visibleMessageCount(): number {
        const now = this.now();
        let n = 0;
        for (const queue of this.#queues.values()) for (const stored of queue) if (stored.visibleAt <= now) n++;
        return n;
    }

    /**
     * When the next message sent for later (a timer, a retry's back-off) becomes visible (ms since the epoch), or
     * undefined when there is none. Messages hidden by a receiver's lease do not count: they are work in hand.
     */
    nextVisibleAt(): number | undefined {
        const now = this.now();
        let next: number | undefined;
        for (const queue of this.#queues.values())
            for (const stored of queue)
                if (!stored.leased && stored.visibleAt > now && (next === undefined || stored.visibleAt < next))
                    next = stored.visibleAt;
        return next;
    }

    /**
     * Test time jumped by `ms`: leases run on with the work they protect, not with the jump, so a message a
     * receiver holds stays hidden as long as it would have (otherwise every jump would redeliver work in hand).
     */
    shiftLeases(ms: number): void {
        const now = this.now();
        for (const queue of this.#queues.values())
            for (const stored of queue) if (stored.leased && stored.visibleAt > now - ms) stored.visibleAt += ms;
    }

    /** Messages still in a queue (visible or not). */
    messageCount(): number {
        let n = 0;
        for (const queue of this.#queues.values()) n += queue.length;
        return n;
    }
}
