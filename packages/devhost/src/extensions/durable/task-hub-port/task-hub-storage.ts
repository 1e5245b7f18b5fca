/**
 * What the Durable engine and the management API need from the task hub's storage. The implementation keeps
 * the Durable Task Azure Storage provider's layout (docs/protocol.md §1-§7) so a task hub
 * written by the devhost reads the same in Storage Explorer as one written by the real extension.
 * Payloads over the queue / table limits are moved to `<hub>-largemessages` and back transparently: callers
 * always see whole values.
 */
import type { HistoryEvent, OrchestrationInstanceRef, RuntimeStatusName, TaskMessage } from '../../../shared/history';

export interface InstanceRecord {
    instanceId: string;
    executionId: string;
    name: string;
    version: string | null;
    /** JSON text (or null). */
    input: string | null;
    /** JSON text of the output; on failure the failure text; on termination the reason. */
    output: string | null;
    /** JSON text, or null when unset (stored as the literal "null" as the provider does). */
    customStatus: string | null;
    runtimeStatus: RuntimeStatusName;
    createdTime: Date;
    lastUpdatedTime: Date;
    completedTime: Date | null;
    scheduledStartTime: Date | null;
    generation: number;
    tags: Record<string, string> | null;
    parentInstanceId: string | null;
    /**
     * Set only on the Pending row of a start this process handed to its dispatcher in memory, with no
     * control message behind it: start-up recovery starts such an instance if it has no history yet.
     */
    startedInMemory?: boolean;
}

export interface VersionedInstance {
    record: InstanceRecord;
    etag: string;
}

export interface InstanceQuery {
    instanceIdPrefix?: string;
    createdTimeFrom?: Date;
    createdTimeTo?: Date;
    runtimeStatus?: readonly RuntimeStatusName[];
    /** Page size. */
    top?: number;
    /** Omit the input column (cheaper listings). */
    excludeInput?: boolean;
}

export interface InstancePage {
    instances: InstanceRecord[];
    /** Opaque; absent on the last page. */
    continuationToken?: string;
}

export interface HistorySnapshot {
    /** All events of the current execution, in row order. */
    events: HistoryEvent[];
    /** Execution the rows belong to, or null when there is no history yet. */
    executionId: string | null;
    /** ETag of the `sentinel` row; undefined when there is none yet. */
    etag: string | undefined;
    /** Keys of client messages consumed by earlier generations (engine/intake.ts), from the sentinel row. */
    consumedBefore?: string[];
}

export interface HistoryAppend {
    instanceId: string;
    executionId: string;
    /** Row index of the first new event (= number of events already stored for this execution). */
    startIndex: number;
    events: readonly HistoryEvent[];
    /** The sentinel ETag read with the history; undefined to create the first checkpoint. */
    etag: string | undefined;
    /** Sets `IsCheckpointComplete` / `CheckpointCompletedTimestamp` on the sentinel. */
    isCheckpointComplete?: boolean;
    /**
     * A new execution (ContinueAsNew, restart, rewind) overwrites the rows: rows at or after `startIndex`
     * that belong to an older execution are replaced or deleted.
     */
    newExecution?: boolean;
    /** With a new execution: the keys to keep on the sentinel row for it (see HistorySnapshot). */
    consumedBefore?: readonly string[];
}

/** Thrown when the sentinel ETag no longer matches: another episode checkpointed first (split brain). */
/** A listing's continuation token that this task hub did not issue (tampered, foreign, or from another filter). */
export class InvalidContinuationTokenError extends Error {
    constructor() {
        super('The continuation token is not valid for this task hub listing.');
        this.name = 'InvalidContinuationTokenError';
    }
}

export class CheckpointConflictError extends Error {
    constructor(
        readonly instanceId: string,
        options?: ErrorOptions,
    ) {
        super(`History of instance '${instanceId}' was changed by another writer (sentinel ETag mismatch).`, options);
        this.name = 'CheckpointConflictError';
    }
}

/**
 * The queue says the message is no longer ours: deleted, or its pop receipt is stale (someone else received it
 * after our lease lapsed). Renewing it is pointless; any other failure of an update may be transient.
 */
export class MessageGoneError extends Error {
    constructor(readonly messageId: string) {
        super(`Message ${messageId} is gone or no longer held (its pop receipt is stale).`);
        this.name = 'MessageGoneError';
    }
}

export interface ReceivedMessage {
    message: TaskMessage;
    queueName: string;
    messageId: string;
    popReceipt: string;
    dequeueCount: number;
    insertedOn: Date;
}

/** What the queue service answered for a sent message: enough to delete or re-hide it without receiving it. */
export interface MessageReceipt {
    queueName: string;
    messageId: string;
    popReceipt: string;
    insertedOn: Date;
}

/**
 * Who sent a message, for the envelope's `Sender` and `Episode` (DTFx `MessageData`): the sending execution
 * and how many episodes it had run (its OrchestratorStarted events). Client messages have none: their
 * `Sender` is empty, as DTFx's `EmptySourceInstance`.
 */
export interface MessageOrigin {
    sender: OrchestrationInstanceRef;
    episode?: number;
}

/** The hub, held by this process (storage/hub-lock.ts). */
export interface HubLockHandle {
    /**
     * The previous holder stopped after handing its in-memory work over to the queues (docs/protocol.md,
     * "Sharing a hub with the extension"): nothing of it is left for recovery to find in history.
     */
    readonly previousHandedOver: boolean;
    /** `handedOver`: this process left nothing in memory only; the next holder needs no recovery. */
    release(options?: { handedOver?: boolean }): Promise<void>;
}

export interface SendMessageOptions {
    /** Not delivered before this time (durable timers, scheduled starts). */
    visibleAt?: Date;
    origin?: MessageOrigin;
    /**
     * Hidden for at least this long after the send (the sender works on it itself and deletes it by its
     * receipt; if the sender dies, the message reappears for any poller after this time).
     */
    hiddenForSeconds?: number;
}

/** What the holder of the hub lock is told while it holds it. */
export interface HubLockEvents {
    /** The lock could not be renewed in time: another process may take the hub now. Stop taking work. */
    onLapsed(error: unknown): void;
    /** Renewed again, and nobody took the hub meanwhile: work may go on. */
    onRegained(): void;
    /** Another process holds the hub now (`holder` says which, as far as known): never work on it again. */
    onLost(error: unknown, holder: string): void;
}

export interface TaskHubStorage {
    readonly hubName: string;
    readonly partitionCount: number;

    /** Creates the tables, queues and containers (idempotent). */
    createIfNotExists(): Promise<void>;
    /** Deletes everything of this hub (tests, `purge all`). */
    deleteAll(): Promise<void>;

    readInstance(instanceId: string): Promise<InstanceRecord | undefined>;
    /** InsertOrMerge, as checkpoints do. */
    writeInstance(record: InstanceRecord): Promise<void>;
    /** The row with its ETag, for a conditional write of a new execution (start, restart). */
    readInstanceVersioned(instanceId: string): Promise<VersionedInstance | undefined>;
    /**
     * Writes the row of a new execution only if the row is still as it was read: absent (`etag` undefined:
     * insert, which fails if the row exists) or unchanged (replace under that ETag). False when another
     * writer got there first. The provider's AzureTableTrackingStore.SetNewExecutionAsync does the same
     * (Azure/durabletask, called from AzureStorageOrchestrationService.CreateTaskOrchestrationAsync).
     */
    writeNewExecution(record: InstanceRecord, etag: string | undefined): Promise<boolean>;
    queryInstances(query: InstanceQuery, continuationToken?: string): Promise<InstancePage>;

    readHistory(instanceId: string): Promise<HistorySnapshot>;
    /** One conditional write (history rows + sentinel in an entity-group transaction). Returns the new ETag. */
    appendHistory(append: HistoryAppend): Promise<string>;

    /** Deletes the instance row, its history rows and its large-message blobs. False if there was no instance. */
    purgeInstance(instanceId: string): Promise<boolean>;

    /** FNV-1a(UTF-8 id) % partitionCount. */
    partitionOf(instanceId: string): number;
    controlQueueName(partition: number): string;
    readonly workItemQueueName: string;

    /**
     * To the instance's control queue; `visibleAt` delays delivery (durable timers). Implementations may
     * return the message's receipt (the Azure one always does); callers that need one check for it.
     */
    sendControlMessage(message: TaskMessage, options?: SendMessageOptions): Promise<MessageReceipt | void>;
    sendWorkItem(
        message: TaskMessage,
        options?: Pick<SendMessageOptions, 'hiddenForSeconds' | 'origin'>,
    ): Promise<MessageReceipt | void>;
    receiveControlMessages(
        partition: number,
        max: number,
        visibilityTimeoutSeconds: number,
    ): Promise<ReceivedMessage[]>;
    receiveWorkItems(max: number, visibilityTimeoutSeconds: number): Promise<ReceivedMessage[]>;
    deleteMessage(message: ReceivedMessage): Promise<void>;
    /** Makes the message visible again after `delaySeconds` (abandon with back-off). Returns the new pop receipt. */
    releaseMessage(message: ReceivedMessage, delaySeconds: number): Promise<void>;
    /**
     * Optional: takes the hub for this process (hub-lock.ts) or throws HubLockedError, and keeps it; `events`
     * are told when it may have been lost, is held again, or is held by another process. Storage without it
     * (in-memory test hubs) is never shared.
     */
    acquireHubLock?(events: HubLockEvents): Promise<HubLockHandle>;
    /**
     * Optional: deletes the instance's large-payload blobs (history and instance-row columns) that neither its
     * history rows nor its Instances row name any more: those of replaced executions (ContinueAsNew, restart,
     * rewind). Returns how many. Cheap when the instance never had a large payload (no call at all).
     */
    collectOrphanBlobs?(instanceId: string): Promise<number>;
    /**
     * Optional: keeps a poison message (one that could never be processed) where people can read it, with the
     * reason, and removes it from its queue. Without it the runtime logs the message and deletes it.
     */
    setAsideMessage?(message: ReceivedMessage, reason: string): Promise<string>;
}
