// Instances started over time, as DfMon's histogram shows the filtered list: one bar per time bucket, stacked
// by runtime status in the badges' colours. Plain SVG; the chart has a label with the totals, each bar a title
// with its counts, and the same counts are in a table for keyboard and screen-reader users.
import { formatDateTime, h, replaceContent, STATUSES } from './dom.js';

const SVG = 'http://www.w3.org/2000/svg';
/** Bucket sizes to choose from, smallest first: the first that needs at most MAX_BUCKETS wins. */
const STEPS = [
    [1_000, '1 s'],
    [5_000, '5 s'],
    [10_000, '10 s'],
    [30_000, '30 s'],
    [60_000, '1 min'],
    [300_000, '5 min'],
    [600_000, '10 min'],
    [1_800_000, '30 min'],
    [3_600_000, '1 h'],
    [6 * 3_600_000, '6 h'],
    [86_400_000, '1 day'],
    [7 * 86_400_000, '7 days'],
    [30 * 86_400_000, '30 days'],
];
const MAX_BUCKETS = 60;
/** Drawing units (the SVG scales to the page's width; bars have no text to stretch). */
const BAR_WIDTH = 10;
const HEIGHT = 100;

function svg(tag, attrs = {}, ...children) {
    const element = document.createElementNS(SVG, tag);
    for (const [key, value] of Object.entries(attrs)) element.setAttribute(key, String(value));
    for (const child of children) if (child) element.append(child);
    return element;
}

/** Buckets over the rows' created times (`createdMs`): start, and counts by status. */
export function bucketRows(rows) {
    const times = rows.map((row) => row.createdMs).filter(Number.isFinite);
    if (times.length === 0) return undefined;
    const first = Math.min(...times);
    const last = Math.max(...times);
    const [step, stepLabel] = STEPS.find(([size]) => (last - first) / size < MAX_BUCKETS) ?? STEPS[STEPS.length - 1];
    // Aligned to the local clock (a "1 h" bucket starts on the hour where the browser is).
    const offset = new Date(first).getTimezoneOffset() * 60_000;
    const start = Math.floor((first - offset) / step) * step + offset;
    const count = Math.floor((last - start) / step) + 1;
    const buckets = Array.from({ length: count }, (_, i) => ({ start: start + i * step, total: 0, byStatus: {} }));
    for (const row of rows) {
        if (!Number.isFinite(row.createdMs)) continue;
        const bucket = buckets[Math.floor((row.createdMs - start) / step)];
        if (!bucket) continue;
        bucket.total++;
        bucket.byStatus[row.runtimeStatus] = (bucket.byStatus[row.runtimeStatus] ?? 0) + 1;
    }
    return { step, stepLabel, buckets };
}

function countsText(byStatus) {
    return STATUSES.filter((status) => byStatus[status])
        .map((status) => `${byStatus[status]} ${status}`)
        .join(', ');
}

/** The histogram section; `update(rows)` redraws it (the table's open/closed state stays). */
export function createHistogram() {
    const chart = h('div', { class: 'histogram-chart' });
    const caption = h('p', { class: 'histogram-caption muted' });
    const tableBody = h('tbody');
    const details = h(
        'details',
        { class: 'histogram-table' },
        h('summary', {}, 'Counts per bucket as a table'),
        h(
            'table',
            {},
            h(
                'thead',
                {},
                h(
                    'tr',
                    {},
                    h('th', { scope: 'col' }, 'Started from'),
                    h('th', { scope: 'col', class: 'num' }, 'Instances'),
                    h('th', { scope: 'col' }, 'By status'),
                ),
            ),
            tableBody,
        ),
    );
    const element = h(
        'section',
        { class: 'histogram', 'aria-labelledby': 'histogram-title' },
        h('h2', { id: 'histogram-title' }, 'Started over time'),
        chart,
        caption,
        details,
    );

    function update(rows) {
        const model = bucketRows(rows);
        if (!model) {
            replaceContent(chart, h('p', { class: 'muted' }, 'No instances to chart.'));
            replaceContent(caption);
            replaceContent(tableBody);
            details.hidden = true;
            return;
        }
        details.hidden = false;
        const { buckets, step, stepLabel } = model;
        const max = Math.max(...buckets.map((bucket) => bucket.total));
        const totals = {};
        for (const bucket of buckets)
            for (const [status, n] of Object.entries(bucket.byStatus)) totals[status] = (totals[status] ?? 0) + n;
        const from = formatDateTime(new Date(buckets[0].start).toISOString());
        const to = formatDateTime(new Date(buckets[buckets.length - 1].start + step).toISOString());
        const label =
            `Instances started per ${stepLabel} from ${from} to ${to}: ${rows.length} in all (${countsText(totals)}); ` +
            `at most ${max} in one ${stepLabel}.`;
        const bars = buckets.map((bucket, index) => {
            let y = HEIGHT;
            const parts = STATUSES.filter((status) => bucket.byStatus[status]).map((status) => {
                const height = (bucket.byStatus[status] / max) * HEIGHT;
                y -= height;
                return svg('rect', {
                    x: index * BAR_WIDTH + 1,
                    y,
                    width: BAR_WIDTH - 2,
                    height,
                    class: `hist-bar status-fill-${status.toLowerCase()}`,
                    'data-status': status,
                    'data-count': bucket.byStatus[status],
                });
            });
            const when = formatDateTime(new Date(bucket.start).toISOString());
            const title = svg('title');
            title.textContent = `${when} (${stepLabel}): ${bucket.total} started${bucket.total ? ` — ${countsText(bucket.byStatus)}` : ''}`;
            return svg(
                'g',
                { 'data-bucket-start': new Date(bucket.start).toISOString(), 'data-total': bucket.total },
                title,
                // A full-height transparent target, so an empty or low bar still shows its title on hover.
                svg('rect', { x: index * BAR_WIDTH, y: 0, width: BAR_WIDTH, height: HEIGHT, class: 'hist-hover' }),
                ...parts,
            );
        });
        const drawing = svg(
            'svg',
            {
                viewBox: `0 0 ${buckets.length * BAR_WIDTH} ${HEIGHT}`,
                preserveAspectRatio: 'none',
                role: 'img',
                'aria-label': label,
                'data-total': rows.length,
                'data-buckets': buckets.length,
            },
            ...bars,
        );
        replaceContent(
            chart,
            drawing,
            h(
                'div',
                { class: 'histogram-axis', 'aria-hidden': 'true' },
                h('span', {}, from),
                h('span', {}, `per ${stepLabel}; tallest bar ${max}`),
                h('span', {}, to),
            ),
        );
        replaceContent(
            caption,
            h(
                'span',
                { class: 'histogram-legend' },
                STATUSES.filter((status) => totals[status]).map((status) =>
                    h(
                        'span',
                        { class: 'histogram-key', dataset: { status } },
                        h('span', { class: `histogram-swatch status-${status.toLowerCase()}`, 'aria-hidden': 'true' }),
                        `${status} ${totals[status]}`,
                    ),
                ),
            ),
        );
        replaceContent(
            tableBody,
            buckets
                .filter((bucket) => bucket.total > 0)
                .map((bucket) =>
                    h(
                        'tr',
                        {},
                        h('td', {}, formatDateTime(new Date(bucket.start).toISOString())),
                        h('td', { class: 'num' }, String(bucket.total)),
                        h('td', {}, countsText(bucket.byStatus)),
                    ),
                ),
        );
    }

    return { element, update };
}
