// Small DOM and formatting helpers shared by the viewer's pages. Times are shown in the browser's own time zone.

/**
 * Creates an element. `attrs`: `class`, `text`, `on<event>` handlers, `dataset` (object), anything else as an
 * attribute (true = present, false/null/undefined = absent). Children: nodes, strings, arrays, or nothing.
 */
export function h(tag, attrs = {}, ...children) {
    const element = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs)) {
        if (value === undefined || value === null || value === false) continue;
        if (key === 'class') element.className = value;
        else if (key === 'text') element.textContent = value;
        else if (key === 'dataset') Object.assign(element.dataset, value);
        else if (key.startsWith('on') && typeof value === 'function') element.addEventListener(key.slice(2), value);
        else element.setAttribute(key, value === true ? '' : String(value));
    }
    append(element, children);
    return element;
}

function append(parent, children) {
    for (const child of children) {
        if (child === undefined || child === null || child === false) continue;
        if (Array.isArray(child)) append(parent, child);
        else parent.append(child instanceof Node ? child : String(child));
    }
}

const dateTimeFormat = new Intl.DateTimeFormat(undefined, {
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
});
const timeFormat = new Intl.DateTimeFormat(undefined, {
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    fractionalSecondDigits: 3,
});

/** Local date and time, to the second. */
export function formatDateTime(value) {
    if (value === null || value === undefined) return '—';
    const date = new Date(value);
    return Number.isNaN(date.getTime()) ? String(value) : dateTimeFormat.format(date);
}

/** Local time of day, to the millisecond (timeline detail). */
export function formatTime(ms) {
    return timeFormat.format(new Date(ms));
}

/** `<time>` element with the ISO value for machines and the local rendering for people. */
export function timeElement(value) {
    return h('time', { datetime: value ?? undefined }, formatDateTime(value));
}

export function formatDuration(ms) {
    if (!Number.isFinite(ms) || ms < 0) return '—';
    if (ms < 1000) return `${Math.round(ms)} ms`;
    if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
    const minutes = Math.floor(ms / 60_000);
    if (minutes < 60) return `${minutes} min ${Math.round((ms % 60_000) / 1000)} s`;
    return `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}

export const STATUSES = [
    'Pending',
    'Running',
    'Suspended',
    'Completed',
    'Failed',
    'Terminated',
    'ContinuedAsNew',
    'Canceled',
];
export const ACTIVE_STATUSES = new Set(['Pending', 'Running', 'Suspended']);

export function statusBadge(status) {
    return h('span', { class: `badge status-${String(status).toLowerCase()}` }, status);
}

/** Pretty JSON for a value the API returned (already parsed) or stored JSON text; other text as it is. */
export function prettyValue(value) {
    if (value === null || value === undefined) return 'null';
    if (typeof value === 'string') {
        try {
            return JSON.stringify(JSON.parse(value), null, 2);
        } catch {
            return value;
        }
    }
    return JSON.stringify(value, null, 2);
}

export function instanceHref(instanceId) {
    return `/_devhost/instances/${encodeURIComponent(instanceId)}`;
}

/** Replaces the content of `parent` with `children`. */
export function replaceContent(parent, ...children) {
    parent.replaceChildren();
    append(parent, children);
}
