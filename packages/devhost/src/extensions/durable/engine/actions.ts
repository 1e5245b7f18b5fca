/**
 * The SDK's OrchestratorState and its V3 action tree (docs/protocol.md §10), validated with zod and
 * turned into a typed tree the replay walks. Parsing is strict where the engine depends on a field
 * (names, fire times, retry numbers) and lenient elsewhere (inputs are opaque values).
 */
import { z } from 'zod';
import { parseTimeSpan } from '../../../shared/timespan';

export interface RetryPolicy {
    firstRetryIntervalMs: number;
    maxNumberOfAttempts: number;
    backoffCoefficient: number;
    maxRetryIntervalMs: number;
    /** Infinity when unset (the extension's TimeSpan.MaxValue). */
    retryTimeoutMs: number;
}

/** The DurableHttpRequest JSON the SDK sends; kept as-is for the HTTP activity, with the fields we read. */
export interface HttpRequestJson {
    method: string;
    uri: string;
    headers?: Record<string, unknown> | undefined;
    asynchronousPatternEnabled?: boolean | undefined;
    [field: string]: unknown;
}

export type Action =
    | { type: 'CallActivity'; functionName: string; input: unknown }
    | { type: 'CallActivityWithRetry'; functionName: string; input: unknown; retry: RetryPolicy }
    | {
          type: 'CallSubOrchestrator';
          functionName: string;
          instanceId: string | null;
          input: unknown;
          retry: RetryPolicy | null;
          /** The version the orchestrator asked for (callSubOrchestrator's 4th argument); null: the host's default. */
          version: string | null;
      }
    | { type: 'ContinueAsNew'; input: unknown }
    | { type: 'CreateTimer'; fireAt: Date; isCanceled: boolean }
    | { type: 'WaitForExternalEvent'; name: string }
    | { type: 'CallHttp'; request: HttpRequestJson }
    | { type: 'CallEntity' | 'SignalEntity'; instanceId: string; operation: string; input: unknown }
    /** context.df.lock: the entities to lock, as the SDK sends them (entity-locks.ts sorts them again). */
    | { type: 'LockEntities'; lockSet: Array<{ name: string; key: string }> }
    /** DurableLock.release: no fields; the shim releases what the critical section holds. */
    | { type: 'ReleaseEntities' }
    | { type: 'Entity'; actionName: string; target: string | null }
    | { type: 'WhenAll' | 'WhenAny'; children: Action[] };

export interface OrchestratorState {
    isDone: boolean;
    actions: Action[];
    output: unknown;
    error: string | undefined;
    customStatus: unknown;
    schemaVersion: number;
}

/** The extension's RetryOptions default for MaxRetryInterval. */
const defaultMaxRetryIntervalMs = parseTimeSpan('6.00:00:00');

const retryOptionsSchema = z.object({
    firstRetryIntervalInMilliseconds: z.number().positive(),
    maxNumberOfAttempts: z.number().int(),
    backoffCoefficient: z.number().optional(),
    maxRetryIntervalInMilliseconds: z.number().optional(),
    retryTimeoutInMilliseconds: z.number().optional(),
});

const baseActionSchema = z.object({ actionType: z.number().int() });
const activitySchema = z.object({ functionName: z.string().min(1), input: z.unknown().optional() });
const activityWithRetrySchema = activitySchema.extend({ retryOptions: retryOptionsSchema });
const subOrchestratorSchema = z.object({
    functionName: z.string().min(1),
    instanceId: z.string().nullish(),
    input: z.unknown().optional(),
    retryOptions: retryOptionsSchema.optional(),
    version: z.string().nullish(),
});
const continueAsNewSchema = z.object({ input: z.unknown().optional() });
const timerSchema = z.object({ fireAt: z.iso.datetime({ offset: true }), isCanceled: z.boolean().optional() });
const externalEventSchema = z.object({ externalEventName: z.string() });
const httpSchema = z.object({
    httpRequest: z.looseObject({
        method: z.string(),
        uri: z.string(),
        headers: z.record(z.string(), z.unknown()).nullish(),
        asynchronousPatternEnabled: z.boolean().optional(),
    }),
});
const entitySchema = z.object({ instanceId: z.string().nullish() });
const entityOperationSchema = z.object({
    instanceId: z.string().min(1),
    operation: z.string().min(1),
    input: z.unknown().optional(),
});
const lockSchema = z.object({
    lockSet: z.array(z.object({ name: z.string().min(1), key: z.string() })).min(1),
});
const compoundSchema = z.object({ compoundActions: z.array(z.unknown()) });

function toRetryPolicy(raw: z.infer<typeof retryOptionsSchema>): RetryPolicy {
    return {
        firstRetryIntervalMs: raw.firstRetryIntervalInMilliseconds,
        maxNumberOfAttempts: raw.maxNumberOfAttempts,
        backoffCoefficient: raw.backoffCoefficient ?? 1,
        maxRetryIntervalMs: raw.maxRetryIntervalInMilliseconds ?? defaultMaxRetryIntervalMs,
        retryTimeoutMs: raw.retryTimeoutInMilliseconds ?? Number.POSITIVE_INFINITY,
    };
}

/** Entity actions the devhost does not run (durable-functions 3.5 emits none: signalEntity takes no time). */
const entityActionNames: Record<number, string> = {
    10: 'ScheduledSignalEntity',
};

/** One action JSON object to the typed tree; throws (with the offending path) on a malformed action. */
export function parseAction(raw: unknown, path = 'actions[0]'): Action {
    const { actionType } = baseActionSchema.parse(raw);
    const at = (schema: z.ZodType, value: unknown): void => {
        const result = schema.safeParse(value);
        if (!result.success) throw new Error(`${path} (actionType ${actionType}): ${z.prettifyError(result.error)}`);
    };
    switch (actionType) {
        case 0: {
            at(activitySchema, raw);
            const a = activitySchema.parse(raw);
            return { type: 'CallActivity', functionName: a.functionName, input: a.input };
        }
        case 1: {
            at(activityWithRetrySchema, raw);
            const a = activityWithRetrySchema.parse(raw);
            return {
                type: 'CallActivityWithRetry',
                functionName: a.functionName,
                input: a.input,
                retry: toRetryPolicy(a.retryOptions),
            };
        }
        case 2:
        case 3: {
            at(subOrchestratorSchema, raw);
            const a = subOrchestratorSchema.parse(raw);
            if (actionType === 3 && !a.retryOptions)
                throw new Error(`${path}: CallSubOrchestratorWithRetry without retryOptions`);
            return {
                type: 'CallSubOrchestrator',
                functionName: a.functionName,
                instanceId: a.instanceId ? a.instanceId : null,
                input: a.input,
                retry: actionType === 3 && a.retryOptions ? toRetryPolicy(a.retryOptions) : null,
                version: a.version ? a.version : null,
            };
        }
        case 4:
            return { type: 'ContinueAsNew', input: continueAsNewSchema.parse(raw).input };
        case 5: {
            at(timerSchema, raw);
            const a = timerSchema.parse(raw);
            return { type: 'CreateTimer', fireAt: new Date(a.fireAt), isCanceled: a.isCanceled ?? false };
        }
        case 6: {
            at(externalEventSchema, raw);
            return { type: 'WaitForExternalEvent', name: externalEventSchema.parse(raw).externalEventName };
        }
        case 7:
        case 9: {
            at(entityOperationSchema, raw);
            const a = entityOperationSchema.parse(raw);
            return {
                type: actionType === 7 ? 'CallEntity' : 'SignalEntity',
                instanceId: a.instanceId,
                operation: a.operation,
                input: a.input,
            };
        }
        case 8: {
            at(httpSchema, raw);
            const { httpRequest } = httpSchema.parse(raw);
            const { headers, ...rest } = httpRequest;
            return { type: 'CallHttp', request: { ...rest, headers: headers ?? undefined } };
        }
        case 13: {
            at(lockSchema, raw);
            return { type: 'LockEntities', lockSet: lockSchema.parse(raw).lockSet };
        }
        case 14:
            return { type: 'ReleaseEntities' };
        case 11:
        case 12: {
            at(compoundSchema, raw);
            const children = compoundSchema
                .parse(raw)
                .compoundActions.map((child, index) => parseAction(child, `${path}.compoundActions[${index}]`));
            return { type: actionType === 12 ? 'WhenAll' : 'WhenAny', children };
        }
        default: {
            const name = entityActionNames[actionType];
            if (name) {
                const parsed = entitySchema.safeParse(raw);
                return {
                    type: 'Entity',
                    actionName: name,
                    target: parsed.success ? (parsed.data.instanceId ?? null) : null,
                };
            }
            throw new Error(`${path}: unknown actionType ${actionType}`);
        }
    }
}

const stateSchema = z.object({
    isDone: z.boolean(),
    actions: z.array(z.array(z.unknown())),
    output: z.unknown().optional(),
    error: z.string().optional(),
    customStatus: z.unknown().optional(),
    schemaVersion: z.number().int().optional(),
});

/**
 * The OrchestratorState JSON (object or text) to the typed state. Only schema V2+ layouts are accepted
 * (one outer array), as the extension requires when it announces V3.
 */
export function parseOrchestratorState(raw: unknown): OrchestratorState {
    const value: unknown = typeof raw === 'string' ? JSON.parse(raw) : raw;
    const result = stateSchema.safeParse(value);
    if (!result.success) throw new Error(`not an OrchestratorState: ${z.prettifyError(result.error)}`);
    const state = result.data;
    const schemaVersion = state.schemaVersion ?? 0;
    if (schemaVersion < 1) {
        throw new Error(`OrchestratorState schemaVersion ${schemaVersion} is not supported (the engine announces V3)`);
    }
    if (state.actions.length !== 1) {
        throw new Error(
            `expected actions to have one outer element with schema ${schemaVersion}, got ${state.actions.length}`,
        );
    }
    const actions = (state.actions[0] ?? []).map((action, index) => parseAction(action, `actions[0][${index}]`));
    return {
        isDone: state.isDone,
        actions,
        output: state.output,
        error: state.error,
        customStatus: state.customStatus,
        schemaVersion,
    };
}

/** Depth-first: the first entity action the devhost does not run (a scheduled signal), if any. */
export function findEntityAction(actions: readonly Action[]): Extract<Action, { type: 'Entity' }> | undefined {
    for (const action of actions) {
        if (action.type === 'Entity') return action;
        if (action.type === 'WhenAll' || action.type === 'WhenAny') {
            const found = findEntityAction(action.children);
            if (found) return found;
        }
    }
    return undefined;
}
