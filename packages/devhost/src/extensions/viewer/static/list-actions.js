// The list's actions: start an instance, and purge what the current filter selects. Both go to the Durable
// HTTP API from the dialogs; the purge button is off, with the reason next to it, while the filter has parts
// the API's purge cannot apply.
import { h } from './dom.js';
import { openPurgeDialog, purgeBlocker } from './purge-dialog.js';
import { openStartDialog } from './start-dialog.js';

/**
 * @param {{ filter: () => object, report: (message: string) => void, showError: (error: unknown) => void }} page
 *   the list's current filter, where to say what a purge did (the page then refreshes), and where errors go
 */
export function createListActions(page) {
    const purgeNote = h('p', { class: 'purge-note', id: 'purge-note', hidden: true });
    const purgeButton = h(
        'button',
        {
            type: 'button',
            class: 'danger',
            'data-action': 'purge-filter',
            'aria-describedby': 'purge-note',
            onclick: () => void openPurgeDialog(page.filter(), page.report, page.showError),
        },
        'Purge by filter…',
    );
    const element = h(
        'div',
        { class: 'list-actions' },
        h(
            'button',
            { type: 'button', 'data-action': 'start', onclick: () => void openStartDialog(page.showError) },
            'Start an instance…',
        ),
        purgeButton,
        purgeNote,
    );

    /** Call after the filter changes. */
    function update() {
        const blocker = purgeBlocker(page.filter());
        purgeButton.disabled = blocker !== undefined;
        purgeNote.hidden = blocker === undefined;
        purgeNote.textContent = blocker ?? '';
    }

    return { element, update };
}
