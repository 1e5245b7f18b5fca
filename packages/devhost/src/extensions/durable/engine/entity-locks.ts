/**
 * Entity critical sections (`context.df.lock`), the orchestration's side and the lock grant of an entity, as the
 * Durable extension runs them (docs/protocol.md §14). The extension's out-of-process shim maps no action 13 or
 * 14 (OutOfProcOrchestrationShim.cs knows types 0-12); the devhost maps them to the code the extension runs for
 * an in-process orchestrator:
 *
 * - LockEntities (13) is DurableOrchestrationContext.LockAsync: the lock set sorted and without repeats, one
 *   RequestMessage (`op: null`, `lockset`, labelled like any request) sent as EventSent "op" to the FIRST entity
 *   (one id), then a wait for the EventRaised named by the request id. Each entity, when the request reaches the
 *   head of its queue, becomes locked by the orchestration and forwards the request (`pos` + 1) to the next
 *   entity; the last one answers the orchestration (TaskEntityShim.ProcessLockRequest; `grantLock`).
 * - ReleaseEntities (14) is ReleaseLocks: EventSent "release" with a ReleaseMessage to each entity of the
 *   lock set, one id each. The SDK counts one id per entity of its set; the extension sends to those not
 *   awaiting a call, so the devhost sends to all of them and the ids agree with the SDK.
 * - When the orchestration returns (completes or continues as new) holding locks, it releases them the same
 *   way (TaskOrchestrationShim.cs calls ReleaseLocks after the user code): EventSent events before
 *   ExecutionCompleted. The extension releases nothing when the orchestration fails or is terminated (the lock
 *   stays orphaned until DurableClient.CleanEntityStorageAsync(releaseOrphanedLocks), which the JavaScript SDK
 *   does not offer); the devhost then sends the release messages at once, without history events.
 *
 * Order: the extension sorts with EntityId.CompareTo (culture-sensitive); the devhost, as the SDK, sorts the
 * scheduler ids ordinally. Any fixed order prevents deadlock; the two can differ only for ids differing in case
 * or punctuation.
 */
import { EventType, RuntimeStatus, type HistoryEvent, type OrchestrationInstanceRef } from '../../../shared/history';
import {
    ENTITY_RELEASE_EVENT,
    ENTITY_REQUEST_EVENT,
    entityInstanceId,
    entityRequestMessage,
    entityResponseMessage,
    parseReleaseMessage,
    parseRequestMessage,
    releaseMessageText,
    type EntityId,
    type EntityMessage,
    type RequestMessage,
} from './entity-protocol';
import { eventSent } from './events';
import { SimTask } from './sim-task';
import type { OutboundMessage } from './types';

/** What the last entity answers (TaskEntityShim / DurableEntityContext.SendLockResponseMessage; traces only). */
export const LOCK_ACQUIRED_RESULT = 'Lock Acquisition Completed';

/** The lock set as LockAsync sends it: names lower-cased (EntityId), sorted, no repeats. */
export function sortedLockSet(entities: readonly EntityId[]): EntityId[] {
    const byId = new Map<string, EntityId>();
    for (const e of entities) {
        const entity = { name: e.name.toLowerCase(), key: e.key };
        byId.set(entityInstanceId(entity), entity);
    }
    return [...byId.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)).map((id) => byId.get(id) as EntityId);
}

type SendToEntity = (instanceId: string, name: string, message: (requestId: string) => EntityMessage) => string;

/** The replay's critical section (replay.ts): LockAsync and ReleaseLocks over the shim's id counter. */
export class CriticalSection {
    readonly #send: SendToEntity;
    readonly #wait: (name: string) => SimTask;
    #held: { requestId: string; lockSet: EntityId[] } | undefined;

    constructor(send: SendToEntity, wait: (name: string) => SimTask) {
        this.#send = send;
        this.#wait = wait;
    }

    lock(entities: readonly EntityId[]): SimTask {
        const lockSet = sortedLockSet(entities);
        const first = lockSet[0];
        if (!first) return SimTask.succeeded(undefined);
        const requestId = this.#send(entityInstanceId(first), ENTITY_REQUEST_EVENT, (id) => ({
            kind: 'lock',
            requestId: id,
            lockSet,
        }));
        // The extension holds the locks (ContextLocks) once the last entity has answered; the SDK counts the
        // release's ids from the lock() call on, and so does the devhost, so the ids agree whatever the order.
        this.#held = { requestId, lockSet };
        return this.#wait(requestId);
    }

    release(): void {
        const held = this.#held;
        this.#held = undefined;
        for (const entity of held?.lockSet ?? []) {
            this.#send(entityInstanceId(entity), ENTITY_RELEASE_EVENT, () => ({
                kind: 'release',
                lockRequestId: held?.requestId ?? '',
            }));
        }
    }
}

/** The critical section history shows open: its lock request, whether the lock was granted, not yet released. */
export function openCriticalSection(
    history: readonly HistoryEvent[],
): { requestId: string; lockSet: EntityId[]; acquired: boolean } | undefined {
    let open: { requestId: string; lockSet: EntityId[]; acquired: boolean } | undefined;
    for (const event of history) {
        if (event.EventType === EventType.EventSent && event.Name === ENTITY_REQUEST_EVENT) {
            const request = parseRequestMessage(event.Input);
            if (request?.lockset) open = { requestId: request.id, lockSet: request.lockset, acquired: false };
        } else if (event.EventType === EventType.EventSent && event.Name === ENTITY_RELEASE_EVENT) {
            if (open && parseReleaseMessage(event.Input)?.id === open.requestId) open = undefined;
        } else if (event.EventType === EventType.EventRaised && open && event.Name === open.requestId) {
            open.acquired = true;
        }
    }
    return open;
}

/**
 * What an orchestration that returned (completed, or continued as new) still holding its locks sends: ReleaseLocks
 * after the user code (TaskOrchestrationShim.cs), one EventSent "release" per entity from `nextId` on.
 */
export function releaseOnReturn(
    history: readonly HistoryEvent[],
    instance: OrchestrationInstanceRef,
    nextId: number,
    now: Date,
): { events: HistoryEvent[]; outbound: OutboundMessage[]; nextId: number } {
    const open = openCriticalSection(history);
    const events: HistoryEvent[] = [];
    const outbound: OutboundMessage[] = [];
    let id = nextId;
    if (!open?.acquired) return { events, outbound, nextId };
    const text = releaseMessageText(instance.InstanceId, open.requestId);
    for (const entity of open.lockSet) {
        const target = entityInstanceId(entity);
        events.push(eventSent(id++, target, ENTITY_RELEASE_EVENT, text, now));
        outbound.push({ queue: 'control', message: entityRequestMessage(target, text, now, ENTITY_RELEASE_EVENT) });
    }
    return { events, outbound, nextId: id };
}

/**
 * The release as an orchestration's generation ends: none while it runs, ReleaseLocks once it returned (completed
 * or continued as new), the devhost's release when it failed. `nextId` is ExecutionCompleted's id after them.
 */
export function releaseAtEnd(
    end: 'running' | 'continueAsNew' | RuntimeStatus,
    history: readonly HistoryEvent[],
    instance: OrchestrationInstanceRef,
    nextId: number,
    now: Date,
): { events: HistoryEvent[]; outbound: OutboundMessage[]; nextId: number } {
    if (end === 'continueAsNew' || end === RuntimeStatus.Completed)
        return releaseOnReturn(history, instance, nextId, now);
    const outbound = end === 'running' ? [] : releaseOrphanedLocks(history, instance.InstanceId, now);
    return { events: [], outbound, nextId };
}

/**
 * Devhost deviation: an orchestration that failed or was terminated inside a critical section (or while its lock
 * request was on its way) releases its entities at once, where the extension leaves the locks orphaned.
 */
export function releaseOrphanedLocks(
    history: readonly HistoryEvent[],
    instanceId: string,
    now: Date,
): OutboundMessage[] {
    const open = openCriticalSection(history);
    if (!open) return [];
    const text = releaseMessageText(instanceId, open.requestId);
    return open.lockSet.map((entity) => ({
        queue: 'control',
        message: entityRequestMessage(entityInstanceId(entity), text, now, ENTITY_RELEASE_EVENT),
    }));
}

/**
 * TaskEntityShim.ProcessLockRequest: the entity is now locked by the orchestration; the request goes on to the
 * next entity of its set (`pos` + 1, unlabelled: a LockMessage is not sorted), or the last entity answers the
 * orchestration's execution.
 */
export function grantLock(request: RequestMessage, now: Date): OutboundMessage {
    const lockSet = request.lockset ?? [];
    const position = (request.pos ?? 0) + 1;
    const next = lockSet[position];
    if (next) {
        const forwarded = JSON.stringify({ ...request, pos: position });
        return { queue: 'control', message: entityRequestMessage(entityInstanceId(next), forwarded, now) };
    }
    return {
        queue: 'control',
        message: entityResponseMessage({
            parent: request.parent ?? '',
            parentExecution: request.parentExecution ?? null,
            requestId: request.id,
            result: LOCK_ACQUIRED_RESULT,
            exceptionType: null,
            now,
        }),
    };
}
