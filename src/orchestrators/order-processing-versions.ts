/**
 * The versions of `order_processing` this code runs. An instance's version is host.json
 * `extensions.durableTask.defaultVersion` at the moment it was started (Durable Functions orchestration
 * versioning), kept in its history, so an order finishes on the steps it started with even after a deploy
 * changes them. docs/changing-the-order-workflow.md has the procedure.
 * - 1: validate → charge → fulfill → notify (refund when fulfillment fails). Every order started before
 *   versioning has version `""`, which is version 1; `"1.0"` is too.
 * - 2: validate → reserve stock → charge → fulfill → notify (release the stock when the order will not ship).
 */
export const OrderWorkflowVersions = { v1: '1.0', v2: '2.0' } as const;

/** The version new orders get: host.json `defaultVersion` must say the same (test/app checks it). */
export const LATEST_ORDER_WORKFLOW_VERSION = OrderWorkflowVersions.v2;

export type OrderWorkflowVersion = 1 | 2;

/** An instance of a version this code does not run: the host should not have given it to this worker. */
export class UnknownWorkflowVersionError extends Error {
    override readonly name = 'UnknownWorkflowVersionError';
    constructor(
        readonly functionName: string,
        readonly version: string,
    ) {
        super(
            `${functionName}: version '${version}' is not one this code runs (it runs "" and 1.x as version 1, ` +
                `2.x as version 2); with versionMatchStrategy CurrentOrOlder the host leaves newer versions to newer code`,
        );
    }
}

/**
 * The workflow version of an instance version string, by its major number (`"2"`, `"2.0"` and `"2.0.0"` all run
 * version 2's steps); empty or missing is version 1. Which instances a host runs at all is the host's decision:
 * with CurrentOrOlder it compares versions as System.Version does, so a "2.0" host leaves "2.0.0" (newer) Pending.
 * Anything else throws UnknownWorkflowVersionError: deterministic, and before any step is scheduled.
 */
export function orderWorkflowVersion(functionName: string, version: string | null | undefined): OrderWorkflowVersion {
    const text = (version ?? '').trim();
    if (text === '') return 1;
    const major = /^(\d+)(?:\.\d+){0,3}$/.exec(text)?.[1];
    if (major !== undefined && Number(major) === 1) return 1;
    if (major !== undefined && Number(major) === 2) return 2;
    throw new UnknownWorkflowVersionError(functionName, text);
}
