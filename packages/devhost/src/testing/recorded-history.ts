/**
 * The histories replay() accepts, read into the provider's history events:
 * - the provider's rows: `host.history(id)`, `readHistory`, a file of them (`{ events: [...] }`, as this
 *   repository's scripts/record-histories.mjs writes), EventType as a number;
 * - the Durable HTTP API's status with `showHistory=true` (`{ instanceId, historyEvents: [...] }`, EventType as
 *   a name), which the extension abridges (DurableClient.GetDurableOrchestrationStatusAsync): it is rebuilt by
 *   show-history.ts, with what that can and cannot recover said there.
 */
import { z } from 'zod';
import type { HistoryEvent } from '../shared/history';
import type { ShowHistoryStatus } from './show-history';

export type RecordedHistory =
    | readonly HistoryEvent[]
    | { readonly events: readonly HistoryEvent[] }
    | ShowHistoryStatus
    | readonly Record<string, unknown>[];

const timestamp = z.union([z.string(), z.date()]).transform((value) => new Date(value).toISOString());
const rowSchema = z.looseObject({
    EventType: z.number().int().min(0),
    EventId: z.number().int(),
    Timestamp: timestamp,
});
const rowsSchema = z.array(rowSchema).min(1);
const namedEventSchema = z.looseObject({ EventType: z.string() });
/** The HTTP API's payload says `historyEvents`; the SDK's DurableOrchestrationStatus calls the same list `history`. */
const showHistorySchema = z
    .looseObject({
        instanceId: z.string().optional(),
        input: z.unknown().optional(),
        historyEvents: z.array(namedEventSchema).min(1).optional(),
        history: z.array(namedEventSchema).min(1).optional(),
    })
    .refine((status) => status.historyEvents ?? status.history, { message: 'no historyEvents (or history) list' });

export type ReadHistory = { kind: 'rows'; events: HistoryEvent[] } | { kind: 'abridged'; status: ShowHistoryStatus };

/** The history as the provider's events, or as the HTTP API's abridged list; throws naming what is wrong. */
export function readRecordedHistory(history: RecordedHistory): ReadHistory {
    const list: unknown = Array.isArray(history) ? history : (history as { events?: unknown }).events;
    if (list !== undefined) {
        const first = (list as unknown[])[0] as { EventType?: unknown } | undefined;
        if (typeof first?.EventType === 'string') {
            return { kind: 'abridged', status: { historyEvents: list as Array<Record<string, unknown>> } };
        }
        const rows = rowsSchema.safeParse(list);
        if (!rows.success) throw new Error(`replay: not a history (${z.prettifyError(rows.error)}).`);
        return { kind: 'rows', events: rows.data as unknown as HistoryEvent[] };
    }
    const status = showHistorySchema.safeParse(history);
    if (!status.success) {
        throw new Error(
            'replay: expected history events, `{ events }`, or a status with `historyEvents` ' +
                `(getStatus with showHistory): ${z.prettifyError(status.error)}.`,
        );
    }
    const { historyEvents, history: list2, instanceId, input } = status.data;
    return {
        kind: 'abridged',
        status: {
            historyEvents: (historyEvents ?? list2 ?? []) as Array<Record<string, unknown>>,
            ...(instanceId !== undefined ? { instanceId } : {}),
            ...('input' in status.data ? { input } : {}),
        },
    };
}
