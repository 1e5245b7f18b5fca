/**
 * Runs one orchestrator call through the app, as the extension's out-of-process shim does: the binding JSON as
 * string typed data under the orchestrationTrigger binding's name; the OrchestratorState comes back as the
 * invocation's return value, a throwing orchestrator as a failure whose message carries `$OutOfProcData$`.
 */
import { valueFromTypedData } from '../../../host/bindings/typed-data';
import type { LoadedApp } from '../../../shared/host-contracts';
import type { InvokeOrchestrator, OrchestratorCallResult } from '../engine';
import type { FunctionNameMap } from './function-names';

export function createOrchestratorInvoker(app: LoadedApp, bindings: FunctionNameMap<string>): InvokeOrchestrator {
    return async (name, payload): Promise<OrchestratorCallResult> => {
        // History keeps the name as the caller spelled it; the app knows the function by its registered name.
        const functionName = bindings.registeredName(name) ?? name;
        const bindingName = bindings.get(functionName);
        if (bindingName === undefined) {
            return {
                kind: 'error',
                message: `The function '${functionName}' doesn't exist, is disabled, or is not an orchestrator function.`,
            };
        }
        const outcome = await app.invoke({
            functionName,
            inputData: [{ name: bindingName, data: { string: JSON.stringify(payload) } }],
        });
        if (outcome.status === 'failure') {
            return outcome.stack === undefined
                ? { kind: 'error', message: outcome.message }
                : { kind: 'error', message: outcome.message, stack: outcome.stack };
        }
        try {
            const value = valueFromTypedData(outcome.returnValue);
            // A string return value is the state serialized once more (some hosts send {string: json}).
            return { kind: 'state', state: typeof value === 'string' ? (JSON.parse(value) as unknown) : value };
        } catch (error) {
            return { kind: 'error', message: `The orchestrator returned a value that is not JSON: ${String(error)}` };
        }
    };
}
