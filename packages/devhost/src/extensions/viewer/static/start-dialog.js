// "Start an instance": the orchestrator chosen from the app's registrations (the viewer's read-only route),
// JSON input checked here before anything is sent, an optional instance id and version. The start itself is
// the Durable HTTP API's (POST .../orchestrators/{name}/{instanceId?}?version=); its errors show in the dialog.
import { registeredOrchestrators, startOrchestration } from './api.js';
import { confirmAction } from './dialogs.js';
import { instanceHref } from './dom.js';

/** JSON text, or undefined for an empty box (the instance gets no input); a clear error for anything else. */
export function readInputText(text) {
    if (text.trim() === '') return undefined;
    try {
        JSON.parse(text);
    } catch (error) {
        throw new SyntaxError(
            `The input is not JSON (${error instanceof Error ? error.message : String(error)}). ` +
                'Strings need double quotes, e.g. "hello"; leave the box empty for no input.',
            { cause: error },
        );
    }
    return text;
}

/** Opens the dialog; `onError` shows a failure to read the orchestrators (the dialog then does not open). */
export async function openStartDialog(onError) {
    let registered;
    try {
        registered = await registeredOrchestrators();
    } catch (error) {
        onError(error);
        return;
    }
    const names = registered.orchestrators.map((orchestrator) => orchestrator.name);
    if (names.length === 0) {
        onError(new Error('This app registers no orchestrators.'));
        return;
    }
    const defaultVersion = registered.defaultVersion;
    confirmAction({
        title: 'Start an instance',
        text: 'Starts an orchestration through the Durable HTTP API, then opens the new instance.',
        confirmLabel: 'Start',
        fields: [
            { name: 'name', label: 'Orchestrator', options: names, value: names[0], required: true },
            {
                name: 'input',
                label: 'Input (JSON)',
                multiline: true,
                placeholder: '{"order_id": "42", "items": [{"sku": "MUG"}]}',
                hint: 'Empty for no input.',
            },
            {
                name: 'instanceId',
                label: 'Instance id (optional)',
                hint: 'Empty for a new random id. An id whose instance has finished starts it anew; a running one is refused.',
            },
            {
                name: 'version',
                label: 'Version (optional)',
                placeholder: defaultVersion,
                hint: defaultVersion
                    ? `Empty for this host's default version, ${defaultVersion}.`
                    : 'Empty for none (this host has no default version).',
            },
        ],
        run: async (values) => {
            const inputText = readInputText(values.input);
            const started = await startOrchestration(values.name, {
                inputText,
                instanceId: values.instanceId.trim(),
                version: values.version.trim(),
            });
            location.assign(instanceHref(started.id));
        },
    });
}
