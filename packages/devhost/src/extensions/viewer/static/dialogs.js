// Confirmation dialogs for the instance actions: a native <dialog> (focus is trapped and Escape cancels),
// labelled fields, and the API's error shown inside the dialog, which stays open so the action can be retried.
import { ApiError } from './api.js';
import { h } from './dom.js';

let nextId = 0;

/**
 * @param {{ title: string, text: string, confirmLabel: string, danger?: boolean,
 *   fields?: Array<{ name: string, label: string, multiline?: boolean, value?: string, required?: boolean,
 *     options?: string[], placeholder?: string, hint?: string }>,
 *   run: (values: Record<string, string>) => Promise<void> }} options
 */
export function confirmAction(options) {
    const titleId = `dialog-title-${++nextId}`;
    const errorLine = h('p', { class: 'error', role: 'alert', hidden: true });
    const inputs = (options.fields ?? []).map((field) => {
        const id = `field-${nextId}-${field.name}`;
        const hintId = field.hint ? `${id}-hint` : undefined;
        const input = field.options
            ? h(
                  'select',
                  { id, name: field.name, required: field.required, 'aria-describedby': hintId },
                  field.options.map((option) =>
                      h('option', { value: option, selected: option === field.value }, option),
                  ),
              )
            : field.multiline
              ? h(
                    'textarea',
                    {
                        id,
                        name: field.name,
                        rows: 5,
                        required: field.required,
                        spellcheck: 'false',
                        placeholder: field.placeholder,
                        'aria-describedby': hintId,
                    },
                    field.value ?? '',
                )
              : h('input', {
                    id,
                    name: field.name,
                    type: 'text',
                    value: field.value ?? '',
                    required: field.required,
                    autocomplete: 'off',
                    placeholder: field.placeholder,
                    'aria-describedby': hintId,
                });
        const hint = field.hint ? h('span', { id: hintId, class: 'field-hint' }, field.hint) : null;
        return { field, input, element: h('p', { class: 'field' }, h('label', { for: id }, field.label), input, hint) };
    });
    const confirmButton = h('button', { type: 'submit', class: options.danger ? 'danger' : '' }, options.confirmLabel);
    const cancelButton = h('button', { type: 'button', class: 'secondary', onclick: () => dialog.close() }, 'Cancel');
    const form = h(
        'form',
        {
            onsubmit: async (event) => {
                event.preventDefault();
                const values = Object.fromEntries(inputs.map(({ field, input }) => [field.name, input.value]));
                confirmButton.disabled = true;
                errorLine.hidden = true;
                try {
                    await options.run(values);
                    dialog.close();
                } catch (error) {
                    errorLine.hidden = false;
                    errorLine.textContent =
                        error instanceof ApiError || error instanceof SyntaxError ? error.message : String(error);
                } finally {
                    confirmButton.disabled = false;
                }
            },
        },
        h('h2', { id: titleId }, options.title),
        h('p', {}, options.text),
        inputs.map(({ element }) => element),
        errorLine,
        h('div', { class: 'dialog-buttons' }, cancelButton, confirmButton),
    );
    const dialog = h('dialog', { 'aria-labelledby': titleId }, form);
    dialog.addEventListener('close', () => dialog.remove());
    document.body.append(dialog);
    dialog.showModal();
    (inputs[0]?.input ?? cancelButton).focus();
}
