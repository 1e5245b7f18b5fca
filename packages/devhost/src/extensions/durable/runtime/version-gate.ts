/**
 * Which instances this host runs, by orchestration version (docs/protocol.md §16). DTFx decides it at the top of
 * every orchestration work item (`TaskOrchestrationDispatcher.OnProcessWorkItemAsync`, Azure/durabletask), on the
 * version of the instance's current execution (`runtimeState.Version`): a host runs what its
 * versionMatchStrategy admits (versioning.ts), and for anything else its versionFailureStrategy says
 *
 * - Reject: the work item is abandoned (`AbandonTaskOrchestrationWorkItemAsync`): its messages go back to the
 *   control queue, visible again after the provider's back-off (min(2^dequeueCount, 600) s,
 *   `TaskHubQueue.AbandonMessageAsync`), and the instance stays as it is (Pending stays Pending) until a host
 *   that may run it takes them. A message this process kept in memory only (a client's start, an activity's
 *   result: in-process-work-items.ts) has no queue copy, so it is sent to the instance's control queue with
 *   that delay: the next devhost with a newer defaultVersion, `func start` or the deployed app finds it there.
 * - Fail: the execution fails without calling the orchestrator, with the provider's Output
 *   `VersionMismatch: Orchestration version did not comply with Worker Versioning` and the FailureDetails DTFx
 *   records (ErrorType VersionMismatch, IsNonRetriable).
 *
 * Entities are not orchestrations a developer versions (their executions carry no version): they always run.
 * A batch whose instance has no current execution and brings no start (messages ahead of their instance) runs
 * too: the engine defers or discards it, as DTFx reconciles messages before its version check.
 */
import { EventType, type FailureDetailsJson, type HistoryEvent, type TaskMessage } from '../../../shared/history';
import type { HostLogger } from '../../../shared/host-contracts';
import type { EpisodeRequest, EpisodeResult } from '../engine';
import { isEntityInstanceId } from '../engine/entity-protocol';
import type { ReceivedMessage, TaskHubStorage } from '../task-hub-port/task-hub-storage';
import { executionEnded } from './checkpoint-rows';
import { isInProcess } from './in-process-work-items';
import type { MessageSettlement } from './message-settlement';
import {
    mismatchReason,
    versionMatches,
    VERSION_MISMATCH_ERROR_TYPE,
    VERSION_MISMATCH_MESSAGE,
    VERSION_MISMATCH_OUTPUT,
    type VersioningConfig,
} from './versioning';

/** An instance this host turned away (Reject), as the viewer shows it while it waits. */
export interface RejectedInstance {
    instanceId: string;
    version: string;
    reason: string;
    /** ISO 8601: first turned away (in this process). */
    since: string;
    /** ISO 8601: when its messages are due back on the queue. */
    retryAt: string;
}

/** What the dispatcher does with a batch: nothing now (rejected), or run it with these additions. */
export type Admission =
    | { run: false }
    | {
          run: true;
          /** Merged into the episode request (the Fail strategy's failure). */
          request: Pick<EpisodeRequest, 'failBeforeRun'>;
          /** Applied to the episode's result (the Fail strategy's FailureDetails). */
          finish: (result: EpisodeResult) => EpisodeResult;
      };

/** How many rejected instances the viewer's report keeps (the oldest go first). */
const MAX_REPORTED = 1000;
const MAX_ABANDON_SECONDS = 600;

const RUN: Admission = { run: true, request: {}, finish: (result) => result };

export interface VersionGateOptions {
    versioning: VersioningConfig;
    /** The runtime's storage (in-process aware): a rejected in-memory message is sent to its control queue. */
    storage: TaskHubStorage;
    logger: HostLogger;
    clock: () => Date;
}

export class VersionGate {
    readonly #o: VersionGateOptions;
    readonly #rejected = new Map<string, RejectedInstance>();

    constructor(options: VersionGateOptions) {
        this.#o = options;
    }

    get config(): VersioningConfig {
        return this.#o.versioning;
    }

    /** The instances turned away and not run since, oldest first. */
    get rejected(): RejectedInstance[] {
        return [...this.#rejected.values()];
    }

    rejection(instanceId: string): RejectedInstance | undefined {
        return this.#rejected.get(instanceId);
    }

    /**
     * Decides on `batch` for an instance whose current execution's history is `events`, and settles a rejected
     * batch itself (through the dispatcher's `settlement`).
     */
    admit(
        instanceId: string,
        events: readonly HistoryEvent[],
        batch: readonly ReceivedMessage[],
        settlement: MessageSettlement,
    ): Admission {
        const version = isEntityInstanceId(instanceId)
            ? undefined
            : versionToRun(
                  events,
                  batch.map((item) => item.message),
              );
        if (version === undefined || versionMatches(version, this.#o.versioning)) {
            this.#rejected.delete(instanceId);
            return RUN;
        }
        const reason = mismatchReason(version, this.#o.versioning);
        if (this.#o.versioning.failureStrategy === 'Fail') {
            this.#rejected.delete(instanceId);
            this.#o.logger.warn(`Instance ${instanceId}: ${reason} It fails (versionFailureStrategy Fail).`);
            return {
                run: true,
                request: { failBeforeRun: { result: VERSION_MISMATCH_OUTPUT, details: null } },
                finish: withVersionMismatchDetails,
            };
        }
        this.#reject(instanceId, version, reason, batch, settlement);
        return { run: false };
    }

    #reject(
        instanceId: string,
        version: string,
        reason: string,
        batch: readonly ReceivedMessage[],
        settlement: MessageSettlement,
    ): void {
        const now = this.#o.clock();
        let latest = 0;
        for (const item of batch) {
            const seconds = Math.min(2 ** Math.max(1, item.dequeueCount), MAX_ABANDON_SECONDS);
            latest = Math.max(latest, seconds);
            if (!isInProcess(item)) {
                settlement.abandon([item], seconds);
                continue;
            }
            const visibleAt = new Date(now.getTime() + seconds * 1000);
            settlement.track(
                this.#o.storage.sendControlMessage(item.message, { visibleAt }).then(
                    () => settlement.delete(item),
                    // Not sent: kept in memory and tried again, as any released in-process message.
                    () => settlement.abandon([item], seconds),
                ),
            );
        }
        const known = this.#rejected.get(instanceId);
        if (!known)
            this.#o.logger.warn(
                `Instance ${instanceId}: ${reason} Its messages go back to the queue until a host that runs it takes them (versionFailureStrategy Reject).`,
            );
        this.#rejected.delete(instanceId);
        this.#rejected.set(instanceId, {
            instanceId,
            version,
            reason,
            since: known?.since ?? now.toISOString(),
            retryAt: new Date(now.getTime() + latest * 1000).toISOString(),
        });
        if (this.#rejected.size > MAX_REPORTED) {
            const oldest = this.#rejected.keys().next();
            if (!oldest.done) this.#rejected.delete(oldest.value);
        }
    }
}

/**
 * The version DTFx checks: the current execution's, while it runs; otherwise that of the start this batch brings
 * (a new instance, a restart). undefined when nothing here would run the orchestrator.
 */
export function versionToRun(events: readonly HistoryEvent[], batch: readonly TaskMessage[]): string | undefined {
    const started = events.find((event) => event.EventType === EventType.ExecutionStarted);
    const running = started?.EventType === EventType.ExecutionStarted && !executionEnded(events);
    if (running) return started.Version ?? '';
    const current = started?.EventType === EventType.ExecutionStarted ? started.OrchestrationInstance.ExecutionId : '';
    for (const message of batch) {
        const event = message.Event;
        // A start of the execution history already ended is a stale copy: the engine discards it.
        if (event.EventType === EventType.ExecutionStarted && event.OrchestrationInstance.ExecutionId !== current)
            return event.Version ?? '';
    }
    return undefined;
}

const VERSION_MISMATCH_DETAILS: FailureDetailsJson = {
    ErrorType: VERSION_MISMATCH_ERROR_TYPE,
    ErrorMessage: VERSION_MISMATCH_MESSAGE,
    StackTrace: null,
    InnerFailure: null,
    IsNonRetriable: true,
};

/**
 * DTFx's failure carries FailureDetails on ExecutionCompleted and on the parent's SubOrchestrationInstanceFailed.
 * (Its Result is null there; the devhost keeps the text in Result too, since a row rebuilt from history takes
 * its Output from Result.)
 */
function withVersionMismatchDetails(result: EpisodeResult): EpisodeResult {
    if (result.instance.runtimeStatus !== 'Failed' || result.instance.output !== VERSION_MISMATCH_OUTPUT) return result;
    const attach = <T extends HistoryEvent>(event: T): T =>
        event.EventType === EventType.ExecutionCompleted || event.EventType === EventType.SubOrchestrationInstanceFailed
            ? { ...event, FailureDetails: VERSION_MISMATCH_DETAILS }
            : event;
    return {
        ...result,
        appended: result.appended.map(attach),
        outbound: result.outbound.map((out) => ({
            ...out,
            message: { ...out.message, Event: attach(out.message.Event) },
        })),
    };
}
