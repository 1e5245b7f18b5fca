import type { HttpRequest, HttpResponse, InvocationContext } from '@azure/functions';
import type { DurableClient } from 'durable-functions';
import { type OrchestrationEntry, findOrchestration, orchestratorNames } from '../orchestrations';
import { MAX_FIELD_ERRORS, MAX_REQUEST_BODY_BYTES } from '../orders/input-limits';
import { mayStartAgain, readExistingInstance, sameJson } from './existing-instance';
import { fieldErrors, problemResponse, ProblemType } from './problem';
import { readJsonBody } from './read-json-body';

/** The part of the DurableClient the starter needs (a fake in tests, the real client in the app). */
export type StarterClient = Pick<DurableClient, 'startNew' | 'createCheckStatusResponse' | 'getStatus'>;

/**
 * `POST /api/orchestrations/{function_name}`: starts an orchestrator with the JSON body as its input.
 * 404 for a name that is not a startable orchestrator, 413 for a body over MAX_REQUEST_BODY_BYTES (not parsed),
 * 400 for malformed JSON or input failing the orchestrator's schema (one message per field, the first
 * MAX_FIELD_ERRORS of them), otherwise 202 with the management payload and the Location / Retry-After headers
 * that createCheckStatusResponse builds. The input handed to the instance is
 * the parsed one (defaults filled in, unknown keys dropped). An orchestration keyed by its input
 * (`order_processing`, by `order_id`) starts idempotently: see startKeyed.
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

    const body = await readJsonBody(request, MAX_REQUEST_BODY_BYTES);
    if (!body.ok && body.tooLarge) {
        return problemResponse({
            type: ProblemType.payloadTooLarge,
            title: 'Request body too large',
            status: 413,
            detail: `The request body is larger than ${body.maxBytes} bytes, the most an orchestration input may be.`,
            max_body_bytes: body.maxBytes,
        });
    }
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
        const errors = fieldErrors(input.error);
        const shown =
            errors.length > MAX_FIELD_ERRORS
                ? ` The first ${MAX_FIELD_ERRORS} of ${errors.length} invalid fields are listed.`
                : '';
        return problemResponse({
            type: ProblemType.invalidInput,
            title: 'Invalid orchestration input',
            status: 400,
            detail: `The input does not match what ${orchestration.name} expects.${shown}`,
            errors: errors.slice(0, MAX_FIELD_ERRORS),
        });
    }

    if (orchestration.instanceIdOf !== undefined) {
        return startKeyed(request, client, context, orchestration, orchestration.instanceIdOf(input.data), input.data);
    }

    let instanceId: string;
    try {
        instanceId = await client.startNew(orchestration.name, { input: input.data });
    } catch (error) {
        return notStarted(context, orchestration, error);
    }
    context.log(`Started ${orchestration.name} instance ${instanceId}`);
    return client.createCheckStatusResponse(request, instanceId);
}

/**
 * An idempotent start under a deterministic instance id. No instance yet, or one that ended Failed or
 * Terminated: start it (again). An instance with the same input, running or finished: the same request
 * again, so answer 202 with its management URLs and start nothing. Another input: 409. Two requests racing
 * to start the same id: the loser's startNew fails, and it answers from what the winner started.
 */
async function startKeyed(
    request: HttpRequest,
    client: StarterClient,
    context: InvocationContext,
    orchestration: OrchestrationEntry,
    instanceId: string,
    input: unknown,
): Promise<HttpResponse> {
    const answerFor = (existing: { input: unknown }): HttpResponse =>
        sameJson(existing.input, input)
            ? client.createCheckStatusResponse(request, instanceId)
            : problemResponse({
                  type: ProblemType.conflict,
                  title: 'Already started with another input',
                  status: 409,
                  detail:
                      `Instance '${instanceId}' of ${orchestration.name} exists with a different input. ` +
                      'Repeat the original request to get its status URLs, or use another id.',
                  instance_id: instanceId,
              });
    try {
        const existing = await readExistingInstance(client, instanceId);
        if (existing !== undefined && !mayStartAgain(existing)) return answerFor(existing);
    } catch (error) {
        return notStarted(context, orchestration, error);
    }
    try {
        await client.startNew(orchestration.name, { instanceId, input });
    } catch (error) {
        const winner = await readExistingInstance(client, instanceId).catch(() => undefined);
        if (winner !== undefined && !mayStartAgain(winner)) return answerFor(winner);
        return notStarted(context, orchestration, error);
    }
    context.log(`Started ${orchestration.name} instance ${instanceId}`);
    return client.createCheckStatusResponse(request, instanceId);
}

function notStarted(context: InvocationContext, orchestration: OrchestrationEntry, error: unknown): HttpResponse {
    // The caller did nothing wrong: log the cause for operators, answer without internals.
    context.error(`Starting ${orchestration.name} failed:`, error);
    return problemResponse({
        type: ProblemType.upstreamFailure,
        title: 'Orchestration not started',
        status: 502,
        detail: `The Durable Functions backend could not start ${orchestration.name}. Try again later.`,
    });
}
