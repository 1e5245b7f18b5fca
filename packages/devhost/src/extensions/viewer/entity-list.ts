/**
 * The entities of the task hub for the viewer's entities page: every Instances row whose id is `@name@key`,
 * with the entity's state, its last operation time (the row's LastUpdatedTime, as the extension's
 * ListEntitiesAsync reports it), whether it holds a lock or has requests queued, and whether it is empty (deleted
 * and holding nothing: what the extension's CleanEntityStorage would remove). The Durable HTTP API lists the
 * entities of one name only and leaves deleted ones out; DfMon lists them all, so this reads the table itself.
 */
import { parseEntityInstanceId, parseSchedulerState, type SchedulerState } from '../durable/engine/entity-protocol';
import type { InstanceRecord, TaskHubStorage } from '../durable/task-hub-port/task-hub-storage';

/** The list stops here and says so (a local task hub rarely has this many entities). */
export const ENTITY_LIST_CAP = 5000;
/** A listed state longer than this is cut (the entity's own view shows all of it). */
export const LISTED_STATE_CHARS = 500;

export interface EntityRow {
    instanceId: string;
    name: string;
    key: string;
    /** False once deleted (or never given a state). */
    exists: boolean;
    /** JSON text of the state while it exists; cut to LISTED_STATE_CHARS in a list. */
    state: string | null;
    stateTruncated: boolean;
    lastOperationTime: string;
    /** The orchestration holding the entity's lock, if any. */
    lockedBy: string | null;
    /** Requests waiting for the lock to be released. */
    queued: number;
    /** Deleted and holding nothing: removable storage. */
    empty: boolean;
    /** Set when the stored state could not be read. */
    error?: string;
}

/** Entity rows read at most for one list (each row carries the entity's state). */
const ENTITY_SCAN_CAP = 20_000;

export interface EntityList {
    entities: EntityRow[];
    /** True when the list stopped at ENTITY_LIST_CAP entities or ENTITY_SCAN_CAP rows read. */
    truncated: boolean;
}

/** Entities whose name contains `nameFilter` (case-insensitive; names are stored lower-cased), by name and key. */
export async function readEntityList(storage: TaskHubStorage, nameFilter: string): Promise<EntityList> {
    const filter = nameFilter.trim().toLowerCase();
    const entities: EntityRow[] = [];
    let token: string | undefined;
    let truncated = false;
    let scanned = 0;
    do {
        const page = await storage.queryInstances({ instanceIdPrefix: '@', top: 1000 }, token);
        scanned += page.instances.length;
        for (const record of page.instances) {
            const row = entityRow(record, LISTED_STATE_CHARS);
            if (row && row.name.toLowerCase().includes(filter)) entities.push(row);
        }
        token = page.continuationToken;
        // Bounded by the rows read too: a filter that matches little must not walk a hub of entities.
        if (token !== undefined && (entities.length >= ENTITY_LIST_CAP || scanned >= ENTITY_SCAN_CAP)) truncated = true;
    } while (token !== undefined && !truncated);
    entities.sort((a, b) => a.name.localeCompare(b.name) || a.key.localeCompare(b.key));
    return { entities, truncated };
}

/** One entity with its whole state; undefined when the id is not an entity's or has no row. */
export async function readEntity(storage: TaskHubStorage, instanceId: string): Promise<EntityRow | undefined> {
    if (!parseEntityInstanceId(instanceId)) return undefined;
    const record = await storage.readInstance(instanceId);
    return record ? entityRow(record, Number.POSITIVE_INFINITY) : undefined;
}

function entityRow(record: InstanceRecord, maxStateChars: number): EntityRow | undefined {
    const id = parseEntityInstanceId(record.instanceId);
    if (!id) return undefined;
    let scheduler: SchedulerState;
    let error: string | undefined;
    try {
        scheduler = parseSchedulerState(record.input);
    } catch (cause) {
        scheduler = {};
        error = cause instanceof Error ? cause.message : String(cause);
    }
    const exists = scheduler.exists === true;
    const fullState = exists && typeof scheduler.state === 'string' ? scheduler.state : null;
    const lockedBy = scheduler.lockedBy ?? null;
    const queued = scheduler.queue?.length ?? 0;
    return {
        instanceId: record.instanceId,
        name: id.name,
        key: id.key,
        exists,
        state: fullState !== null && fullState.length > maxStateChars ? fullState.slice(0, maxStateChars) : fullState,
        stateTruncated: fullState !== null && fullState.length > maxStateChars,
        lastOperationTime: record.lastUpdatedTime.toISOString(),
        lockedBy,
        queued,
        empty: !exists && lockedBy === null && queued === 0 && error === undefined,
        ...(error !== undefined ? { error } : {}),
    };
}
