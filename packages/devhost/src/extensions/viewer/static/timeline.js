// Draws the timeline (a Gantt chart) of an execution. Up to DETAIL_LIMIT tasks get a row each; beyond that,
// tasks of the same kind and name become one lane with a concurrency histogram, their statistics, and their
// slowest and failed tasks drawn by name, so a 10,000-task fan-out stays readable (and fast to draw).
import { formatDuration, formatTime, h, instanceHref } from './dom.js';
import { summariseGroup } from './timeline-model.js';

const DETAIL_LIMIT = 200;
const SMALL_GROUP = 20;
const HISTOGRAM_BUCKETS = 80;
const FAILED_SHOWN = 50;

export function renderTimeline(model) {
    const span = model.end - model.start;
    const position = (item) => {
        const left = ((item.start - model.start) / span) * 100;
        const width = Math.max(((item.end - item.start) / span) * 100, 0);
        return `left:${left.toFixed(3)}%;width:${width.toFixed(3)}%`;
    };

    const rows = [];
    if (model.orchestration) rows.push(row(model.orchestration, position, model.orchestration.name || 'orchestration'));
    if (model.items.length <= DETAIL_LIMIT) {
        for (const item of model.items) rows.push(row(item, position));
    } else {
        for (const group of groupItems(model.items)) {
            if (group.items.length <= SMALL_GROUP) {
                for (const item of group.items) rows.push(row(item, position));
            } else {
                rows.push(...lane(group, model, position));
            }
        }
    }

    const ticks = [0, 0.25, 0.5, 0.75, 1].map((fraction) =>
        h(
            'span',
            { class: 'tl-tick', style: `left:${fraction * 100}%` },
            fraction === 0 ? formatTime(model.start) : `+${formatDuration(span * fraction)}`,
        ),
    );
    return h(
        'div',
        { class: 'timeline', dataset: { items: String(model.items.length) } },
        h(
            'div',
            { class: 'tl-axis', 'aria-hidden': 'true' },
            h('span', { class: 'tl-label' }),
            h('div', { class: 'tl-track' }, ticks),
        ),
        h('ul', { class: 'tl-rows', 'aria-label': 'Timeline' }, rows),
        h(
            'p',
            { class: 'legend' },
            h('span', { class: 'tl-bar-key kind-activity' }),
            'activity ',
            h('span', { class: 'tl-bar-key kind-suborchestration' }),
            'sub-orchestration ',
            h('span', { class: 'tl-bar-key kind-timer' }),
            'timer ',
            h('span', { class: 'tl-bar-key kind-event' }),
            'event ',
            h('span', { class: 'tl-bar-key failed' }),
            'failed ',
            h('span', { class: 'tl-bar-key pending' }),
            'still running',
        ),
    );
}

function describeItem(item) {
    const parts = [`${item.kind} ${item.name}`];
    if (item.attempt > 1) parts.push(`retry ${item.attempt - 1}`);
    if (item.point) parts.push(`at ${formatTime(item.start)}`);
    else
        parts.push(
            `${formatTime(item.start)} → ${item.pending ? 'still running' : formatTime(item.end)} (${formatDuration(item.end - item.start)})`,
        );
    if (item.failed) parts.push(`failed: ${item.reason ?? ''}`);
    if (item.fireAt) parts.push(`fires at ${formatTime(Date.parse(item.fireAt))}`);
    return parts.join(', ');
}

function row(item, position, labelText) {
    const label = labelText ?? item.name;
    const description = describeItem(item);
    const classes = [
        'tl-bar',
        `kind-${item.kind}`,
        item.failed ? 'failed' : '',
        item.pending ? 'pending' : '',
        item.point ? 'point' : '',
    ].join(' ');
    return h(
        'li',
        {
            class: 'tl-row',
            dataset: { kind: item.kind, name: item.name, failed: String(item.failed), pending: String(item.pending) },
        },
        h(
            'span',
            { class: 'tl-label', title: description },
            item.instanceId ? h('a', { href: instanceHref(item.instanceId) }, label) : label,
            item.attempt > 1 ? h('span', { class: 'retry' }, ` retry ${item.attempt - 1}`) : null,
        ),
        h('div', { class: 'tl-track' }, h('span', { class: classes, style: position(item), title: description })),
        h('span', { class: 'tl-duration' }, item.point ? '' : formatDuration(item.end - item.start)),
        h('span', { class: 'visually-hidden' }, description),
    );
}

function groupItems(items) {
    const groups = new Map();
    for (const item of items) {
        const key = `${item.kind}\u0000${item.name}`;
        let group = groups.get(key);
        if (!group) groups.set(key, (group = { kind: item.kind, name: item.name, items: [] }));
        group.items.push(item);
    }
    return [...groups.values()];
}

function lane(group, model, position) {
    const stats = summariseGroup(group.items, model.start, model.end, HISTOGRAM_BUCKETS);
    const width = 100 / HISTOGRAM_BUCKETS;
    const text =
        `${stats.count} × ${group.name}: peak ${stats.peak} in flight, median ${formatDuration(stats.p50)}, ` +
        `p95 ${formatDuration(stats.p95)}, slowest ${formatDuration(stats.max)}, ${stats.failed} failed` +
        (stats.pending > 0 ? `, ${stats.pending} still running` : '');
    const histogram = h(
        'li',
        {
            class: 'tl-row tl-lane',
            dataset: {
                kind: group.kind,
                name: group.name,
                count: String(stats.count),
                failed: String(stats.failed > 0),
            },
        },
        h('span', { class: 'tl-label', title: text }, `${group.name} ×${stats.count}`),
        h(
            'div',
            { class: 'tl-track histogram', title: text },
            stats.inFlight.map((count, index) =>
                count === 0
                    ? null
                    : h('span', {
                          class: `tl-bucket kind-${group.kind}`,
                          style: `left:${(index * width).toFixed(3)}%;width:${width.toFixed(3)}%;height:${((count / stats.peak) * 100).toFixed(1)}%`,
                      }),
            ),
        ),
        h('span', { class: 'tl-duration' }, `peak ${stats.peak}`),
        h('span', { class: 'visually-hidden' }, text),
    );
    const failed = group.items.filter((item) => item.failed);
    const named = [...stats.slowest, ...failed.slice(0, FAILED_SHOWN)].filter(
        (item, index, all) => all.indexOf(item) === index,
    );
    return [
        histogram,
        h(
            'li',
            { class: 'tl-caption' },
            text,
            failed.length > FAILED_SHOWN ? ` (the first ${FAILED_SHOWN} failures are drawn)` : '',
            '. Slowest and failed:',
        ),
        ...named.map((item) => row(item, position, `${item.name} #${item.id}`)),
    ];
}
