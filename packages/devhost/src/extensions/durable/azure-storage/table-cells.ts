/**
 * Rows read with `disableTypeConversion: true` carry every property as `{value: string, type}` (the EDM type
 * the service reports). Reading them this way keeps DateTime values at the service's 100 ns precision (the
 * SDK's Date conversion would cut DTFx's 7-digit timestamps to milliseconds) and lets zod check each column's
 * EDM type instead of guessing from JavaScript values.
 */
import { z } from 'zod';

export const edmTypeSchema = z.enum(['String', 'Int32', 'Int64', 'Double', 'Boolean', 'DateTime', 'Guid', 'Binary']);
export type EdmType = z.infer<typeof edmTypeSchema>;

export const cellSchema = z.object({ value: z.string(), type: edmTypeSchema });
export type Cell = z.infer<typeof cellSchema>;

/** A typed row: the service's key fields plus its properties as cells. */
export interface TypedRow {
    partitionKey: string;
    rowKey: string;
    etag: string;
    cells: Map<string, Cell>;
}

const SYSTEM_FIELDS = new Set(['partitionKey', 'rowKey', 'etag', 'timestamp']);

const rawRowSchema = z.looseObject({ partitionKey: z.string(), rowKey: z.string(), etag: z.string() });

export function parseTypedRow(raw: unknown): TypedRow {
    const row = rawRowSchema.parse(raw);
    const cells = new Map<string, Cell>();
    for (const [name, value] of Object.entries(row)) {
        if (SYSTEM_FIELDS.has(name)) continue;
        const parsed = cellSchema.safeParse(value);
        if (!parsed.success)
            throw new Error(
                `Column '${name}' of row '${row.partitionKey}'/'${row.rowKey}' is not a typed table value.`,
            );
        cells.set(name, parsed.data);
    }
    return { partitionKey: row.partitionKey, rowKey: row.rowKey, etag: row.etag, cells };
}

export class ColumnTypeError extends Error {
    constructor(column: string, expected: string, actual: EdmType) {
        super(`Column '${column}' should be ${expected} but is ${actual}.`);
        this.name = 'ColumnTypeError';
    }
}

export function cellString(name: string, cell: Cell): string {
    if (cell.type !== 'String' && cell.type !== 'Guid') throw new ColumnTypeError(name, 'a string', cell.type);
    return cell.value;
}

export function cellNumber(name: string, cell: Cell): number {
    if (cell.type !== 'Int32' && cell.type !== 'Int64' && cell.type !== 'Double')
        throw new ColumnTypeError(name, 'a number', cell.type);
    return Number(cell.value);
}

export function cellBoolean(name: string, cell: Cell): boolean {
    if (cell.type !== 'Boolean') throw new ColumnTypeError(name, 'a Boolean', cell.type);
    return cell.value === 'true';
}

export function cellDateTime(name: string, cell: Cell): string {
    if (cell.type !== 'DateTime') throw new ColumnTypeError(name, 'a DateTime', cell.type);
    return normalizeDateTime(cell.value);
}

/** Any cell as the plain JavaScript value it stands for (members the converter does not know by name). */
export function cellValue(cell: Cell): string | number | boolean {
    switch (cell.type) {
        case 'Int32':
        case 'Int64':
        case 'Double':
            return Number(cell.value);
        case 'Boolean':
            return cell.value === 'true';
        case 'DateTime':
            return normalizeDateTime(cell.value);
        default:
            return cell.value;
    }
}

const ISO_UTC = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d+))?Z$/;

/**
 * DTFx's timestamp text: UTC with exactly 7 fractional digits (`dtfxTimestamp` in history.ts). Fractions are
 * padded or cut to 100 ns, so a value written in that form reads back identical.
 */
export function normalizeDateTime(text: string): string {
    const m = ISO_UTC.exec(text);
    if (m?.[1]) return `${m[1]}.${(m[2] ?? '').padEnd(7, '0').slice(0, 7)}Z`;
    const date = new Date(text);
    if (Number.isNaN(date.getTime())) throw new Error(`'${text}' is not a date-time.`);
    return date.toISOString().replace(/\.(\d{3})Z$/, '.$10000Z');
}

/** A DateTime value to write without losing the sub-millisecond digits of a DTFx timestamp. */
export function dateTimeCell(isoText: string): { value: string; type: 'DateTime' } {
    return { value: normalizeDateTime(isoText), type: 'DateTime' };
}
