/**
 * Entity messages in order: the extension's MessageSorter (azure-functions-durable-extension
 * EntityScheduler/MessageSorter.cs; DTFx Core/Entities/StateFormat/MessageSorter.cs). A queue does not keep
 * order across a crash: a request held by a killed process comes back after its lease, while the requests its
 * sender sent after it (the sender went on with the first answer) arrive at once. Applied out of order, a
 * counter read after "add 5, add 2" answers 2. So every request from an orchestration or entity carries its
 * `Timestamp` and its `Predecessor` (the timestamp of the sender's previous request to the same entity), and
 * the entity applies a sender's requests only in that chain: one whose predecessor has not arrived waits in
 * the sorter, a repeat (a timestamp at or below the last applied) is dropped.
 *
 * Sender: an orchestration stamps with its CurrentUtcDateTime (the episode's), one tick later than its
 * previous request to the same target if need be; what it sent before is in its history (each EventSent holds
 * the request as sent), so a replay labels alike. An entity stamps with its clock and keeps its last sends in
 * the sorter. Receiver: the sorter's state lives in the entity's SchedulerState (`sorter`), in the extension's
 * JSON shape. Requests older than the reorder window (30 minutes, EntityMessageReorderWindowInMinutes) are not
 * held back: a predecessor that never came stops blocking once the window has passed. Client signals (no
 * parent) and messages forwarded in a lock chain (`pos` > 0) are not sorted.
 *
 * Timestamps are .NET DateTimes as Newtonsoft writes them: ticks of 100 ns, 7 fractional digits at most,
 * trailing zeros trimmed, `Z` for a UTC value (a value bumped by one tick is written without it). They are
 * compared as ticks.
 */
import type { Label, ReceiveBuffer, RequestMessage, SorterState } from './entity-protocol';

export type Ticks = bigint;

/** EntityMessageReorderWindowInMinutes' default: 30 minutes, in ticks. */
export const REORDER_WINDOW: Ticks = 30n * 60n * 10_000_000n;
/** The 10-second slack the extension adds before moving a horizon. */
const HORIZON_SLACK: Ticks = 10n * 10_000_000n;
/** Ticks from 0001-01-01 to 1970-01-01. */
const EPOCH_TICKS = 621_355_968_000_000_000n;

const DATE_TIME = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d{1,7}))?(Z|[+-]\d{2}:\d{2})?$/;

/** The ticks of a DateTime as Newtonsoft writes it; undefined if the text is not one. */
export function ticksOf(text: unknown): Ticks | undefined {
    if (typeof text !== 'string') return undefined;
    const match = DATE_TIME.exec(text);
    if (!match?.[1]) return undefined;
    const zone = match[3] === undefined || match[3] === 'Z' ? 'Z' : match[3];
    const seconds = Date.parse(`${match[1]}${zone}`);
    if (!Number.isFinite(seconds)) return undefined;
    const fraction = BigInt((match[2] ?? '').padEnd(7, '0'));
    return BigInt(seconds) * 10_000n + EPOCH_TICKS + fraction;
}

export function ticksOfDate(date: Date): Ticks {
    return BigInt(date.getTime()) * 10_000n + EPOCH_TICKS;
}

/** Newtonsoft's form: `yyyy-MM-ddTHH:mm:ss[.FFFFFFF]` and `Z` for a UTC value. */
export function dateTimeText(ticks: Ticks, utc: boolean): string {
    if (ticks === 0n) return '0001-01-01T00:00:00';
    const sinceEpoch = ticks - EPOCH_TICKS;
    const ms = sinceEpoch / 10_000n;
    const base = new Date(Number(ms)).toISOString().slice(0, 19);
    const fraction = String(((sinceEpoch % 10_000_000n) + 10_000_000n) % 10_000_000n)
        .padStart(7, '0')
        .replace(/0+$/, '');
    return `${base}${fraction ? `.${fraction}` : ''}${utc ? 'Z' : ''}`;
}

/**
 * LabelOutgoingMessage: stamps requests to `target` in the order they are sent. `lastSent` (target → the
 * Timestamp of the last request sent to it, as written) is updated in place; entries older than the window
 * are forgotten.
 */
export function labelOutgoing(lastSent: Map<string, string>, target: string, now: Ticks): Label {
    for (const [id, sent] of lastSent) if ((ticksOf(sent) ?? 0n) < now - REORDER_WINDOW) lastSent.delete(id);
    const last = lastSent.get(target);
    const lastTicks = ticksOf(last);
    // One tick after the last when the clock has not moved on (two requests of one episode): such a value is
    // no longer a UTC DateTime in .NET, and Newtonsoft writes it without `Z`.
    const timestamp =
        lastTicks !== undefined && now <= lastTicks ? dateTimeText(lastTicks + 1n, false) : dateTimeText(now, true);
    lastSent.set(target, timestamp);
    return { Timestamp: timestamp, ...(last === undefined ? {} : { Predecessor: last }) };
}

/** The entity's last sends, read from its sorter. */
export function lastSentOf(sorter: SorterState): Map<string, string> {
    return new Map(Object.entries(sorter.LastSentToInstance ?? {}));
}

/** Writes the entity's last sends back into its sorter. */
export function withLastSent(sorter: SorterState, sent: ReadonlyMap<string, string>): SorterState {
    const { LastSentToInstance: _previous, ...rest } = sorter;
    return sent.size === 0 ? rest : { ...rest, LastSentToInstance: Object.fromEntries(sent) };
}

/**
 * ReceiveInOrder: the requests to apply now, in order, for one arriving request (itself and any it unblocks,
 * none if it waits or is a repeat). `sorter` is updated in place.
 */
export function receiveInOrder(sorter: SorterState, message: RequestMessage): RequestMessage[] {
    const timestamp = ticksOf(message['Timestamp']);
    if (!message.parent || (message.pos ?? 0) > 0 || timestamp === undefined) return [message];
    const delivered: RequestMessage[] = [];
    let horizon = ticksOf(sorter.ReceiveHorizon) ?? 0n;
    const buffers = (sorter.ReceivedFromInstance ??= {});
    if (horizon + REORDER_WINDOW + HORIZON_SLACK < timestamp) {
        horizon = timestamp - REORDER_WINDOW;
        sorter.ReceiveHorizon = dateTimeText(horizon, true);
        for (const [sender, buffer] of Object.entries(buffers)) {
            if ((ticksOf(buffer.Last) ?? 0n) < horizon) buffer.Last = dateTimeText(0n, false);
            drain(buffer, horizon, delivered);
            if (Object.keys(buffer.Buffered ?? {}).length === 0 && (ticksOf(buffer.Last) ?? 0n) < horizon)
                delete buffers[sender];
        }
    }
    if (timestamp < horizon) return [...delivered, message];
    const executionId = message.parentExecution ?? null;
    let buffer = buffers[message.parent];
    if (buffer && (buffer.ExecutionId ?? null) !== executionId) {
        // A new execution of the sender (ContinueAsNew, restart) starts a new chain: what waited goes now.
        delivered.push(...sortedBuffered(buffer));
        buffer = undefined;
    }
    if (!buffer) {
        buffer = { Last: dateTimeText(0n, false), ...(executionId === null ? {} : { ExecutionId: executionId }) };
        buffers[message.parent] = buffer;
    }
    if (timestamp <= (ticksOf(buffer.Last) ?? 0n)) return delivered;
    const predecessor = ticksOf(message['Predecessor']) ?? 0n;
    if (predecessor > (ticksOf(buffer.Last) ?? 0n) && predecessor >= horizon) {
        buffer.Buffered = { ...buffer.Buffered, [String(message['Timestamp'])]: message };
        return delivered;
    }
    delivered.push(message);
    buffer.Last = String(message['Timestamp']);
    drain(buffer, horizon, delivered);
    return delivered;
}

/** Releases the buffer's waiting requests whose predecessor has been applied (or is past the horizon). */
function drain(buffer: ReceiveBuffer, horizon: Ticks, delivered: RequestMessage[]): void {
    for (;;) {
        const next = sortedBuffered(buffer)[0];
        if (!next) break;
        const predecessor = ticksOf(next['Predecessor']) ?? 0n;
        if (predecessor > (ticksOf(buffer.Last) ?? 0n) && predecessor >= horizon) break;
        const key = String(next['Timestamp']);
        const { [key]: _taken, ...rest } = buffer.Buffered ?? {};
        buffer.Buffered = rest;
        if (Object.keys(rest).length === 0) delete buffer.Buffered;
        delivered.push(next);
        buffer.Last = key;
    }
}

function sortedBuffered(buffer: ReceiveBuffer): RequestMessage[] {
    return Object.values(buffer.Buffered ?? {}).sort((a, b) =>
        (ticksOf(a['Timestamp']) ?? 0n) < (ticksOf(b['Timestamp']) ?? 0n) ? -1 : 1,
    );
}
