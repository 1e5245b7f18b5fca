// The entities page (/_devhost/entities): every entity of the task hub by name and key, with its state and last
// operation time, filtered by name, refreshed every 2 s; deleted (empty) entities are listed as such. And one
// entity's own view (/_devhost/entities/{@name@key}): its state as the Durable HTTP API answers it, its lock and
// queued requests, and a link to its history on the instance page. The list comes from the viewer's read route
// /_devhost/api/entities (the HTTP API lists one name at a time and leaves deleted entities out).
import { ApiError, call, DURABLE_API } from './api.js';
import { formatDateTime, h, instanceHref, prettyValue, replaceContent, timeElement } from './dom.js';
import { startPolling } from './poller.js';
import { entityHref } from './waiting-for.js';

const POLL_MS = 2000;
const STATE_PREVIEW = 120;

export function renderEntitiesPage(main) {
    document.title = 'Entities · devhost';
    let name = new URLSearchParams(location.search).get('name') ?? '';
    const errorBox = h('div', { class: 'error', role: 'alert', hidden: true });
    const countLine = h('p', { class: 'count', id: 'entity-count' });
    const tableBody = h('tbody');
    const updated = h('p', { class: 'updated' });
    const nameInput = h('input', { name: 'name', type: 'search', value: name, placeholder: 'e.g. counter' });
    const form = h(
        'form',
        {
            class: 'filters',
            'aria-label': 'Filter entities',
            onsubmit: (event) => {
                event.preventDefault();
                name = nameInput.value.trim();
                history.replaceState(null, '', `/_devhost/entities${name ? `?${new URLSearchParams({ name })}` : ''}`);
                void refresh();
            },
        },
        h('label', {}, h('span', {}, 'Entity name'), nameInput),
        h('div', { class: 'filter-buttons' }, h('button', { type: 'submit' }, 'Apply')),
    );
    replaceContent(
        main,
        h('p', { class: 'crumbs' }, h('a', { href: '/_devhost/' }, '← All instances')),
        h('h1', {}, 'Entities'),
        errorBox,
        form,
        countLine,
        h(
            'div',
            { class: 'table-wrap' },
            h(
                'table',
                { class: 'entities', 'aria-describedby': 'entity-count' },
                h(
                    'thead',
                    {},
                    h(
                        'tr',
                        {},
                        ['Name', 'Key', 'State', 'Last operation', 'Lock'].map((title) =>
                            h('th', { scope: 'col' }, title),
                        ),
                    ),
                ),
                tableBody,
            ),
        ),
        updated,
    );

    async function refresh() {
        try {
            const { json } = await call('GET', `/_devhost/api/entities?${new URLSearchParams({ name })}`);
            errorBox.hidden = true;
            const { entities, truncated } = json;
            const deleted = entities.filter((entity) => !entity.exists).length;
            countLine.textContent =
                `${entities.length}${truncated ? '+' : ''} ${entities.length === 1 ? 'entity' : 'entities'}` +
                (deleted > 0 ? ` (${deleted} deleted, empty: no state, lock or queued request)` : '') +
                (name ? ` named like '${name}'` : '');
            replaceContent(
                tableBody,
                entities.length === 0
                    ? h('tr', {}, h('td', { class: 'empty', colspan: 5 }, 'No entities.'))
                    : entities.map(entityRow),
            );
            updated.textContent = `Updated ${formatDateTime(new Date().toISOString())}`;
        } catch (error) {
            errorBox.hidden = false;
            errorBox.textContent = error instanceof ApiError ? error.message : String(error);
        }
    }

    void refresh();
    startPolling(refresh, POLL_MS);
}

function entityRow(entity) {
    const state = entity.exists
        ? compact(entity.state, entity.stateTruncated)
        : h('span', { class: 'badge entity-deleted' }, 'deleted');
    return h(
        'tr',
        { dataset: { entity: entity.instanceId } },
        h('td', {}, entity.name),
        h(
            'td',
            {},
            h(
                'a',
                { href: entityHref(entity.instanceId), class: 'mono' },
                entity.key === '' ? '(empty key)' : entity.key,
            ),
        ),
        h('td', { class: 'mono entity-state' }, state),
        h('td', {}, timeElement(entity.lastOperationTime)),
        h(
            'td',
            {},
            entity.lockedBy
                ? ['locked by ', h('a', { href: instanceHref(entity.lockedBy), class: 'mono' }, entity.lockedBy)]
                : '',
            entity.queued > 0 ? ` (${entity.queued} queued)` : '',
        ),
    );
}

function compact(text, truncated) {
    if (text === null) return 'null';
    let shown = text;
    try {
        shown = JSON.stringify(JSON.parse(text));
    } catch {
        // cut JSON (a long state): shown as it is
    }
    return shown.length > STATE_PREVIEW || truncated ? `${shown.slice(0, STATE_PREVIEW)}…` : shown;
}

export function renderEntityPage(main, instanceId) {
    document.title = `${instanceId} · Entities`;
    const at = instanceId.indexOf('@', 1);
    const name = instanceId.slice(1, at);
    const key = instanceId.slice(at + 1);
    const facts = h('dl', { class: 'facts' });
    const stateBlock = h('pre', { tabindex: 0, id: 'entity-state' });
    const errorBox = h('div', { class: 'error', role: 'alert', hidden: true });
    replaceContent(
        main,
        h('p', { class: 'crumbs' }, h('a', { href: '/_devhost/entities' }, '← All entities')),
        h(
            'h1',
            { id: 'entity-title' },
            `Entity ${name}`,
            ' ',
            h('span', { class: 'mono' }, key === '' ? '(empty key)' : key),
        ),
        errorBox,
        facts,
        h(
            'section',
            { class: 'value-block', 'aria-labelledby': 'entity-state-title' },
            h('h2', { id: 'entity-state-title' }, 'State'),
            stateBlock,
        ),
    );

    async function refresh() {
        try {
            // The state through the Durable HTTP API (404: the entity does not exist); the rest from the viewer.
            const stateUrl = `${DURABLE_API}/entities/${encodeURIComponent(name)}/${encodeURIComponent(key === '' ? '$' : key)}`;
            const [row, state] = await Promise.all([
                call('GET', `/_devhost/api/entities/${encodeURIComponent(instanceId)}`).then(
                    ({ json }) => json,
                    (error) => (error instanceof ApiError && error.status === 404 ? undefined : Promise.reject(error)),
                ),
                call('GET', stateUrl).then(
                    ({ json }) => ({ json }),
                    (error) => (error instanceof ApiError && error.status === 404 ? undefined : Promise.reject(error)),
                ),
            ]);
            errorBox.hidden = true;
            stateBlock.textContent = state
                ? prettyValue(state.json)
                : 'No state: the entity does not exist (never given one, or deleted).';
            replaceContent(
                facts,
                fact('Name', name),
                fact('Key', h('span', { class: 'mono' }, key)),
                fact('Exists', row?.exists ? 'yes' : 'no'),
                fact('Last operation', row ? timeElement(row.lastOperationTime) : '—'),
                fact(
                    'Locked by',
                    row?.lockedBy
                        ? h('a', { href: instanceHref(row.lockedBy), class: 'mono' }, row.lockedBy)
                        : 'nobody',
                ),
                fact('Queued requests', String(row?.queued ?? 0)),
                fact(
                    'History',
                    row ? h('a', { href: instanceHref(instanceId) }, 'its operations on the instance page') : '—',
                ),
            );
        } catch (error) {
            errorBox.hidden = false;
            errorBox.textContent = error instanceof ApiError ? error.message : String(error);
        }
    }

    void refresh();
    startPolling(refresh, POLL_MS);
}

function fact(term, value) {
    return h('div', {}, h('dt', {}, term), h('dd', {}, value));
}
