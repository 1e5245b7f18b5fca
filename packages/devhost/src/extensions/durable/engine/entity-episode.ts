/**
 * One batch of a Durable entity, as the extension's entity scheduler runs it for an out-of-process app
 * (TaskEntityShim.ExecuteOutOfProcBatch; docs/protocol.md §14): the entity is an instance `@name@key` whose
 * current execution's input is its SchedulerState. The operation requests in the batch (EventRaised "op",
 * oldest first) go to the entity function in ONE call with `{ self, exists, state, batch }`; it answers the new
 * state, one result per operation and the signals it sent. Then: a response to every caller (EventRaised named
 * by the request id), the signals as requests to their entities, and a ContinueAsNew whose input is the new
 * SchedulerState, so history only ever holds the latest state. Pure: the runtime brings the call.
 *
 * Locks (entity-locks.ts, entity-queue.ts): while an orchestration holds the entity's lock, only its requests
 * run; the others wait in the SchedulerState's queue until its release. A lock request that reaches the front of
 * the queue ends the batch and is granted after it.
 *
 * Deduplication: the extension's MessageSorter is not reproduced; instead every applied request id is kept
 * with the instance's consumed keys (as client events are, intake.ts), so a message redelivered after a crash
 * between the history write and its delete is discarded, not applied twice.
 */
import { z } from 'zod';
import { errorMessage } from '../../../shared/errors';
import { EventType, type ExecutionStartedEvent, type HistoryEvent, type TaskMessage } from '../../../shared/history';
import { grantLock } from './entity-locks';
import {
    entityInstanceId,
    entityRequestMessage,
    entityResponseMessage,
    parseEntityInstanceId,
    parseSchedulerState,
    requestMessageText,
    stableGuid,
    type EntityId,
    type SchedulerState,
} from './entity-protocol';
import { takeInRequests } from './entity-queue';
import { labelOutgoing, lastSentOf, ticksOfDate, withLastSent } from './entity-sorter';
import { MAX_CONSUMED_KEYS } from './episode';
import { orchestratorCompleted, orchestratorStarted } from './events';
import { executionStartedEvent } from './messages';
import type { EpisodeResult, InstanceSnapshot, OutboundMessage } from './types';

/** The entityTrigger value the extension sends (EntityTriggerAttributeBindingProvider.EntityContextToString). */
export interface EntityBatchRequest {
    self: EntityId;
    exists: boolean;
    state: string | null;
    batch: Array<{ name: string; input: string | null; isSignal: boolean }>;
}

/** The function's answer (TaskEntityShim.OutOfProcResult; the SDK's EntityState). */
const batchResultSchema = z.object({
    entityExists: z.boolean(),
    entityState: z.string().nullish(),
    results: z.array(z.object({ isError: z.boolean(), duration: z.number().optional(), result: z.string().nullish() })),
    signals: z
        .array(
            z.object({
                target: z.object({ name: z.string().min(1), key: z.string() }),
                name: z.string(),
                input: z.string().nullish(),
            }),
        )
        .optional(),
});
export type EntityBatchResult = z.infer<typeof batchResultSchema>;

export type EntityCallResult = { kind: 'result'; value: unknown } | { kind: 'error'; message: string };

/** Calls the entity function named `functionName` with one batch. */
export type InvokeEntity = (functionName: string, request: EntityBatchRequest) => Promise<EntityCallResult>;

export interface EntityEpisodeRequest {
    instanceId: string;
    /** Committed history of the current execution ([] before the first batch). */
    past: readonly HistoryEvent[];
    incoming: readonly TaskMessage[];
    now: Date;
    newGuid: () => string;
    consumedBefore?: readonly string[];
}

/** The exception type the extension reports for an operation that failed out of process. */
const OUT_OF_PROC_EXCEPTION_TYPE = 'Error';

export async function runEntityEpisode(req: EntityEpisodeRequest, invoke: InvokeEntity): Promise<EpisodeResult> {
    const entity = parseEntityInstanceId(req.instanceId);
    if (!entity) throw new Error(`'${req.instanceId}' is not an entity instance id`);
    const started = req.past.find((e): e is ExecutionStartedEvent => e.EventType === EventType.ExecutionStarted);
    const scheduler = parseSchedulerState(started?.Input);
    const consumed = new Set(req.consumedBefore ?? []);

    const intake = takeInRequests(scheduler, req.incoming, consumed);
    const { batch, keys, discarded, sorter, lockRequest } = intake;
    const waiting = (state: Pick<SchedulerState, 'sorter' | 'queue' | 'lockedBy'>): string =>
        JSON.stringify([state.sorter ?? {}, state.queue ?? [], state.lockedBy ?? null]);
    const waitingChanged = waiting(scheduler) !== waiting({ ...intake, lockedBy: intake.lockedBy ?? null });
    const snapshot = (next: SchedulerState, input: string | null, createdTime?: Date): InstanceSnapshot => ({
        name: entity.name,
        runtimeStatus: 'Running',
        input,
        output: null,
        // What the extension reports as the entity's custom status (EntityStatus: defaults left out).
        customStatus: JSON.stringify({
            ...(next.exists === true ? { entityExists: true } : {}),
            ...(next.queue?.length ? { queueSize: next.queue.length } : {}),
            ...(next.lockedBy ? { lockedBy: next.lockedBy } : {}),
        }),
        completedTime: null,
        generation: started?.Generation ?? null,
        parentInstanceId: null,
        ...(createdTime ? { createdTime } : {}),
        scheduledStartTime: null,
    });
    if (batch.length === 0 && !lockRequest && !waitingChanged) {
        return {
            executionId: started?.OrchestrationInstance.ExecutionId ?? '',
            newExecution: false,
            startIndex: req.past.length,
            appended: [],
            outbound: [],
            instance: snapshot(scheduler, started?.Input ?? null),
            discarded,
            deferred: [],
            ranOrchestrator: false,
        };
    }

    const request: EntityBatchRequest = {
        self: entity,
        exists: scheduler.exists === true,
        state: scheduler.state ?? null,
        batch: batch.map((m) => ({ name: m.op ?? '', input: m.input ?? null, isSignal: m.signal === true })),
    };
    // Nothing to run (requests wait for their predecessors or the lock, a release, a lock to grant): no call.
    const outcome: ReturnType<typeof interpret> =
        batch.length === 0
            ? {
                  kind: 'result',
                  value: { entityExists: request.exists, entityState: request.state, results: [], signals: [] },
              }
            : interpret(await callSafely(invoke, entity.name, request), batch.length);
    // A failed call leaves the state as it was and fails every operation (the extension's timeout path does).
    const exists = outcome.kind === 'result' ? outcome.value.entityExists : request.exists;
    const stateText = outcome.kind === 'result' ? (outcome.value.entityState ?? null) : request.state;

    const outbound: OutboundMessage[] = [];
    batch.forEach((message, index) => {
        if (message.signal === true || !message.parent) return;
        const result = outcome.kind === 'result' ? outcome.value.results[index] : undefined;
        const failed = outcome.kind === 'error' || result?.isError === true;
        outbound.push({
            queue: 'control',
            message: entityResponseMessage({
                parent: message.parent,
                parentExecution: message.parentExecution ?? null,
                requestId: message.id,
                result: outcome.kind === 'error' ? outcome.message : (result?.result ?? null),
                exceptionType: failed ? OUT_OF_PROC_EXCEPTION_TYPE : null,
                now: req.now,
            }),
        });
    });
    const signals = outcome.kind === 'result' ? (outcome.value.signals ?? []) : [];
    // An entity stamps its requests with its clock and keeps its last sends in its sorter (entity-sorter.ts).
    const sentBefore = lastSentOf(sorter);
    signals.forEach((signal, index) => {
        const target = entityInstanceId(signal.target);
        const text = requestMessageText({
            // Derived from the batch, so a re-run batch sends the same requests (and the receiver discards repeats).
            id: stableGuid([req.instanceId, batch[0]?.id, index]),
            operation: signal.name,
            signal: true,
            input: signal.input ?? undefined,
            parent: req.instanceId,
            parentExecution: null,
            label: labelOutgoing(sentBefore, target, ticksOfDate(req.now)),
        });
        outbound.push({
            queue: 'control',
            message: entityRequestMessage(target, text, req.now),
        });
    });

    // The lock request goes last (TaskEntityShim.ExecuteBatch): the entity is now locked by its orchestration.
    if (lockRequest) outbound.push(grantLock(lockRequest, req.now));

    // The next execution's input: the SchedulerState with the new state, what still waits in the queue, the lock
    // holder and the sorter as it now stands (each left out while empty, as Newtonsoft writes the defaults).
    const nextSorter = withLastSent(sorter, sentBefore);
    const { exists: _exists, state: _state, queue: _queue, lockedBy: _lockedBy, sorter: _sorter, ...rest } = scheduler;
    const next: SchedulerState = {
        exists: exists || undefined,
        state: exists && stateText !== null ? stateText : undefined,
        queue: intake.queue.length > 0 ? intake.queue : undefined,
        lockedBy: lockRequest?.parent ?? intake.lockedBy,
        ...rest,
        sorter: Object.keys(nextSorter).length > 0 ? nextSorter : undefined,
    };
    const input = JSON.stringify(next);
    const executionId = req.newGuid();
    const nextStart: ExecutionStartedEvent = {
        ...executionStartedEvent({
            instanceId: req.instanceId,
            executionId,
            name: entity.name,
            input: undefined,
            // An entity's batch ends with a ContinueAsNew: no Generation, as DTFx writes it.
            generation: null,
            now: req.now,
        }),
        Input: input,
    };
    return {
        executionId,
        newExecution: true,
        startIndex: 0,
        appended: [orchestratorStarted(req.now), nextStart, orchestratorCompleted(req.now)],
        outbound,
        instance: { ...snapshot(next, input, req.now), generation: nextStart.Generation },
        discarded,
        deferred: [],
        ranOrchestrator: true,
        // The oldest keys are forgotten first, but never one of this batch: a batch of more requests than the
        // window (local deliveries are not bounded by the buffer threshold) must all be known as applied, or a
        // redelivery after a crash between the commit and the deletes would apply its oldest twice.
        consumedBefore: [...consumed, ...keys].slice(-Math.max(MAX_CONSUMED_KEYS, keys.length)),
    };
}

async function callSafely(invoke: InvokeEntity, name: string, request: EntityBatchRequest): Promise<EntityCallResult> {
    try {
        return await invoke(name, request);
    } catch (error) {
        return { kind: 'error', message: errorMessage(error) };
    }
}

function interpret(
    call: EntityCallResult,
    size: number,
): { kind: 'result'; value: EntityBatchResult } | { kind: 'error'; message: string } {
    if (call.kind === 'error') return call;
    const parsed = batchResultSchema.safeParse(call.value);
    if (!parsed.success)
        return {
            kind: 'error',
            message: `The entity function returned an invalid batch result: ${z.prettifyError(parsed.error)}`,
        };
    if (parsed.data.results.length !== size)
        return {
            kind: 'error',
            message: `The entity function returned ${parsed.data.results.length} results for ${size} operations.`,
        };
    return { kind: 'result', value: parsed.data };
}
