// One instance at /_devhost/instances/{id}: status, input, output and custom status; its timeline; its
// history; links to its parent and sub-orchestrations; and the management actions, each confirmed in a dialog.
// Refreshes every 1.5 s while the instance is Pending, Running or Suspended.
import { actions, ApiError, instanceDetail } from './api.js';
import { confirmAction } from './dialogs.js';
import {
    ACTIVE_STATUSES,
    formatDuration,
    formatTime,
    h,
    instanceHref,
    prettyValue,
    replaceContent,
    statusBadge,
    timeElement,
} from './dom.js';
import { startPolling } from './poller.js';
import { buildTimeline } from './timeline-model.js';
import { renderTimeline } from './timeline.js';
import { createWaitingFor } from './waiting-for.js';

const POLL_MS = 1500;
const HISTORY_PAGE = 200;
const CHILD_LINKS_SHOWN = 50;

export function renderInstancePage(main, instanceId) {
    document.title = `${instanceId} · Durable instances`;
    const header = h('section', { class: 'instance-header', 'aria-labelledby': 'instance-title' });
    const actionMessage = h('div', { class: 'notice', role: 'status' });
    const actionError = h('div', { class: 'error', role: 'alert', hidden: true });
    const values = h('section', { class: 'values', 'aria-label': 'Input, output and custom status' });
    const waitingFor = createWaitingFor(instanceId);
    const timeline = h('section', { class: 'timeline-section', 'aria-labelledby': 'timeline-title' });
    const historySection = h('section', { class: 'history', 'aria-labelledby': 'history-title' });
    const loadError = h('div', { class: 'error', role: 'alert', hidden: true });
    let detail;
    let fingerprint = '';
    let poller;

    const act = (label, options) =>
        h(
            'button',
            {
                type: 'button',
                class: options.danger ? 'danger' : 'secondary',
                dataset: { action: options.key },
                onclick: () => confirmAction(options),
            },
            label,
        );
    const succeeded = (message) => {
        actionError.hidden = true;
        actionMessage.replaceChildren(...(Array.isArray(message) ? message : [message]));
        void refresh(true);
    };
    const reasonField = [{ name: 'reason', label: 'Reason (optional)' }];
    const toolbar = h(
        'div',
        { class: 'actions', role: 'toolbar', 'aria-label': 'Instance actions' },
        act('Raise event…', {
            key: 'raise-event',
            title: 'Raise an event',
            text: 'Sends an external event to this instance. The data is JSON.',
            confirmLabel: 'Raise event',
            fields: [
                { name: 'eventName', label: 'Event name', required: true },
                { name: 'data', label: 'Data (JSON)', multiline: true, value: 'null' },
            ],
            run: async ({ eventName, data }) => {
                const parsed = JSON.parse(data.trim() === '' ? 'null' : data);
                await actions.raiseEvent(instanceId, eventName.trim(), parsed);
                succeeded(`Event '${eventName.trim()}' raised.`);
            },
        }),
        act('Suspend…', {
            key: 'suspend',
            title: 'Suspend this instance?',
            text: 'It stops processing until resumed; events raised meanwhile wait.',
            confirmLabel: 'Suspend',
            fields: reasonField,
            run: async ({ reason }) => {
                await actions.suspend(instanceId, reason);
                succeeded('Suspend requested.');
            },
        }),
        act('Resume…', {
            key: 'resume',
            title: 'Resume this instance?',
            text: 'It continues where it was suspended.',
            confirmLabel: 'Resume',
            fields: reasonField,
            run: async ({ reason }) => {
                await actions.resume(instanceId, reason);
                succeeded('Resume requested.');
            },
        }),
        act('Rewind…', {
            key: 'rewind',
            title: 'Rewind this failed instance?',
            text: 'Its failed activities run again; what succeeded keeps its results.',
            confirmLabel: 'Rewind',
            fields: reasonField,
            run: async ({ reason }) => {
                await actions.rewind(instanceId, reason);
                succeeded('Rewind requested.');
            },
        }),
        act('Restart…', {
            key: 'restart',
            title: 'Restart this orchestration?',
            text: 'Starts the same orchestration with the same input as a new instance.',
            confirmLabel: 'Restart',
            run: async () => {
                const { json } = await actions.restart(instanceId);
                const id = json && typeof json.id === 'string' ? json.id : undefined;
                succeeded(id ? ['Restarted as ', h('a', { href: instanceHref(id) }, id), '.'] : 'Restarted.');
            },
        }),
        act('Terminate…', {
            key: 'terminate',
            danger: true,
            title: 'Terminate this instance?',
            text: 'It stops for good with status Terminated. Activities already running still finish.',
            confirmLabel: 'Terminate',
            fields: reasonField,
            run: async ({ reason }) => {
                await actions.terminate(instanceId, reason);
                succeeded('Terminate requested.');
            },
        }),
        act('Purge…', {
            key: 'purge',
            danger: true,
            title: 'Purge this instance?',
            text: 'Deletes its status row, its history and its large payloads. This cannot be undone.',
            confirmLabel: 'Purge',
            run: async () => {
                await actions.purge(instanceId);
                poller?.stop();
                location.assign(`/_devhost/?purged=${encodeURIComponent(instanceId)}`);
            },
        }),
    );

    replaceContent(
        main,
        h('p', { class: 'crumbs' }, h('a', { href: '/_devhost/' }, '← All instances')),
        header,
        loadError,
        toolbar,
        actionMessage,
        actionError,
        waitingFor.element,
        values,
        timeline,
        historySection,
    );

    function render() {
        const { instance, history } = detail;
        const children = history.filter((event) => event.EventType === 'SubOrchestrationInstanceCreated');
        const end = ACTIVE_STATUSES.has(instance.runtimeStatus) ? Date.now() : Date.parse(instance.lastUpdatedTime);
        replaceContent(
            header,
            h('h1', { id: 'instance-title' }, instance.name, ' ', statusBadge(instance.runtimeStatus)),
            h(
                'dl',
                { class: 'facts' },
                fact('Instance id', h('span', { class: 'mono' }, instance.instanceId)),
                fact('Execution id', h('span', { class: 'mono' }, instance.executionId)),
                fact('Version', h('span', { class: 'mono', id: 'instance-version' }, instance.version || '(none)')),
                fact('Status', h('span', { id: 'runtime-status' }, instance.runtimeStatus)),
                fact('Created', timeElement(instance.createdTime)),
                fact('Last updated', timeElement(instance.lastUpdatedTime)),
                fact('Duration', formatDuration(end - Date.parse(instance.createdTime))),
                instance.parentInstanceId
                    ? fact(
                          'Parent',
                          h(
                              'a',
                              { href: instanceHref(instance.parentInstanceId), class: 'mono' },
                              instance.parentInstanceId,
                          ),
                      )
                    : null,
                children.length > 0
                    ? fact(
                          'Sub-orchestrations',
                          h(
                              'ul',
                              { class: 'children' },
                              children
                                  .slice(0, CHILD_LINKS_SHOWN)
                                  .map((event) =>
                                      h(
                                          'li',
                                          {},
                                          h(
                                              'a',
                                              { href: instanceHref(String(event.InstanceId)) },
                                              `${event.Name} ${event.InstanceId}`,
                                          ),
                                      ),
                                  ),
                              children.length > CHILD_LINKS_SHOWN
                                  ? h('li', {}, `and ${children.length - CHILD_LINKS_SHOWN} more`)
                                  : null,
                          ),
                      )
                    : null,
            ),
            detail.waiting
                ? h(
                      'p',
                      { class: 'waiting-note', id: 'version-waiting', role: 'status' },
                      `Waiting: ${detail.waiting.reason} Its messages wait on the queue for a host that runs it; ` +
                          `next try about ${formatTime(Date.parse(detail.waiting.retryAt))}.`,
                  )
                : null,
        );
        replaceContent(
            values,
            valueBlock('Input', instance.input, 'input'),
            valueBlock(
                instance.runtimeStatus === 'Failed' ? 'Output (failure)' : 'Output',
                instance.output,
                'output',
                instance.runtimeStatus === 'Failed',
            ),
            valueBlock('Custom status', instance.customStatus, 'custom-status'),
        );
        const model = buildTimeline(history, end);
        replaceContent(timeline, h('h2', { id: 'timeline-title' }, 'Timeline'), renderTimeline(model));
        renderHistory(history);
        main.dataset.timelineReady = 'true';
        performance.mark('viewer:rendered');
    }

    function renderHistory(history) {
        const body = h('tbody');
        let shown = 0;
        const more = h('button', { type: 'button', class: 'secondary' });
        const showMore = () => {
            const next = history.slice(shown, shown + HISTORY_PAGE);
            body.append(...next.map((event, index) => historyRow(event, shown + index)));
            shown += next.length;
            more.hidden = shown >= history.length;
            more.textContent = `Show ${Math.min(HISTORY_PAGE, history.length - shown)} more (${history.length - shown} not shown)`;
        };
        more.addEventListener('click', showMore);
        showMore();
        replaceContent(
            historySection,
            h('h2', { id: 'history-title' }, `History (${history.length} events)`),
            h(
                'div',
                { class: 'table-wrap' },
                h(
                    'table',
                    { class: 'history-table' },
                    h(
                        'thead',
                        {},
                        h(
                            'tr',
                            {},
                            ['#', 'Event', 'Name', 'Time', 'Details'].map((title) => h('th', { scope: 'col' }, title)),
                        ),
                    ),
                    body,
                ),
            ),
            more,
        );
    }

    async function refresh(force = false) {
        try {
            const next = await instanceDetail(instanceId);
            performance.mark('viewer:detail-loaded');
            if (!next) {
                poller?.stop();
                replaceContent(
                    header,
                    h('h1', { id: 'instance-title' }, 'Instance not found'),
                    h('p', {}, `There is no instance '${instanceId}' in this task hub.`),
                );
                toolbar.hidden = true;
                replaceContent(values);
                replaceContent(timeline);
                replaceContent(historySection);
                main.dataset.timelineReady = 'true';
                return;
            }
            loadError.hidden = true;
            const print = `${next.instance.runtimeStatus}|${next.instance.lastUpdatedTime}|${next.history.length}|${next.instance.customStatus}|${next.waiting?.retryAt ?? ''}`;
            detail = next;
            if (force || print !== fingerprint) {
                fingerprint = print;
                render();
            }
            void waitingFor.update(next.instance.runtimeStatus);
            if (ACTIVE_STATUSES.has(next.instance.runtimeStatus)) poller ??= startPolling(() => refresh(), POLL_MS);
            else {
                poller?.stop();
                poller = undefined;
            }
        } catch (error) {
            loadError.hidden = false;
            loadError.textContent = error instanceof ApiError ? error.message : String(error);
        }
    }

    void refresh(true);
}

function fact(term, value) {
    return h('div', {}, h('dt', {}, term), h('dd', {}, value));
}

function valueBlock(title, text, key, failed = false) {
    return h(
        'div',
        { class: `value-block${failed ? ' failed' : ''}`, dataset: { value: key } },
        h('h2', {}, title),
        h('pre', { tabindex: 0 }, prettyValue(text)),
    );
}

const DETAIL_KEYS = [
    'Input',
    'Result',
    'Reason',
    'FireAt',
    'InstanceId',
    'TaskScheduledId',
    'TimerId',
    'OrchestrationStatus',
];

function historyRow(event, index) {
    const details = [];
    for (const key of DETAIL_KEYS) {
        if (event[key] === undefined || event[key] === null) continue;
        const text = typeof event[key] === 'string' ? event[key] : JSON.stringify(event[key]);
        details.push(`${key}: ${text.length > 160 ? `${text.slice(0, 160)}…` : text}`);
    }
    const failure =
        event.FailureDetails && typeof event.FailureDetails === 'object'
            ? event.FailureDetails.ErrorMessage
            : undefined;
    if (failure) details.push(`Error: ${failure}`);
    const failed = typeof event.EventType === 'string' && event.EventType.endsWith('Failed');
    return h(
        'tr',
        { class: failed ? 'failed' : '' },
        h('td', { class: 'num' }, String(index)),
        h('td', {}, String(event.EventType)),
        h('td', {}, String(event.Name ?? '')),
        h('td', { class: 'mono time' }, formatTime(Date.parse(String(event.Timestamp)))),
        h('td', { class: 'details' }, details.join('; ')),
    );
}
