import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { InvocationOutcome, InvokeRequest, ParameterBinding, TypedData } from '../../shared/host-contracts';
import { coreState, toLogLevel, type Registration } from './core-module';
import type {
    CoreInvocationContext,
    PostInvocationHookContext,
    PreInvocationHookContext,
    RpcInvocationResponse,
} from './core-types';

const typedDataSchema = z.looseObject({}).transform((value) => value as TypedData);
const responseSchema = z.object({
    outputData: z.array(z.object({ name: z.string(), data: typedDataSchema })).nullish(),
    returnValue: typedDataSchema.nullish(),
});

/**
 * One invocation, built as the Node worker's InvocationHandler builds it: a CoreInvocationContext around an
 * RpcInvocationRequest, the library's InvocationModel, pre/post hooks around the call, then getResponse.
 * Any throw, including from getResponse (an HTTP handler returning a string), becomes a failure outcome.
 */
export async function invokeRegistration(
    registration: Registration,
    request: InvokeRequest,
): Promise<InvocationOutcome> {
    const invocationId = request.invocationId ?? randomUUID();
    const functionName = registration.metadata.name;
    let invocationContext: unknown;
    const coreContext: CoreInvocationContext = {
        invocationId,
        request: {
            invocationId,
            functionId: registration.functionId,
            inputData: request.inputData,
            triggerMetadata: request.triggerMetadata ?? {},
        },
        metadata: registration.metadata,
        log(level, category, message) {
            coreState.emitLog(
                {
                    level: toLogLevel(level),
                    category: String(category),
                    message: String(message),
                    functionName,
                    invocationId,
                },
                invocationContext,
            );
        },
    };
    try {
        const model = coreState.programmingModel;
        if (!model) throw new Error('No programming model is registered (the app never imported @azure/functions).');
        const invocationModel = await model.getInvocationModel(coreContext);
        const { context, inputs } = await invocationModel.getArguments();
        invocationContext = context;

        const hookData: Record<string, unknown> = {};
        const pre: PreInvocationHookContext = {
            hookData,
            appHookData: coreState.appHookData,
            invocationContext: context,
            inputs,
            functionCallback: registration.callback,
        };
        coreContext.state = 'preInvocationHooks';
        await coreState.hooks.run('preInvocation', pre);

        coreContext.state = 'invocation';
        const post: PostInvocationHookContext = {
            hookData,
            appHookData: coreState.appHookData,
            invocationContext: context,
            inputs: pre.inputs,
            result: undefined,
            error: undefined,
        };
        try {
            post.result = await invocationModel.invokeFunction(context, pre.inputs, pre.functionCallback);
        } catch (error) {
            post.error = error;
        }

        coreContext.state = 'postInvocationHooks';
        await coreState.hooks.run('postInvocation', post);
        // A post hook may clear the error (and set a result) or replace it, exactly as in the worker.
        if (post.error !== undefined && post.error !== null) throw post.error;

        const response: RpcInvocationResponse = await invocationModel.getResponse(context, post.result);
        const parsed = responseSchema.parse(response);
        const outputData: ParameterBinding[] = parsed.outputData ?? [];
        return parsed.returnValue === undefined || parsed.returnValue === null
            ? { status: 'success', invocationId, outputData }
            : { status: 'success', invocationId, returnValue: parsed.returnValue, outputData };
    } catch (error) {
        const failure = toFailure(error);
        return { status: 'failure', invocationId, ...failure };
    }
}

function toFailure(error: unknown): { message: string; stack?: string } {
    if (error instanceof Error) {
        return error.stack === undefined ? { message: error.message } : { message: error.message, stack: error.stack };
    }
    if (typeof error === 'object' && error !== null && 'message' in error && typeof error.message === 'string') {
        return { message: error.message };
    }
    return { message: String(error) };
}
