/**
 * Which requests an entity runs in this batch, as the extension's EntityMiddleware decides (DurableTaskExtension.cs
 * steps 1 and 2; DTFx TaskEntityDispatcher does the same):
 *
 * 1. Every message of the batch in order: a request ("op") goes through the sorter (entity-sorter.ts); each
 *    request it delivers is queued, or, when it comes from the orchestration holding the entity's lock, kept
 *    apart to go to the front of the queue. A "release" from the lock holder unlocks the entity.
 * 2. Requests are taken from the front of the queue while the entity is unlocked or the front request is the
 *    lock holder's (SchedulerState.MayDequeue); a lock request ends the batch: it is granted after the operations
 *    (entity-locks.ts grantLock). What is left waits in SchedulerState.queue for a later batch (after a release).
 *
 * Repeats (an id applied or queued before, or by the sorter's timestamps) and messages that are neither are
 * discarded. Every request taken in gets a consumed key, so a redelivery after the commit is discarded even while
 * the request still waits in the queue.
 */
import { EventType, type TaskMessage } from '../../../shared/history';
import {
    ENTITY_RELEASE_EVENT,
    ENTITY_REQUEST_EVENT,
    parseReleaseMessage,
    parseRequestMessage,
    type RequestMessage,
    type SchedulerState,
    type SorterState,
} from './entity-protocol';
import { receiveInOrder } from './entity-sorter';
import { consumedKeyHash } from './intake';

export interface EntityIntake {
    /** The operations to run now, in order. */
    batch: RequestMessage[];
    /** A lock request to grant after the operations, if one reached the front. */
    lockRequest: RequestMessage | undefined;
    /** What waits for a later batch. */
    queue: RequestMessage[];
    /** The orchestration holding the lock after the releases of this batch (before `lockRequest`). */
    lockedBy: string | undefined;
    sorter: SorterState;
    /** Consumed keys of the requests taken in. */
    keys: string[];
    discarded: TaskMessage[];
}

export function takeInRequests(
    scheduler: SchedulerState,
    incoming: readonly TaskMessage[],
    consumed: ReadonlySet<string>,
): EntityIntake {
    const queue: RequestMessage[] = [...(scheduler.queue ?? [])];
    let lockedBy = scheduler.lockedBy ?? undefined;
    const sorter: SorterState = structuredClone(scheduler.sorter ?? {});
    const keys: string[] = [];
    const discarded: TaskMessage[] = [];
    const lockHolder: RequestMessage[] = [];
    const seen = new Set(queue.map((m) => m.id));
    for (const message of incoming) {
        const event = message.Event;
        if (event.EventType === EventType.EventRaised && event.Name === ENTITY_RELEASE_EVENT) {
            const release = parseReleaseMessage(event.Input);
            // Only the holder's release counts (a late one from an earlier holder changes nothing).
            if (lockedBy !== undefined && release?.parent === lockedBy) lockedBy = undefined;
            else discarded.push(message);
            continue;
        }
        const request = requestOf(message);
        // A lock request names the orchestration that is to hold the lock; one that does not is not one.
        if (!request || (request.lockset && !request.parent)) {
            discarded.push(message);
            continue;
        }
        const ready = receiveInOrder(sorter, request);
        if (ready.length === 0 && !isWaiting(sorter, request)) discarded.push(message);
        for (const next of ready) {
            const key = consumedKeyHash(`entity-request:${next.id}`);
            if (seen.has(next.id) || consumed.has(key)) {
                if (next === request) discarded.push(message);
                continue;
            }
            seen.add(next.id);
            keys.push(key);
            if (lockedBy !== undefined && next.parent === lockedBy) lockHolder.push(next);
            else queue.push(next);
        }
    }
    queue.unshift(...lockHolder);

    const batch: RequestMessage[] = [];
    let lockRequest: RequestMessage | undefined;
    for (let next = queue[0]; next && (lockedBy === undefined || next.parent === lockedBy); next = queue[0]) {
        queue.shift();
        if (next.lockset) {
            lockRequest = next;
            break;
        }
        batch.push(next);
    }
    return { batch, lockRequest, queue, lockedBy, sorter, keys, discarded };
}

/** Whether the sorter holds the request back, waiting for its predecessor. */
function isWaiting(sorter: SorterState, request: RequestMessage): boolean {
    const buffered = request.parent ? sorter.ReceivedFromInstance?.[request.parent]?.Buffered : undefined;
    return buffered?.[String(request['Timestamp'])]?.id === request.id;
}

function requestOf(message: TaskMessage): RequestMessage | undefined {
    const event = message.Event;
    // "op@<time>" is a scheduled signal (not sent by the JavaScript SDK): it runs when it arrives.
    if (event.EventType !== EventType.EventRaised || !event.Name.startsWith(ENTITY_REQUEST_EVENT)) return undefined;
    return parseRequestMessage(event.Input);
}
