/**
 * History event ⇄ `<Hub>History` row, as DTFx's `TableEntityConverter` writes them
 * (docs/protocol.md §3): `EventType` as its enum name, `Timestamp` renamed `_Timestamp`,
 * strings / ints / bools / DateTimes as native columns, enums by name, other objects as JSON text
 * (a null object is the text "null", a null string is no column), and `ExecutionId` on every row.
 */
import { EventType, RuntimeStatus, type HistoryEvent } from '../../../shared/history';
import { EVENT_MEMBERS, eventTypeFromName, parseHistoryEvent } from './history-event-schema';
import {
    cellBoolean,
    cellDateTime,
    cellNumber,
    cellString,
    cellValue,
    dateTimeCell,
    type Cell,
    type TypedRow,
} from './table-cells';

export type HistoryEntity = Record<string, unknown> & { partitionKey: string; rowKey: string };

type MemberKind = 'string' | 'int' | 'bool' | 'date' | 'json' | 'status';

const MEMBER_KINDS: Readonly<Record<string, MemberKind>> = {
    EventId: 'int',
    TaskScheduledId: 'int',
    TimerId: 'int',
    Generation: 'int',
    IsPlayed: 'bool',
    GenerateNewTrace: 'bool',
    FireAt: 'date',
    ScheduledStartTime: 'date',
    OrchestrationInstance: 'json',
    ParentInstance: 'json',
    FailureDetails: 'json',
    Tags: 'json',
    ParentTraceContext: 'json',
    OrchestrationStatus: 'status',
    Name: 'string',
    Version: 'string',
    Input: 'string',
    Result: 'string',
    Reason: 'string',
    Details: 'string',
    Correlation: 'string',
    InstanceId: 'string',
    ClientSpanId: 'string',
};

/** Columns that are bookkeeping, not event members. */
const ROW_COLUMNS = new Set(['ExecutionId', 'EventType', '_Timestamp']);
const BLOB_NAME_SUFFIX = 'BlobName';

export const SENTINEL_ROW_KEY = 'sentinel';

/** Row key of the n-th event of an execution: 16 uppercase hex digits (`ToString("X16")`). */
export function historyRowKey(index: number): string {
    return index.toString(16).toUpperCase().padStart(16, '0');
}

function memberKind(name: string, value: unknown): MemberKind {
    const known = MEMBER_KINDS[name];
    if (known) return known;
    if (typeof value === 'boolean') return 'bool';
    if (typeof value === 'number') return 'int';
    if (typeof value === 'object' && value !== null) return 'json';
    return 'string';
}

function encodeMember(name: string, value: unknown): unknown {
    const kind = memberKind(name, value);
    if (kind === 'json') return JSON.stringify(value ?? null);
    if (value === null || value === undefined) return undefined;
    switch (kind) {
        case 'date':
            return dateTimeCell(String(value));
        case 'status':
            return typeof value === 'number' ? RuntimeStatus[value] : value;
        case 'int':
            // Whole numbers beyond Int32 would be rejected as Int32; say Int64. Fractions go as Double.
            if (typeof value === 'number' && !Number.isInteger(value)) return { value: String(value), type: 'Double' };
            if (typeof value === 'number' && Math.abs(value) > 0x7fffffff)
                return { value: String(value), type: 'Int64' };
            return value;
        default:
            return value;
    }
}

export function historyEventToEntity(
    event: HistoryEvent,
    partitionKey: string,
    rowKey: string,
    executionId: string,
): HistoryEntity {
    const entity: HistoryEntity = {
        partitionKey,
        rowKey,
        ExecutionId: executionId,
        EventType: EventType[event.EventType],
        EventId: event.EventId,
        IsPlayed: event.IsPlayed,
        _Timestamp: dateTimeCell(event.Timestamp),
    };
    for (const [name, value] of Object.entries(event)) {
        if (name === 'EventType' || name === 'EventId' || name === 'IsPlayed' || name === 'Timestamp') continue;
        const encoded = encodeMember(name, value);
        if (encoded !== undefined) entity[name] = encoded;
    }
    return entity;
}

function decodeMember(name: string, cell: Cell): unknown {
    switch (MEMBER_KINDS[name]) {
        case 'int':
            return cellNumber(name, cell);
        case 'bool':
            return cellBoolean(name, cell);
        case 'date':
            return cellDateTime(name, cell);
        case 'json':
            return JSON.parse(cellString(name, cell)) as unknown;
        case 'status': {
            const status: unknown = Reflect.get(RuntimeStatus, cellString(name, cell));
            if (typeof status !== 'number') throw new Error(`'${cell.value}' is not an orchestration status.`);
            return status;
        }
        case 'string':
        default:
            return cellValue(cell);
    }
}

/**
 * A history row (large columns already restored from blobs) back to the event object: numeric EventType,
 * `Timestamp`, members the event type declares present (null when the row has no such column).
 */
export function entityToHistoryEvent(row: TypedRow): HistoryEvent {
    const typeCell = row.cells.get('EventType');
    const stampCell = row.cells.get('_Timestamp');
    if (!typeCell || !stampCell)
        throw new Error(`History row '${row.partitionKey}'/'${row.rowKey}' lacks EventType or _Timestamp.`);
    const eventType = eventTypeFromName(cellString('EventType', typeCell));

    const event: Record<string, unknown> = { EventType: eventType };
    for (const member of EVENT_MEMBERS[eventType]) event[member] = null;
    for (const [name, cell] of row.cells) {
        if (ROW_COLUMNS.has(name) || name.endsWith(BLOB_NAME_SUFFIX)) continue;
        event[name] = decodeMember(name, cell);
    }
    event.Timestamp = cellDateTime('_Timestamp', stampCell);
    return parseHistoryEvent(event);
}

/** Column name that points at the blob of a large column (`InputBlobName`); a breaking change if altered. */
export function blobNameColumn(property: string): string {
    return property + BLOB_NAME_SUFFIX;
}
