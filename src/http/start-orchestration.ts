import type { HttpRequest, HttpResponse, InvocationContext } from '@azure/functions';
import type { DurableClient } from 'durable-functions';
import { findOrchestration, orchestratorNames } from '../orchestrations';
import { fieldErrors, problemResponse, ProblemType } from './problem';
import { readJsonBody } from './read-json-body';

/** The part of the DurableClient the starter needs (a fake in tests, the real client in the app). */
export type StarterClient = Pick<DurableClient, 'startNew' | 'createCheckStatusResponse'>;

/**
 * `POST /api/orchestrations/{function_name}`: starts an orchestrator with the JSON body as its input.
 * 404 for a name that is not a startable orchestrator, 400 for malformed JSON or input failing the
 * orchestrator's schema (one message per field), otherwise 202 with the management payload and the
 * Location / Retry-After headers that createCheckStatusResponse builds. The input handed to the instance is
 * the parsed one (defaults filled in, unknown keys dropped).
 */
export async function startOrchestration(
    request: HttpRequest,
    client: StarterClient,
    context: InvocationContext,
): Promise<HttpResponse> {
    const name = request.params['function_name'] ?? '';
    const orchestration = findOrchestration(name);
    if (orchestration === undefined) {
        return problemResponse({
            type: ProblemType.unknownOrchestrator,
            title: 'Unknown orchestrator',
            status: 404,
            detail: `There is no orchestrator named '${name}'. Orchestrators: ${orchestratorNames.join(', ')}.`,
            orchestrators: orchestratorNames,
        });
    }

    const body = await readJsonBody(request);
    if (!body.ok) {
        return problemResponse({
            type: ProblemType.malformedJson,
            title: 'Malformed JSON',
            status: 400,
            detail: `The request body is not valid JSON: ${body.reason}`,
        });
    }

    const input = orchestration.input.safeParse(body.value);
    if (!input.success) {
        return problemResponse({
            type: ProblemType.invalidInput,
            title: 'Invalid orchestration input',
            status: 400,
            detail: `The input does not match what ${orchestration.name} expects.`,
            errors: fieldErrors(input.error),
        });
    }

    let instanceId: string;
    try {
        instanceId = await client.startNew(orchestration.name, { input: input.data });
    } catch (error) {
        // The caller did nothing wrong: log the cause for operators, answer without internals.
        context.error(`Starting ${orchestration.name} failed:`, error);
        return problemResponse({
            type: ProblemType.upstreamFailure,
            title: 'Orchestration not started',
            status: 502,
            detail: `The Durable Functions backend could not start ${orchestration.name}. Try again later.`,
        });
    }
    context.log(`Started ${orchestration.name} instance ${instanceId}`);
    return client.createCheckStatusResponse(request, instanceId);
}
