/**
 * Poison: a batch of control messages whose episode failed `maxDequeueCount` times (failures of the episode
 * itself, not storage outages: orchestration-dispatcher.ts counts) can never be processed. Its messages are
 * kept aside (storage.setAsideMessage, or logged and deleted) and the instance fails with a reason that says
 * so: history gets ExecutionCompleted(Failed) when it can still be written, the row says Failed either way,
 * and a sub-orchestration's parent is told. Nothing is retried after this.
 */
import { errorMessage } from '../../../shared/errors';
import {
    EventType,
    isTerminalStatus,
    RuntimeStatus,
    type ExecutionStartedEvent,
    type TaskMessage,
} from '../../../shared/history';
import type { HostLogger } from '../../../shared/host-contracts';
import { addressed } from '../engine';
import {
    executionCompleted,
    orchestratorCompleted,
    orchestratorStarted,
    subOrchestrationFailed,
} from '../engine/events';
import type { InstanceRecord, ReceivedMessage, TaskHubStorage } from '../task-hub-port/task-hub-storage';
import { executionEnded, executionStarted, failedRow } from './checkpoint-rows';
import { isInProcess } from './in-process-work-items';
import type { InstanceRowWriter } from './instance-row-writer';
import type { MessageLeases } from './message-leases';
import type { MessageTransport } from './message-transport';

export interface PoisonHandlerOptions {
    storage: TaskHubStorage;
    rows: InstanceRowWriter;
    transport: MessageTransport;
    leases: MessageLeases;
    logger: HostLogger;
    clock: () => Date;
    /** The dispatcher no longer holds the message. */
    release(messageId: string): void;
    /** The instance's cached state is stale. */
    forgetState(instanceId: string): void;
}

export class PoisonHandler {
    readonly #o: PoisonHandlerOptions;

    constructor(options: PoisonHandlerOptions) {
        this.#o = options;
    }

    async setAside(
        instanceId: string,
        batch: readonly ReceivedMessage[],
        error: unknown,
        attempts: number,
    ): Promise<void> {
        const kinds = batch.map((m) => `${m.messageId} (${EventType[m.message.Event.EventType]})`).join(', ');
        const reason = `The devhost set aside ${batch.length} message(s) for this instance after ${attempts} failed attempts to process them: ${kinds}. Last error: ${errorMessage(error)}`;
        this.#o.logger.error(`Instance ${instanceId}: poison message(s). ${reason}`);
        await Promise.all(batch.map((item) => this.#keep(item, reason)));
        try {
            await this.#failInstance(instanceId, reason, batch);
        } catch (failError) {
            this.#o.logger.error(`Instance ${instanceId}: could not be marked failed: ${errorMessage(failError)}`);
        }
    }

    async #keep(item: ReceivedMessage, reason: string): Promise<void> {
        await this.#o.leases.letGo(item);
        try {
            // An in-process message has no queue copy to keep: the log below is its record.
            if (this.#o.storage.setAsideMessage && !isInProcess(item)) {
                const where = await this.#o.storage.setAsideMessage(item, reason);
                this.#o.logger.error(`Message ${item.messageId} was set aside in '${where}'.`);
            } else {
                this.#o.logger.error(`Message ${item.messageId} deleted as poison: ${JSON.stringify(item.message)}`);
                await this.#o.storage.deleteMessage(item);
            }
        } catch (setAsideError) {
            this.#o.logger.warn(`Could not set aside message ${item.messageId}: ${errorMessage(setAsideError)}`);
        } finally {
            this.#o.release(item.messageId);
        }
    }

    async #failInstance(instanceId: string, reason: string, batch: readonly ReceivedMessage[]): Promise<void> {
        const now = this.#o.clock();
        const [history, row] = await Promise.all([
            this.#o.storage.readHistory(instanceId).catch(() => undefined),
            this.#o.storage.readInstance(instanceId),
        ]);
        const committedStart = history ? executionStarted(history.events) : undefined;
        // A first episode that never committed: the instance is only its start message.
        const started = committedStart ?? startIn(batch.map((item) => item.message));
        if (!started || (history !== undefined && executionEnded(history.events))) {
            this.#o.forgetState(instanceId);
            if (row && !isTerminalStatus(row.runtimeStatus)) await this.#o.rows.write(failedRow(row, reason, now));
            return;
        }
        // A sub-orchestration's parent waits for its outcome: tell it, as a failing episode would (DTFx sends
        // SubOrchestrationInstanceFailed when a child fails). Sent before the history write, like every outbound
        // message of a checkpoint; a repeat is discarded by the parent as a duplicate.
        const parent = started.ParentInstance;
        if (parent) {
            await this.#o.transport.send({
                queue: 'control',
                message: addressed(
                    subOrchestrationFailed(parent.TaskScheduleId, reason, reason, now),
                    parent.OrchestrationInstance,
                ),
            });
        }
        const executionId = started.OrchestrationInstance.ExecutionId;
        const opening = committedStart ? [orchestratorStarted(now)] : [orchestratorStarted(now), started];
        await this.#o.storage
            .appendHistory({
                instanceId,
                executionId,
                startIndex: committedStart && history ? history.events.length : 0,
                events: [
                    ...opening,
                    executionCompleted(-1, RuntimeStatus.Failed, reason, now),
                    orchestratorCompleted(now),
                ],
                etag: history?.etag,
                isCheckpointComplete: true,
                newExecution: !committedStart,
            })
            .catch((error: unknown) =>
                this.#o.logger.warn(
                    `Instance ${instanceId}: the failure could not be written to history: ${errorMessage(error)}`,
                ),
            );
        this.#o.forgetState(instanceId);
        if (row && isTerminalStatus(row.runtimeStatus)) return;
        await this.#o.rows.write(failedRow(row ?? pendingRowOf(instanceId, started, now), reason, now));
    }
}

function startIn(messages: readonly TaskMessage[]): ExecutionStartedEvent | undefined {
    for (const message of messages) if (message.Event.EventType === EventType.ExecutionStarted) return message.Event;
    return undefined;
}

/** The row a start would have had, for an instance that failed before its first row was written. */
function pendingRowOf(instanceId: string, started: ExecutionStartedEvent, now: Date): InstanceRecord {
    return {
        instanceId,
        executionId: started.OrchestrationInstance.ExecutionId,
        name: started.Name,
        version: started.Version,
        input: started.Input,
        output: null,
        customStatus: null,
        runtimeStatus: 'Pending',
        createdTime: new Date(started.Timestamp),
        lastUpdatedTime: now,
        completedTime: null,
        scheduledStartTime: null,
        generation: started.Generation ?? 0,
        tags: started.Tags,
        parentInstanceId: started.ParentInstance?.OrchestrationInstance.InstanceId ?? null,
    };
}
