/**
 * The client side of the task hub (DTFx TaskHubClient + the extension's DurableClient), used by the HTTP API:
 * start, status, history, raise event, terminate, suspend, resume, and waiting for completion. All inputs are
 * data: ids are validated before they reach a key or a URL; event data and inputs are JSON text.
 */
import { randomUUID } from 'node:crypto';
import { errorMessage } from '../../../shared/errors';
import { isTerminalStatus, type HistoryEvent, type TaskMessage } from '../../../shared/history';
import {
    eventRaisedMessage,
    executionStartedMessage,
    resumeMessage,
    rewindHistory,
    rewindMessage,
    suspendMessage,
    terminateMessage,
} from '../engine';
import {
    entityInstanceId,
    entityRequestMessage,
    entityStateOf,
    parseEntityInstanceId,
    parseSchedulerState,
    requestMessageText,
    type EntityId,
} from '../engine/entity-protocol';
import type {
    InstancePage,
    InstanceQuery,
    InstanceRecord,
    VersionedInstance,
    ReceivedMessage,
    TaskHubStorage,
} from '../task-hub-port/task-hub-storage';
import {
    DurableArgumentError,
    InstanceAlreadyExistsError,
    InstanceGoneError,
    InstanceNotFoundError,
    InvalidInstanceOperationError,
} from './errors';
import { newInstanceId, validateInstanceId } from './instance-ids';
import type { InstanceRowWriter } from './instance-row-writer';
import { MessageClock } from './message-clock';
import type { MessageTransport } from './message-transport';
import { claimNewExecution, StartOutcomeUnknownError } from './new-execution-row';
import { orchestrationVersionSchema, versionOrDefault } from './versioning';

const SUSPENDABLE: ReadonlySet<string> = new Set(['Running', 'Pending', 'ContinuedAsNew']);

export interface StartOptions {
    instanceId?: string;
    /** JSON text of the input (must parse), or null. */
    input?: string | null;
    /** The instance's version; none ('' or null): the host's defaultVersion (docs/protocol.md §16). */
    version?: string | null;
    scheduledStartTime?: Date | null;
}

export interface DurableClientServiceOptions {
    storage: TaskHubStorage;
    transport: MessageTransport;
    knownOrchestrators: ReadonlySet<string>;
    /** Entity function names (signals to any other name are refused, as the extension refuses them). */
    knownEntities?: ReadonlySet<string>;
    /** host.json `defaultVersion`: the version of a start that names none (the extension's DurableClient). */
    defaultVersion?: string;
    /** Shared with the dispatcher: rows of one instance are written in order. */
    rows: InstanceRowWriter;
    clock: () => Date;
    /** The client just wrote the Pending row of a brand-new instance (the dispatcher may cache it). */
    onNewInstance?: (record: InstanceRecord) => void;
    /** The client rewrote an instance's history or removed it (rewind, purge): cached state is stale. */
    onInstanceChanged?: (instanceId: string) => void;
    /**
     * Present when this process holds the hub alone (in-process-work-items.ts): a brand-new instance's
     * ExecutionStarted goes to the orchestration dispatcher in memory, and its Pending row is the durable
     * record start-up recovery starts it from after a crash. No control-queue message is sent or deleted.
     */
    startInProcess?: (message: TaskMessage) => void;
    /**
     * An in-memory start whose Pending row could not be confirmed (storage did not answer): the runtime finds
     * out later whether the row landed and starts the instance if it did (the client may retry and be told
     * the instance exists).
     */
    onUnconfirmedStart?: (record: InstanceRecord, message: TaskMessage) => void;
}

/** Purge-by-filter reads the matching rows a page at a time and purges each page's instances in parallel. */
const PURGE_PAGE_SIZE = 100;

export class DurableClientService {
    readonly #o: DurableClientServiceOptions;
    readonly #stamps: MessageClock;

    constructor(options: DurableClientServiceOptions) {
        this.#o = options;
        this.#stamps = new MessageClock(options.clock);
    }

    get taskHubName(): string {
        return this.#o.storage.hubName;
    }

    /** Throws DurableArgumentError (unknown orchestrator, bad id) or InstanceAlreadyExistsError. */
    async startNew(name: string, options: StartOptions = {}): Promise<InstanceRecord> {
        this.assertOrchestratorExists(name);
        const given = options.instanceId ?? '';
        const generated = given === '';
        const instanceId = generated ? newInstanceId() : given;
        validateInstanceId(instanceId);
        const now = this.#o.clock();
        const executionId = randomUUID();
        const input = options.input ?? null;
        const requested = orchestrationVersionSchema.nullish().safeParse(options.version);
        if (!requested.success)
            throw new DurableArgumentError(
                `Invalid version: ${requested.error.issues[0]?.message ?? 'not a version'}.`,
            );
        const version = versionOrDefault(requested.data, this.#o.defaultVersion);
        const scheduledStartTime = options.scheduledStartTime ?? null;
        // The engine's builder serializes the value; the HTTP layer already checked that the text is JSON.
        const message = executionStartedMessage({
            instanceId,
            executionId,
            name,
            version,
            input: input === null ? undefined : (JSON.parse(input) as unknown),
            scheduledStartTime,
            // A client start carries its generation (AzureStorageOrchestrationService.CreateTaskOrchestrationAsync
            // fills a null one); other starts leave it null.
            generation: 0,
            now,
        });
        const visibleAt =
            scheduledStartTime && scheduledStartTime.getTime() > now.getTime() ? scheduledStartTime : undefined;
        const outgoing = visibleAt
            ? { queue: 'control' as const, message, visibleAt }
            : { queue: 'control' as const, message };

        // The provider reads the row, enqueues ExecutionStarted, then writes the Pending row conditionally: an
        // insert when there was no row, a replace under the row's ETag otherwise (AzureStorageOrchestrationService
        // .CreateTaskOrchestrationAsync → SetNewExecutionAsync in Azure/durabletask). So of concurrent starts of
        // one id exactly one wins; the others get the duplicate answer and their start message is deleted unseen
        // (with the fast path it is enqueued hidden and only this process could run it). The devhost tries the
        // insert first and reads only when it conflicts: the same outcome, one call fewer on a new instance's
        // path. The message is enqueued before any row write, so a crash never leaves a Pending row that no
        // message will start, with one exception: a new, unscheduled instance of a process that holds the hub
        // alone is started in memory (startInProcess), and its Pending row is what recovery starts it from.
        // A replaced instance always goes through the queue: its row and the old execution's history could not
        // tell recovery whether the new execution had started.
        const inProcess = this.#o.startInProcess !== undefined && visibleAt === undefined;
        let queued = !inProcess;
        let held = queued ? await this.#o.transport.enqueue(outgoing) : undefined;
        const record: InstanceRecord = {
            instanceId,
            executionId,
            name,
            version,
            input,
            output: null,
            customStatus: null,
            runtimeStatus: 'Pending',
            createdTime: now,
            lastUpdatedTime: now,
            completedTime: null,
            scheduledStartTime,
            generation: 0,
            tags: null,
            parentInstanceId: null,
        };
        // The Pending row goes before the message may run, so the first checkpoint's row never is overwritten by
        // it. The caller gets the id only once the row exists: a status query right after start must find it.
        // Not through the row writer's lanes: rows are only queued there for live instances, and this one is
        // absent or finished. A write whose answer was lost is recognised by reading back (new-execution-row.ts).
        let existing: VersionedInstance | undefined;
        try {
            // The marker tells start-up recovery that no message stands behind this row (in-process-work-items.ts).
            let claim = await claimNewExecution(
                this.#o.storage,
                inProcess ? { ...record, startedInMemory: true } : record,
                undefined,
            );
            if (!claim.won && !generated) {
                existing = claim.existing;
                // A new instance may replace one in a terminal status only (the extension's default dedupe
                // statuses).
                if (existing && !isTerminalStatus(existing.record.runtimeStatus)) {
                    await this.#discard(held);
                    throw new InstanceAlreadyExistsError(instanceId, existing.record.runtimeStatus);
                }
                if (!queued) {
                    held = await this.#o.transport.enqueue(outgoing);
                    queued = true;
                }
                claim = await claimNewExecution(this.#o.storage, record, existing?.etag);
            }
            if (!claim.won) {
                await this.#discard(held);
                throw new InstanceAlreadyExistsError(
                    instanceId,
                    claim.existing?.record.runtimeStatus ?? existing?.record.runtimeStatus ?? 'Pending',
                );
            }
        } catch (error) {
            // A start whose row may have landed keeps its message: if the row names it, it runs; if not, the
            // dispatcher drops it as a start no row stands behind (orchestration-dispatcher.ts).
            if (error instanceof StartOutcomeUnknownError && !queued) this.#o.onUnconfirmedStart?.(record, message);
            throw error;
        }
        this.#o.rows.revive(instanceId);
        if (existing) this.#o.onInstanceChanged?.(instanceId);
        else this.#o.onNewInstance?.(record);
        if (queued) this.#o.transport.dispatch(outgoing, held);
        else this.#o.startInProcess?.(message);
        return record;
    }

    /** Deletes a start message that lost (a hidden send's handle; nothing to do after a plain send). */
    async #discard(held: ReceivedMessage | undefined): Promise<void> {
        if (held) await this.#o.storage.deleteMessage(held).catch(() => undefined);
    }

    assertOrchestratorExists(name: string): void {
        if (this.#o.knownOrchestrators.has(name)) return;
        const known = [...this.#o.knownOrchestrators];
        throw new DurableArgumentError(
            `The function '${name}' doesn't exist, is disabled, or is not an orchestrator function. Additional info: ` +
                (known.length > 0
                    ? `The following are the known orchestrator functions: '${known.join("', '")}'.`
                    : 'No orchestrator functions are currently registered!'),
        );
    }

    getStatus(instanceId: string): Promise<InstanceRecord | undefined> {
        return this.#o.storage.readInstance(instanceId);
    }

    async getHistory(instanceId: string): Promise<HistoryEvent[]> {
        return (await this.#o.storage.readHistory(instanceId)).events;
    }

    /** Throws InstanceNotFoundError / InstanceGoneError as the HTTP API maps them (404 / 410). */
    async raiseEvent(instanceId: string, eventName: string, input: string | null): Promise<void> {
        await this.#requireActive(instanceId);
        if (eventName === '') throw new DurableArgumentError('The event name must not be empty.');
        await this.#send(
            eventRaisedMessage({
                instanceId,
                name: eventName,
                data: input === null ? undefined : (JSON.parse(input) as unknown),
                ...this.#stamps.next(),
            }),
        );
    }

    async terminate(instanceId: string, reason: string | null): Promise<void> {
        await this.#requireActive(instanceId);
        await this.#send(terminateMessage({ instanceId, reason, ...this.#stamps.next() }));
    }

    /** Running, Pending or ContinuedAsNew only (the extension's check); else InvalidInstanceOperationError. */
    async suspend(instanceId: string, reason: string | null): Promise<void> {
        const record = await this.#requireActive(instanceId);
        if (!SUSPENDABLE.has(record.runtimeStatus)) {
            throw new InvalidInstanceOperationError(
                `Cannot suspend orchestration instance '${instanceId}' because it is in the ${record.runtimeStatus} state.`,
            );
        }
        await this.#send(suspendMessage({ instanceId, reason, ...this.#stamps.next() }));
    }

    /** Suspended only; else InvalidInstanceOperationError. */
    async resume(instanceId: string, reason: string | null): Promise<void> {
        const record = await this.#requireActive(instanceId);
        if (record.runtimeStatus !== 'Suspended') {
            throw new InvalidInstanceOperationError(
                `Cannot resume orchestration instance '${instanceId}' because it is in the ${record.runtimeStatus} state.`,
            );
        }
        await this.#send(resumeMessage({ instanceId, reason, ...this.#stamps.next() }));
    }

    /**
     * Rewinds a Failed instance (see engine/rewind.ts): its history is rewritten under the sentinel ETag, the
     * row goes back to Running, and an ExecutionRewound message runs the episode that retries what failed.
     * 404 unknown, 410 Completed/Terminated/Canceled, InvalidInstanceOperationError for any other non-Failed.
     */
    async rewind(instanceId: string, reason: string | null): Promise<void> {
        const record = await this.#o.storage.readInstance(instanceId);
        if (!record) throw new InstanceNotFoundError(instanceId);
        if (record.runtimeStatus !== 'Failed') {
            if (isTerminalStatus(record.runtimeStatus)) throw new InstanceGoneError(instanceId, record.runtimeStatus);
            throw new InvalidInstanceOperationError(
                `Cannot rewind orchestration instance '${instanceId}' because it is in the ${record.runtimeStatus} state; only failed instances can be rewound.`,
            );
        }
        const history = await this.#o.storage.readHistory(instanceId);
        let rewritten;
        try {
            rewritten = rewindHistory(history.events);
        } catch (error) {
            throw new InvalidInstanceOperationError(
                `Cannot rewind orchestration instance '${instanceId}': ${errorMessage(error)}`,
            );
        }
        const executionId = history.executionId ?? record.executionId;
        await this.#o.storage.appendHistory({
            instanceId,
            executionId,
            startIndex: 0,
            events: rewritten.events,
            etag: history.etag,
            isCheckpointComplete: true,
        });
        this.#o.onInstanceChanged?.(instanceId);
        const now = this.#o.clock();
        await this.#o.rows.write({
            ...record,
            runtimeStatus: 'Running',
            output: null,
            completedTime: null,
            lastUpdatedTime: now,
        });
        await this.#send(rewindMessage({ instanceId, reason, now }));
    }

    /**
     * Starts the instance's orchestration again with its name and input: under a new id by default, or under the
     * same id (allowed only once it is terminal). The extension's RestartAsync calls StartNewAsync, which stamps
     * the host's defaultVersion, not the old instance's version. Unknown instance → DurableArgumentError (400).
     */
    async restart(instanceId: string, restartWithNewInstanceId: boolean): Promise<InstanceRecord> {
        const record = await this.#o.storage.readInstance(instanceId);
        if (!record)
            throw new DurableArgumentError(`An orchestration with the instanceId ${instanceId} was not found.`);
        return this.startNew(record.name, {
            ...(restartWithNewInstanceId ? {} : { instanceId }),
            input: record.input,
        });
    }

    /** One page of the Instances table; the token is opaque and round-trips through the API. */
    listInstances(query: InstanceQuery, continuationToken?: string): Promise<InstancePage> {
        return this.#o.storage.queryInstances(query, continuationToken);
    }

    /** Deletes the instance's row, history and blobs; false when there was no instance. */
    async purge(instanceId: string): Promise<boolean> {
        // Rows of the instance still waiting to be written (deferred checkpoints) must not land after the purge
        // and bring the instance back.
        await this.#o.rows.forget(instanceId);
        const existed = await this.#o.storage.purgeInstance(instanceId);
        this.#o.onInstanceChanged?.(instanceId);
        return existed;
    }

    /** Purges every instance the filter matches; returns how many. */
    async purgeWhere(query: Omit<InstanceQuery, 'top' | 'excludeInput'>): Promise<number> {
        // Collect first, then purge: deleting rows while paging through them would move the continuation.
        const ids: string[] = [];
        let token: string | undefined;
        do {
            const page = await this.#o.storage.queryInstances(
                { ...query, top: PURGE_PAGE_SIZE, excludeInput: true },
                token,
            );
            ids.push(...page.instances.map((i) => i.instanceId));
            token = page.continuationToken;
        } while (token);
        let purged = 0;
        for (let i = 0; i < ids.length; i += PURGE_PAGE_SIZE) {
            const results = await Promise.all(ids.slice(i, i + PURGE_PAGE_SIZE).map((id) => this.purge(id)));
            purged += results.filter(Boolean).length;
        }
        return purged;
    }

    /** Polls the row until a terminal status or the timeout; returns the last record read. */
    async waitForCompletion(
        instanceId: string,
        timeoutMs: number,
        intervalMs: number,
    ): Promise<InstanceRecord | undefined> {
        const deadline = Date.now() + timeoutMs;
        for (;;) {
            const record = await this.getStatus(instanceId);
            if (record && isTerminalStatus(record.runtimeStatus)) return record;
            const remaining = deadline - Date.now();
            if (remaining <= 0) return record;
            await new Promise((resolve) => setTimeout(resolve, Math.min(intervalMs, remaining)));
        }
    }

    /**
     * DurableClient.SignalEntityAsync: a RequestMessage with no parent (a client sent it) as EventRaised "op" on
     * the entity's control queue. The entity need not exist: its first message creates it.
     */
    async signalEntity(entity: EntityId, operation: string, input: string | null): Promise<void> {
        // The extension's IsInvalidCharacter check on keys (they become part of a row key and of URLs).
        if (/[/\\#?\p{Cc}]/u.test(entity.key))
            throw new DurableArgumentError('Entity keys must not contain /, \\, #, ?, or control characters.');
        const known = this.#o.knownEntities;
        if (known && !known.has(entity.name)) {
            throw new DurableArgumentError(
                `The function '${entity.name}' doesn't exist, is disabled, or is not an entity function. Additional info: ` +
                    (known.size > 0
                        ? `The following are the known entity functions: '${[...known].join("', '")}'.`
                        : 'No entity functions are currently registered!'),
            );
        }
        const request = requestMessageText({
            id: randomUUID(),
            operation,
            signal: true,
            input: input ?? undefined,
            parent: null,
            parentExecution: null,
        });
        await this.#send(entityRequestMessage(entityInstanceId(entity), request, this.#o.clock()));
    }

    /** The entity's state as JSON text, or undefined when it does not exist (never signalled, or deleted). */
    async readEntityState(entity: EntityId): Promise<string | undefined> {
        const record = await this.#o.storage.readInstance(entityInstanceId(entity));
        return record ? entityStateOf(parseSchedulerState(record.input)) : undefined;
    }

    /**
     * One page of the entities of one name (the Instances rows under `@name@`), existing ones only, as the
     * extension's ListEntitiesAsync lists them.
     */
    async listEntities(
        name: string,
        query: { top: number; lastOperationTimeFrom?: Date; lastOperationTimeTo?: Date },
        continuationToken?: string,
    ): Promise<{
        entities: Array<{ id: EntityId; lastOperationTime: Date; state: string }>;
        continuationToken?: string;
    }> {
        const page = await this.#o.storage.queryInstances(
            { instanceIdPrefix: entityInstanceId({ name, key: '' }), top: query.top, excludeInput: false },
            continuationToken,
        );
        const entities: Array<{ id: EntityId; lastOperationTime: Date; state: string }> = [];
        for (const record of page.instances) {
            const id = parseEntityInstanceId(record.instanceId);
            const state = entityStateOf(parseSchedulerState(record.input));
            if (!id || state === undefined) continue;
            const at = record.lastUpdatedTime.getTime();
            if (query.lastOperationTimeFrom && at < query.lastOperationTimeFrom.getTime()) continue;
            if (query.lastOperationTimeTo && at > query.lastOperationTimeTo.getTime()) continue;
            entities.push({ id, lastOperationTime: record.lastUpdatedTime, state });
        }
        return page.continuationToken ? { entities, continuationToken: page.continuationToken } : { entities };
    }

    async #requireActive(instanceId: string): Promise<InstanceRecord> {
        const record = await this.#o.storage.readInstance(instanceId);
        if (!record) throw new InstanceNotFoundError(instanceId);
        if (isTerminalStatus(record.runtimeStatus)) throw new InstanceGoneError(instanceId, record.runtimeStatus);
        return record;
    }

    // Client messages carry an empty ExecutionId: "the current execution" (the engine's convention).
    async #send(message: TaskMessage): Promise<void> {
        await this.#o.transport.send({ queue: 'control', message });
    }
}

export { DurableArgumentError };
