/**
 * Writing the Pending row of a new execution, safely when the answer is lost.
 *
 * The row is written conditionally (insert when there was none, replace under the ETag read otherwise: the
 * provider's SetNewExecutionAsync), so of concurrent starts of one id exactly one wins. But a write can land
 * and its answer get lost (a connection reset under load, a timeout): the table client's retry then gets
 * 409/412 from the row it wrote itself, or the call fails outright although it took effect. Taking either for
 * "another start won" leaves a Pending row that nobody starts (the client was told the instance exists, or
 * that the start failed). So the row is read back: the ExecutionId in it says whose it is. (The provider
 * ignores the 409/412 and answers success, which is right for a lost answer and wrong for a real race; the
 * read-back tells the two apart.)
 *
 * A write that failed and did not land (the row is as it was) is tried again, a few times; if the outcome
 * still cannot be known the error goes to the caller, who cannot tell either (as with any storage call that
 * fails: `outcomeUnknown`).
 */
import type { InstanceRecord, TaskHubStorage, VersionedInstance } from '../task-hub-port/task-hub-storage';

export type Claim =
    | { won: true }
    /** Another start wrote the row (its record, when there is one now). */
    | { won: false; existing: VersionedInstance | undefined };

/** Retries of a write that failed without landing: 0, 100, 400 ms apart. */
const RETRY_DELAYS_MS = [0, 100, 400];

/** The row's write could not be confirmed either way: it may have landed. */
export class StartOutcomeUnknownError extends Error {
    constructor(
        readonly instanceId: string,
        options: ErrorOptions,
    ) {
        super(
            `The start of instance '${instanceId}' could not be confirmed: task hub storage did not answer. It may have started; ask for its status, or start it again under the same id.`,
            options,
        );
        this.name = 'StartOutcomeUnknownError';
    }
}

export async function claimNewExecution(
    storage: TaskHubStorage,
    record: InstanceRecord,
    etag: string | undefined,
): Promise<Claim> {
    let failure: unknown;
    for (const delay of RETRY_DELAYS_MS) {
        if (delay > 0) await new Promise((resolve) => setTimeout(resolve, delay));
        failure = undefined;
        let wrote = false;
        try {
            wrote = await storage.writeNewExecution(record, etag);
        } catch (error) {
            failure = error;
        }
        if (wrote) return { won: true };
        let found: VersionedInstance | undefined;
        try {
            found = await storage.readInstanceVersioned(record.instanceId);
        } catch (error) {
            failure = error;
            continue;
        }
        if (found?.record.executionId === record.executionId) return { won: true };
        // The write was refused (409/412): someone else's row. Or it failed and did not land: the row is still
        // as the condition expected, so try again.
        const unchanged = etag === undefined ? found === undefined : found?.etag === etag;
        if (failure === undefined || !unchanged) return { won: false, existing: found };
    }
    throw new StartOutcomeUnknownError(record.instanceId, { cause: failure });
}
