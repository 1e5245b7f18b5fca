/**
 * The query of `GET/DELETE instances/` read as the extension reads it (HttpApiHandler): `instanceIdPrefix`,
 * `createdTimeFrom`, `createdTimeTo`, `runtimeStatus` (comma list of names or numbers), `showInput`, `top`.
 * Values are validated here and travel on as data (the storage module quotes them into the table filter);
 * a bad value is an ArgumentException (400), never part of a query.
 */
import { z } from 'zod';
import { RuntimeStatus, type RuntimeStatusName } from '../../../shared/history';
import { DurableArgumentError } from '../runtime/errors';
import { booleanParam } from './query';

export interface ListQuery {
    instanceIdPrefix?: string;
    createdTimeFrom?: Date;
    createdTimeTo?: Date;
    runtimeStatus?: RuntimeStatusName[];
    showInput: boolean;
    top: number;
}

/** The extension's default page size. */
export const DEFAULT_PAGE_SIZE = 100;
/** The service returns at most 1,000 rows per page. */
const MAX_PAGE_SIZE = 1000;

export const topSchema = z.coerce.number().int().min(1).max(MAX_PAGE_SIZE);

export function dateParam(params: URLSearchParams, name: string): Date | undefined {
    const value = params.get(name);
    if (value === null || value.trim() === '') return undefined;
    const ms = Date.parse(value.trim());
    if (!Number.isFinite(ms))
        throw new DurableArgumentError(`The value '${value}' of '${name}' is not a date and time.`);
    return new Date(ms);
}

/** One status name or its number (Enum.TryParse accepts both, names case-insensitively). */
export function parseRuntimeStatus(text: string): RuntimeStatusName {
    const trimmed = text.trim();
    if (/^-?\d+$/.test(trimmed)) {
        const name = RuntimeStatus[Number(trimmed)];
        if (typeof name === 'string') return name as RuntimeStatusName;
    } else {
        const name = Object.keys(RuntimeStatus).find(
            (key) => Number.isNaN(Number(key)) && key.toLowerCase() === trimmed.toLowerCase(),
        );
        if (name !== undefined) return name as RuntimeStatusName;
    }
    throw new DurableArgumentError(`'${text}' is not an orchestration runtime status.`);
}

export function readListQuery(params: URLSearchParams): ListQuery {
    const query: ListQuery = { showInput: booleanParam(params, 'showInput', false), top: DEFAULT_PAGE_SIZE };
    const prefix = params.get('instanceIdPrefix');
    if (prefix !== null && prefix !== '') query.instanceIdPrefix = prefix;
    const from = dateParam(params, 'createdTimeFrom');
    if (from) query.createdTimeFrom = from;
    const to = dateParam(params, 'createdTimeTo');
    if (to) query.createdTimeTo = to;
    const statuses = params.get('runtimeStatus');
    if (statuses !== null && statuses.trim() !== '')
        query.runtimeStatus = statuses
            .split(',')
            .filter((s) => s.trim() !== '')
            .map(parseRuntimeStatus);
    const top = params.get('top');
    if (top !== null && top.trim() !== '') {
        const parsed = topSchema.safeParse(top.trim());
        if (!parsed.success) throw new DurableArgumentError(`'top' must be a whole number from 1 to ${MAX_PAGE_SIZE}.`);
        query.top = parsed.data;
    }
    return query;
}
