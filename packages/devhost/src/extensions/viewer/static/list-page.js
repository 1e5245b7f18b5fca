// The instances page: the task hub summary (counts by status, queue depths), filters, and the instances
// table, newest first, paged, refreshed every two seconds while the page is open. Versions come from the hub
// summary (the HTTP API's status payload has none), and so do the instances this host turns away by version
// and the created and end times with milliseconds (the payload's are whole seconds).
import { ApiError, hubSummary, listInstances } from './api.js';
import {
    ACTIVE_STATUSES,
    formatDateTime,
    h,
    instanceHref,
    replaceContent,
    STATUSES,
    statusBadge,
    timeElement,
} from './dom.js';
import { createHistogram } from './histogram.js';
import { createListActions } from './list-actions.js';
import { customStatusCell, durationCell, withTimes } from './list-columns.js';
import { startPolling } from './poller.js';

const PAGE_SIZE = 25;
const LIST_CAP = 10_000;
const POLL_MS = 2000;

function readFilter() {
    const params = new URLSearchParams(location.search);
    return {
        status: params.get('status') ?? '',
        name: params.get('name') ?? '',
        prefix: params.get('prefix') ?? '',
        from: params.get('from') ?? '',
        to: params.get('to') ?? '',
        version: params.get('version') ?? '',
        page: Math.max(1, Number.parseInt(params.get('page') ?? '1', 10) || 1),
    };
}

function writeFilter(filter) {
    const params = new URLSearchParams();
    for (const key of ['status', 'name', 'prefix', 'from', 'to', 'version'])
        if (filter[key]) params.set(key, filter[key]);
    if (filter.page > 1) params.set('page', String(filter.page));
    const search = params.toString();
    history.replaceState(null, '', `/_devhost/${search ? `?${search}` : ''}`);
}

export function renderListPage(main) {
    document.title = 'Durable instances · devhost';
    let filter = readFilter();
    let rows = [];
    let truncated = false;
    let listed = [];
    /** From the hub summary: version by instance id, and the instances this host turns away, by id. */
    let versions = {};
    let rejected = new Map();
    /** From the hub summary: [created, end] in epoch ms by instance id (the list's own times are whole seconds). */
    let times = {};

    const notice = h('div', { class: 'notice', role: 'status' });
    const purged = new URLSearchParams(location.search).get('purged');
    if (purged) {
        notice.textContent = `Instance ${purged} was purged.`;
        writeFilter(filter); // drops ?purged= so a reload does not repeat the notice
    }
    const errorBox = h('div', { class: 'error', role: 'alert', hidden: true });
    const summaryBox = h('section', { class: 'summary', 'aria-labelledby': 'summary-title' });
    const tableBody = h('tbody');
    const pager = h('nav', { class: 'pager', 'aria-label': 'Pages' });
    const countLine = h('p', { class: 'count', id: 'instance-count' });
    const updated = h('p', { class: 'updated' });

    const field = (label, input) => h('label', {}, h('span', {}, label), input);
    const statusSelect = h(
        'select',
        { name: 'status' },
        h('option', { value: '' }, 'Any status'),
        STATUSES.map((status) => h('option', { value: status, selected: filter.status === status }, status)),
    );
    const nameInput = h('input', {
        name: 'name',
        type: 'search',
        value: filter.name,
        placeholder: 'e.g. order_processing',
    });
    const prefixInput = h('input', {
        name: 'prefix',
        type: 'search',
        value: filter.prefix,
        placeholder: 'id starts with',
    });
    const fromInput = h('input', { name: 'from', type: 'datetime-local', step: '1', value: filter.from });
    const toInput = h('input', { name: 'to', type: 'datetime-local', step: '1', value: filter.to });
    const versionInput = h('input', {
        name: 'version',
        type: 'search',
        value: filter.version,
        placeholder: 'e.g. 2.0, or (none)',
    });
    const form = h(
        'form',
        {
            class: 'filters',
            'aria-label': 'Filter instances',
            onsubmit: (event) => {
                event.preventDefault();
                filter = {
                    status: statusSelect.value,
                    name: nameInput.value.trim(),
                    prefix: prefixInput.value.trim(),
                    from: fromInput.value,
                    to: toInput.value,
                    version: versionInput.value.trim(),
                    page: 1,
                };
                writeFilter(filter);
                listActions.update();
                void refresh();
            },
        },
        field('Status', statusSelect),
        field('Orchestrator name', nameInput),
        field('Instance id prefix', prefixInput),
        field('Created from (local time)', fromInput),
        field('Created to (local time)', toInput),
        field('Version', versionInput),
        h(
            'div',
            { class: 'filter-buttons' },
            h('button', { type: 'submit' }, 'Apply'),
            h(
                'button',
                {
                    type: 'button',
                    class: 'secondary',
                    onclick: () => {
                        for (const input of [nameInput, prefixInput, fromInput, toInput, versionInput])
                            input.value = '';
                        statusSelect.value = '';
                        form.requestSubmit();
                    },
                },
                'Clear',
            ),
        ),
    );

    const histogram = createHistogram();
    const listActions = createListActions({
        filter: () => filter,
        report: (message) => {
            notice.textContent = message;
            void refresh();
        },
        showError: (error) => showError(error),
    });

    replaceContent(
        main,
        h('h1', {}, 'Orchestration instances'),
        notice,
        errorBox,
        summaryBox,
        form,
        listActions.element,
        histogram.element,
        countLine,
        h(
            'div',
            { class: 'table-wrap' },
            h(
                'table',
                { class: 'instances', 'aria-describedby': 'instance-count' },
                h(
                    'thead',
                    {},
                    h(
                        'tr',
                        {},
                        [
                            'Name',
                            'Version',
                            'Instance id',
                            'Status',
                            'Custom status',
                            'Created',
                            'Last updated',
                            'Duration',
                        ].map((title) => h('th', { scope: 'col' }, title)),
                    ),
                ),
                tableBody,
            ),
        ),
        pager,
        updated,
    );

    function renderRows() {
        const pages = Math.max(1, Math.ceil(rows.length / PAGE_SIZE));
        if (filter.page > pages) filter.page = pages;
        const shown = rows.slice((filter.page - 1) * PAGE_SIZE, filter.page * PAGE_SIZE);
        const now = Date.now();
        replaceContent(
            tableBody,
            shown.length === 0
                ? h('tr', {}, h('td', { colspan: 8, class: 'empty' }, 'No instances match.'))
                : shown.map((row) => {
                      const waiting = rejected.get(row.instanceId);
                      return h(
                          'tr',
                          { dataset: { instanceId: row.instanceId, status: row.runtimeStatus } },
                          h('td', {}, row.name),
                          h('td', { class: 'mono', dataset: { version: row.version } }, row.version || '—'),
                          h('td', { class: 'mono' }, h('a', { href: instanceHref(row.instanceId) }, row.instanceId)),
                          h(
                              'td',
                              {},
                              statusBadge(row.runtimeStatus),
                              waiting
                                  ? h('span', { class: 'waiting-note', title: waiting.reason }, ' waiting: version')
                                  : null,
                          ),
                          customStatusCell(row.customStatus),
                          h('td', {}, timeElement(row.createdTime)),
                          h('td', {}, timeElement(row.lastUpdatedTime)),
                          durationCell(row, now),
                      );
                  }),
        );
        countLine.textContent =
            `${rows.length} instance${rows.length === 1 ? '' : 's'}` +
            (truncated ? ` (the first ${LIST_CAP} read; narrow the filter to see others)` : '') +
            `, newest first. Page ${filter.page} of ${pages}.`;
        const goTo = (page) => () => {
            filter.page = page;
            writeFilter(filter);
            renderRows();
        };
        replaceContent(
            pager,
            h(
                'button',
                { type: 'button', class: 'secondary', disabled: filter.page <= 1, onclick: goTo(filter.page - 1) },
                '← Newer',
            ),
            h('span', {}, `Page ${filter.page} of ${pages}`),
            h(
                'button',
                { type: 'button', class: 'secondary', disabled: filter.page >= pages, onclick: goTo(filter.page + 1) },
                'Older →',
            ),
        );
    }

    /** Instances start-up recovery keeps failing on (it tries them again with back-off): shown until it succeeds. */
    function recoveryWarning(recovery) {
        const stuck = recovery?.unrecovered ?? [];
        if (stuck.length === 0) return [];
        return h(
            'div',
            { class: 'recovery-warning', role: 'alert' },
            h('h3', {}, `Recovery is still trying ${stuck.length} instance${stuck.length === 1 ? '' : 's'}`),
            h(
                'ul',
                {},
                stuck.map((item) =>
                    h(
                        'li',
                        { dataset: { instance: item.instanceId } },
                        h('a', { href: instanceHref(item.instanceId), class: 'mono' }, item.instanceId),
                        ` (attempt ${item.attempts}): ${item.error}`,
                    ),
                ),
            ),
        );
    }

    /** This host's versioning settings, and the instances it turns away by version (they wait on the queue). */
    function versioningNote(versioning) {
        if (!versioning) return [];
        const waiting = versioning.rejected ?? [];
        return h(
            'div',
            { class: 'versioning-note', dataset: { waiting: String(waiting.length) } },
            h(
                'p',
                {},
                `Orchestration version of this host: ${versioning.defaultVersion || '(none)'} ` +
                    `(versionMatchStrategy ${versioning.matchStrategy}, versionFailureStrategy ${versioning.failureStrategy}).`,
            ),
            waiting.length === 0
                ? null
                : h(
                      'ul',
                      {},
                      waiting.map((item) =>
                          h(
                              'li',
                              { dataset: { instance: item.instanceId } },
                              h('a', { href: instanceHref(item.instanceId), class: 'mono' }, item.instanceId),
                              ` waits: ${item.reason} Next try about ${formatDateTime(item.retryAt)}.`,
                          ),
                      ),
                  ),
        );
    }

    function renderSummary(summary) {
        document.getElementById('hub-name').textContent = `Task hub ${summary.hubName}`;
        const counts = STATUSES.filter(
            (status) =>
                (summary.countsByStatus[status] ?? 0) > 0 ||
                ACTIVE_STATUSES.has(status) ||
                status === 'Completed' ||
                status === 'Failed',
        );
        replaceContent(
            summaryBox,
            h('h2', { id: 'summary-title' }, `Task hub ${summary.hubName}`),
            recoveryWarning(summary.recovery),
            versioningNote(summary.versioning),
            h(
                'div',
                { class: 'summary-grid' },
                h(
                    'div',
                    {},
                    h('h3', {}, `Instances by status (${summary.total}${summary.complete ? '' : '+'})`),
                    h(
                        'ul',
                        { class: 'counts' },
                        counts.map((status) =>
                            h(
                                'li',
                                { dataset: { status } },
                                h(
                                    'button',
                                    {
                                        type: 'button',
                                        class: 'count-button',
                                        title: `Show ${status} instances`,
                                        onclick: () => {
                                            statusSelect.value = status;
                                            form.requestSubmit();
                                        },
                                    },
                                    statusBadge(status),
                                    h('span', { class: 'count-value' }, String(summary.countsByStatus[status] ?? 0)),
                                ),
                            ),
                        ),
                    ),
                ),
                h(
                    'div',
                    {},
                    h('h3', {}, 'Messages waiting'),
                    summary.queuesError
                        ? h('p', { class: 'muted' }, `Queue depths unavailable: ${summary.queuesError}`)
                        : h(
                              'table',
                              { class: 'queues' },
                              h(
                                  'thead',
                                  {},
                                  h(
                                      'tr',
                                      {},
                                      h('th', { scope: 'col' }, 'Queue'),
                                      h('th', { scope: 'col', class: 'num' }, 'Messages'),
                                  ),
                              ),
                              h(
                                  'tbody',
                                  {},
                                  summary.queues.map((queue) =>
                                      h(
                                          'tr',
                                          { dataset: { queue: queue.name } },
                                          h('td', { class: 'mono' }, queue.name),
                                          h('td', { class: 'num' }, String(queue.approximateMessageCount)),
                                      ),
                                  ),
                              ),
                          ),
                ),
            ),
        );
    }

    function showError(error) {
        errorBox.hidden = false;
        errorBox.textContent = error instanceof ApiError ? error.message : `Unexpected error: ${String(error)}`;
    }

    async function refresh() {
        const [list, summary] = await Promise.allSettled([listInstances(filter, LIST_CAP), hubSummary()]);
        if (summary.status === 'fulfilled') {
            versions = summary.value.versions ?? {};
            times = summary.value.times ?? {};
            rejected = new Map((summary.value.versioning?.rejected ?? []).map((item) => [item.instanceId, item]));
            renderSummary(summary.value);
        }
        if (list.status === 'fulfilled') {
            listed = list.value.instances;
            truncated = list.value.truncated;
        }
        if (list.status === 'fulfilled' || summary.status === 'fulfilled') {
            // Newest first to the millisecond (the list arrives sorted by whole seconds).
            rows = withTimes(withVersions(listed, versions, filter.version), times).sort(
                (a, b) => b.createdMs - a.createdMs || String(a.instanceId).localeCompare(b.instanceId),
            );
            renderRows();
            histogram.update(rows);
        }
        const failure = [list, summary].find((result) => result.status === 'rejected');
        if (failure) showError(failure.reason);
        else errorBox.hidden = true;
        updated.textContent = `Updated ${formatDateTime(new Date().toISOString())}; refreshes every ${POLL_MS / 1000} s.`;
        main.dataset.loaded = 'true';
    }

    listActions.update();
    void refresh();
    startPolling(refresh, POLL_MS);
}

/**
 * The rows with their versions, filtered by version: exactly the text given ("(none)" for instances without
 * one), as Strict matching compares versions.
 */
function withVersions(instances, versions, wanted) {
    const rows = instances.map((row) => ({
        ...row,
        version: Object.prototype.hasOwnProperty.call(versions, row.instanceId) ? versions[row.instanceId] : '',
    }));
    if (!wanted) return rows;
    const match = wanted === '(none)' ? '' : wanted;
    return rows.filter((row) => row.version === match);
}
