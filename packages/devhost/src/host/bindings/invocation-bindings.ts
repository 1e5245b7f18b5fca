/**
 * Input and output bindings around every invocation, whatever triggered it, as the Functions host binds them:
 * before the call, each input binding the trigger did not fill is asked of the extension that supplies its type
 * (a blob, a table row, the durableClient); after a successful call, each output the function set (extraOutputs,
 * or a non-HTTP return binding) goes to the extension that writes its type. A binding nobody handles fails the
 * invocation with a message naming it: an output is never dropped in silence.
 */
import { errorMessage } from '../../shared/errors';
import type {
    BindingInfo,
    HostExtension,
    InvocationOutcome,
    InvokeRequest,
    LoadedApp,
    ParameterBinding,
    RegisteredFunction,
    TypedData,
} from '../../shared/host-contracts';
import { bindingDataFor } from './binding-data';
import { typedDataFromValue } from './typed-data';

const RETURN_BINDING = '$return';

function handles(types: readonly string[] | undefined, type: string): boolean {
    return (types ?? []).some((candidate) => candidate.toLowerCase() === type.toLowerCase());
}

export function unsupportedBindingMessage(fn: RegisteredFunction, name: string, binding: BindingInfo): string {
    const direction = binding.direction === 'out' ? 'output' : 'input';
    return `Function '${fn.name}': the devhost has no ${direction} binding of type '${binding.type}' ('${name}').`;
}

/** The outputs of a successful invocation that a binding extension (not the HTTP pipeline) must write. */
function outputsToWrite(fn: RegisteredFunction, outcome: Extract<InvocationOutcome, { status: 'success' }>) {
    const outputs: { name: string; binding: BindingInfo; data: TypedData }[] = [];
    for (const { name, data } of outcome.outputData) {
        const binding = fn.bindings[name];
        if (binding && binding.direction === 'out' && binding.type.toLowerCase() !== 'http') {
            outputs.push({ name, binding, data });
        }
    }
    const returnBinding = fn.bindings[RETURN_BINDING];
    if (outcome.returnValue && returnBinding?.direction === 'out' && returnBinding.type.toLowerCase() !== 'http') {
        outputs.push({ name: RETURN_BINDING, binding: returnBinding, data: outcome.returnValue });
    }
    return outputs;
}

function hasOtherBindings(fn: RegisteredFunction): boolean {
    return Object.entries(fn.bindings).some(
        ([name, binding]) =>
            name !== fn.trigger.name && !(name === RETURN_BINDING && binding.type.toLowerCase() === 'http'),
    );
}

export interface BindingOptions {
    readonly extensions: readonly HostExtension[];
    /** The host's origin once it listens (clients such as durableClient point back at it). */
    readonly origin: () => string;
}

export function withBindings<App extends LoadedApp>(app: App, options: BindingOptions): App {
    const { extensions } = options;

    async function inputsFor(
        fn: RegisteredFunction,
        request: InvokeRequest,
        bindingData: Record<string, unknown>,
    ): Promise<ParameterBinding[]> {
        const present = new Set(request.inputData.map((binding) => binding.name));
        const inputs: ParameterBinding[] = [...request.inputData];
        for (const [name, binding] of Object.entries(fn.bindings)) {
            if (name === fn.trigger.name || binding.direction !== 'in' || present.has(name)) continue;
            const extension = extensions.find((e) => e.provideInput && handles(e.inputBindingTypes, binding.type));
            if (!extension?.provideInput) throw new Error(unsupportedBindingMessage(fn, name, binding));
            const value: unknown = await extension.provideInput(binding, {
                origin: options.origin(),
                functionName: fn.name,
                bindingData,
            });
            const data = typedDataFromValue(value);
            if (data) inputs.push({ name, data });
        }
        return inputs;
    }

    async function invoke(request: InvokeRequest): Promise<InvocationOutcome> {
        const fn = app.functions.get(request.functionName);
        // Most invocations (orchestrator episodes, plain activities) have no binding but their trigger: no work.
        if (!fn || !hasOtherBindings(fn)) return app.invoke(request);
        const bindingData = bindingDataFor(fn, request);
        let inputData: ParameterBinding[];
        try {
            inputData = await inputsFor(fn, request, bindingData);
        } catch (error) {
            return { status: 'failure', invocationId: request.invocationId ?? '', message: errorMessage(error) };
        }
        const outcome = await app.invoke({ ...request, inputData });
        if (outcome.status === 'failure') return outcome;
        try {
            for (const { name, binding, data } of outputsToWrite(fn, outcome)) {
                const extension = extensions.find((e) => e.writeOutput && handles(e.outputBindingTypes, binding.type));
                if (!extension?.writeOutput) throw new Error(unsupportedBindingMessage(fn, name, binding));
                await extension.writeOutput(binding, data, { functionName: fn.name, bindingData });
            }
        } catch (error) {
            return {
                status: 'failure',
                invocationId: outcome.invocationId,
                message: `Function '${fn.name}' ran, but an output binding failed: ${errorMessage(error)}`,
            };
        }
        return outcome;
    }

    return { ...app, invoke };
}
