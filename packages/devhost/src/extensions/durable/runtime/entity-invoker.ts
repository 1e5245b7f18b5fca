/**
 * Runs one entity batch through the app, as the extension does for an out-of-process entity
 * (EntityTriggerAttributeBindingProvider): the batch request JSON as string typed data under the entityTrigger
 * binding's name; the SDK's EntityState comes back as the invocation's return value.
 */
import { valueFromTypedData } from '../../../host/bindings/typed-data';
import type { LoadedApp } from '../../../shared/host-contracts';
import type { EntityCallResult, InvokeEntity } from '../engine/entity-episode';
import type { FunctionNameMap } from './function-names';

export function createEntityInvoker(app: LoadedApp, bindings: FunctionNameMap<string>): InvokeEntity {
    return async (name, request): Promise<EntityCallResult> => {
        // The instance id holds the name lower-cased; the app knows the function by its registered name.
        const functionName = bindings.registeredName(name);
        const bindingName = functionName === undefined ? undefined : bindings.get(functionName);
        if (functionName === undefined || bindingName === undefined) {
            return {
                kind: 'error',
                message: `The function '${name}' doesn't exist, is disabled, or is not an entity function.`,
            };
        }
        const outcome = await app.invoke({
            functionName,
            inputData: [{ name: bindingName, data: { string: JSON.stringify(request) } }],
        });
        if (outcome.status === 'failure') return { kind: 'error', message: outcome.message };
        try {
            const value = valueFromTypedData(outcome.returnValue);
            return { kind: 'result', value: typeof value === 'string' ? (JSON.parse(value) as unknown) : value };
        } catch (error) {
            return { kind: 'error', message: `The entity returned a value that is not JSON: ${String(error)}` };
        }
    };
}
