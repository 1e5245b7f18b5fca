// The instance page's "Waiting for" section, for an instance that is Pending, Running or Suspended: its open
// activities and sub-orchestrations, timers and when they fire, the entity answers and external events it awaits,
// the messages queued for it, and why this devhost does not run it when it does not. From the viewer's read route
// /_devhost/api/instances/{id}/waiting (waiting-for.ts on the server says where each part comes from).
import { ApiError, call } from './api.js';
import { ACTIVE_STATUSES, formatDuration, h, instanceHref, replaceContent, timeElement } from './dom.js';

const SHOWN = 50;

export function entityHref(instanceId) {
    return `/_devhost/entities/${encodeURIComponent(instanceId)}`;
}

/** The section and its update, called with every refresh of the instance page. */
export function createWaitingFor(instanceId) {
    const section = h('section', {
        class: 'waiting-for',
        id: 'waiting-for',
        'aria-labelledby': 'waiting-title',
        hidden: true,
    });
    let busy = false;

    async function update(runtimeStatus) {
        if (!ACTIVE_STATUSES.has(runtimeStatus)) {
            section.hidden = true;
            replaceContent(section);
            return;
        }
        if (busy) return;
        busy = true;
        try {
            const { json } = await call('GET', `/_devhost/api/instances/${encodeURIComponent(instanceId)}/waiting`);
            render(json);
        } catch (error) {
            section.hidden = false;
            replaceContent(
                section,
                h('h2', { id: 'waiting-title' }, 'Waiting for'),
                h('p', { class: 'error', role: 'alert' }, error instanceof ApiError ? error.message : String(error)),
            );
        } finally {
            busy = false;
        }
    }

    function render(waiting) {
        const now = Date.parse(waiting.asOf);
        const groups = [
            group('not-running', 'Not run by this devhost', waiting.notRunning, 'warning'),
            group(
                'tasks',
                'Tasks in flight',
                waiting.tasks.map((task) =>
                    task.kind === 'subOrchestration'
                        ? [
                              'Sub-orchestration ',
                              h('strong', {}, task.name),
                              ' ',
                              h('a', { href: instanceHref(task.instanceId), class: 'mono' }, task.instanceId),
                              `, started ${since(task.scheduledTime, now)}`,
                          ]
                        : [
                              'Activity ',
                              h('strong', {}, task.name),
                              ` (task ${task.taskId}), scheduled ${since(task.scheduledTime, now)}`,
                          ],
                ),
            ),
            group(
                'timers',
                'Timers',
                waiting.timers.map((timer) => [
                    `Timer ${timer.timerId} fires at `,
                    timeElement(timer.fireAt),
                    ` (${until(timer.fireAt, now)})`,
                ]),
            ),
            group('events', 'External events', eventItems(waiting.events)),
            group(
                'entities',
                'Entity answers',
                waiting.entities.map((entity) => [
                    entity.operation === null ? 'Lock on ' : `Operation '${entity.operation}' on `,
                    h('a', { href: entityHref(entity.entityId), class: 'mono' }, entity.entityId),
                    `, sent ${since(entity.sentTime, now)}`,
                ]),
            ),
            group(
                'messages',
                'Messages not yet processed',
                waiting.messages.map((message) => [
                    h('strong', {}, message.eventType),
                    message.name ? ` '${message.name}'` : '',
                    message.where === 'held'
                        ? ': received by this devhost, waiting for the instance’s next episode'
                        : ': on its control queue, not taken by any host',
                    message.insertedOn ? [' since ', timeElement(message.insertedOn)] : '',
                ]),
                undefined,
                waiting.messagesNote,
            ),
        ].filter(Boolean);
        section.hidden = false;
        replaceContent(
            section,
            h('h2', { id: 'waiting-title' }, 'Waiting for'),
            groups.length > 0
                ? groups
                : h('p', { class: 'muted', id: 'waiting-nothing' }, 'Nothing open: no task, timer, event or message.'),
        );
    }

    return { element: section, update };
}

function eventItems(events) {
    if (!events.known)
        return [h('span', { class: 'muted', dataset: { events: 'unknown' } }, `Events: ${events.reason}`)];
    return events.names.map((event) => [
        'External event ',
        h('strong', { class: 'mono' }, event.name),
        event.waiters > 1 ? ` (${event.waiters} waits)` : '',
    ]);
}

/** A titled list, or null when it has nothing (a note alone still shows). */
function group(key, title, items, tone, note) {
    if (items.length === 0 && !note) return null;
    const headingId = `waiting-${key}-title`;
    return h(
        'div',
        { class: `waiting-group${tone ? ` ${tone}` : ''}`, dataset: { waiting: key } },
        h('h3', { id: headingId }, title),
        items.length > 0
            ? h(
                  'ul',
                  { 'aria-labelledby': headingId },
                  items.slice(0, SHOWN).map((item) => h('li', {}, item)),
                  items.length > SHOWN ? h('li', { class: 'muted' }, `and ${items.length - SHOWN} more`) : null,
              )
            : null,
        note ? h('p', { class: 'muted' }, note) : null,
    );
}

function since(iso, now) {
    return `${formatDuration(now - Date.parse(iso))} ago`;
}

function until(iso, now) {
    const ms = Date.parse(iso) - now;
    return ms <= 0 ? `due ${formatDuration(-ms)} ago` : `in ${formatDuration(ms)}`;
}
