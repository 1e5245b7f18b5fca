/**
 * Bringing one instance in line with its history, the two halves of recovery the orchestration dispatcher
 * runs in the instance's turn (orchestration-dispatcher.ts; startup-recovery.ts finds the instances):
 *
 * - `runOpenTasks`, the first time this process touches an instance: the tasks its history scheduled and
 *   holds no result for run again (a previous process's in-process activities, lost with it; at least once,
 *   and history keeps the first result). Not for a finished execution (nobody awaits its open tasks) nor when
 *   the row names a newer start (the history is an old execution's).
 * - `repairRow`, after an episode that changed nothing (all duplicates, or recovery's nudge): if a crash fell
 *   between a history write and its row write, the row lags history, and this is the moment to repair it.
 *   From a replay when the row may lag in its custom status too (it lives only in the row: status-replay.ts),
 *   otherwise from the episode's view. Never over the Pending row of a newer start, nor without history.
 */
import type { TaskMessage } from '../../../shared/history';
import type { HostLogger } from '../../../shared/host-contracts';
import type { EngineOptions, EpisodeResult, InvokeOrchestrator } from '../engine';
import { isEntityInstanceId } from '../engine/entity-protocol';
import { replayInstanceStatus } from '../engine/status-replay';
import type { InstanceRecord } from '../task-hub-port/task-hub-storage';
import { executionEnded, instanceRecord, rowAwaitsNewerStart, rowLags } from './checkpoint-rows';
import { unansweredTaskMessages } from './in-process-work-items';
import type { InstanceRowWriter } from './instance-row-writer';
import type { InstanceState, InstanceStateCache } from './instance-state-cache';

export interface InstanceReconcilerOptions {
    invoke: InvokeOrchestrator;
    engineOptions: EngineOptions;
    knownOrchestrators: ReadonlySet<string>;
    /** Absent when activities go through the work-item queue (their work items survive a crash). */
    runInProcess?: (workItems: readonly TaskMessage[]) => void;
    /**
     * The previous holder of the hub handed its in-memory work over to the queues at stop: its open tasks have
     * work items there, and running them again here would run them twice.
     */
    previousHandedOver?: () => boolean;
    rows: InstanceRowWriter;
    /** The dispatcher's cache: a repaired row replaces the cached one. */
    cache: InstanceStateCache;
    logger: HostLogger;
    onCheckpoint?: (record: InstanceRecord) => void;
}

export class InstanceReconciler {
    readonly #o: InstanceReconcilerOptions;

    constructor(options: InstanceReconcilerOptions) {
        this.#o = options;
    }

    runOpenTasks(instanceId: string, state: InstanceState): void {
        const runInProcess = this.#o.runInProcess;
        if (!runInProcess || state.executionId === null || isEntityInstanceId(instanceId)) return;
        if (this.#o.previousHandedOver?.()) return;
        if (executionEnded(state.events) || rowAwaitsNewerStart(state.record, state.events)) return;
        const open = unansweredTaskMessages(instanceId, state.executionId, state.events);
        if (open.length === 0) return;
        this.#o.logger.warn(
            `Instance ${instanceId}: running ${open.length} activit${open.length === 1 ? 'y' : 'ies'} again that a previous process scheduled and did not finish.`,
        );
        runInProcess(open);
    }

    /**
     * Resolves once the repaired row is decided and cached (the replay included: the instance's next episode
     * must start from it), with its write, which runs in the row writer's lane behind the episode.
     */
    async repairRow(
        instanceId: string,
        state: InstanceState,
        result: EpisodeResult | undefined,
        now: Date,
        fromReplay: boolean,
    ): Promise<{ written: Promise<void> }> {
        const nothing = { written: Promise.resolve() };
        const executionId = state.executionId;
        if (executionId === null || state.events.length === 0) return nothing;
        if (rowAwaitsNewerStart(state.record, state.events)) return nothing;
        const entity = isEntityInstanceId(instanceId);
        if (entity && !result) return nothing;
        const instance =
            fromReplay && !entity
                ? await replayInstanceStatus(
                      {
                          instanceId,
                          past: state.events,
                          options: this.#o.engineOptions,
                          fallback: state.record?.customStatus ?? null,
                          knownOrchestrators: this.#o.knownOrchestrators,
                      },
                      this.#o.invoke,
                  )
                : result?.instance;
        if (!instance || !rowLags(state.record, executionId, instance)) return nothing;
        const healed = instanceRecord(instanceId, executionId, instance, state.events, state.record, now);
        this.#o.cache.set(instanceId, { ...state, record: healed });
        return { written: this.#o.rows.write(healed).then(() => this.#o.onCheckpoint?.(healed)) };
    }
}
