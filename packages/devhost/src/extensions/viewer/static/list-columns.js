// The list's derived columns: the custom status as one short line, and times with milliseconds. The status
// payload's times are whole seconds (the extension's format), so the created and end times come from the hub
// summary, which reads them from the Instances rows; an instance the summary has not seen yet (it started
// between the two reads) keeps its whole seconds, and its duration says so rather than pretend.
import { ACTIVE_STATUSES, formatDuration, h } from './dom.js';

/** Past this many characters the cell is cut; the whole value is in its title. */
const CUSTOM_STATUS_CHARS = 100;

/** A string as it is; anything else as compact JSON; null when there is none. */
export function customStatusText(value) {
    if (value === null || value === undefined) return null;
    return typeof value === 'string' ? value : JSON.stringify(value);
}

export function customStatusCell(value) {
    const text = customStatusText(value);
    if (text === null) return h('td', { class: 'custom-status muted' }, '—');
    const cut = text.length > CUSTOM_STATUS_CHARS ? `${text.slice(0, CUSTOM_STATUS_CHARS - 1)}…` : text;
    return h('td', { class: 'custom-status mono', title: text, dataset: { customStatus: text } }, cut);
}

/** The rows with `createdMs`, `endMs` and `exactTimes` from the summary's `times` ([created, end] by id). */
export function withTimes(rows, times) {
    return rows.map((row) => {
        const exact = Object.prototype.hasOwnProperty.call(times, row.instanceId) ? times[row.instanceId] : undefined;
        return exact
            ? { ...row, createdMs: exact[0], endMs: exact[1], exactTimes: true }
            : {
                  ...row,
                  createdMs: Date.parse(row.createdTime),
                  endMs: Date.parse(row.lastUpdatedTime),
                  exactTimes: false,
              };
    });
}

/** Until now while the instance has not finished. */
export function durationCell(row, now) {
    const end = ACTIVE_STATUSES.has(row.runtimeStatus) ? now : row.endMs;
    const ms = end - row.createdMs;
    if (!row.exactTimes && ms < 1000)
        return h('td', { class: 'num', title: 'Times to the second only (not yet in the hub summary)' }, '< 1 s');
    return h('td', { class: 'num', dataset: { durationMs: String(ms) } }, formatDuration(ms));
}
