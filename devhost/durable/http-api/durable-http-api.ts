/**
 * The Durable HTTP API of the devhost, under the public webhook base and the local RPC base (the same routes,
 * as the extension serves both). Status codes, headers and bodies follow HttpApiHandler (durable-protocol.md E);
 * routes issue 5 will add answer 501 with a problem body until then. Errors never carry stack traces.
 */
import type { DurableClientService } from '../runtime/client';
import { isTerminalStatus } from '../runtime/client';
import { DurableArgumentError, InstanceAlreadyExistsError, InstanceGoneError, InstanceNotFoundError } from '../runtime/errors';
import type { InstanceRecord } from '../../storage/contract';
import { checkStatusBody, managementUrls } from './management-urls';
import { booleanParam, secondsParam } from './query';
import { emptyResponse, errorResponse, jsonResponse, notImplemented, problemResponse } from './responses';
import { durablePathSegments, matchRoute, type DurableRoute } from './routes';
import { jsonOrText, statusPayload } from './status-payload';

const ARGUMENT_EXCEPTION = 'System.ArgumentException';

export class DurableHttpApi {
    readonly #client: DurableClientService;

    constructor(client: DurableClientService) {
        this.#client = client;
    }

    /** A response for Durable API paths; undefined for every other path (the host routes those to the app). */
    async handle(request: Request): Promise<Response | undefined> {
        const url = new URL(request.url);
        const segments = durablePathSegments(url.pathname);
        if (!segments) return undefined;
        try {
            return await this.#route(request, url, matchRoute(segments));
        } catch (error) {
            if (error instanceof DurableArgumentError) {
                return errorResponse(400, 'One or more of the arguments submitted is incorrect', { message: error.message, type: ARGUMENT_EXCEPTION });
            }
            const message = error instanceof Error ? error.message : String(error);
            return errorResponse(500, 'Something went wrong while processing your request', { message, type: 'System.Exception' });
        }
    }

    async #route(request: Request, url: URL, route: DurableRoute): Promise<Response> {
        const method = request.method.toUpperCase();
        switch (route.kind) {
            case 'startOrchestration':
                return method === 'POST' ? this.#start(request, url, route.functionName, route.instanceId) : emptyResponse(404);
            case 'instances':
                if (method === 'GET') return notImplemented('GET instances/ (list instances)', url.pathname);
                if (method === 'DELETE') return notImplemented('DELETE instances/ (purge by filter)', url.pathname);
                return emptyResponse(404);
            case 'instance':
                if (method === 'GET') return this.#status(url, route.instanceId);
                if (method === 'DELETE') return notImplemented('DELETE instances/{id} (purge)', url.pathname);
                return emptyResponse(404);
            case 'instanceOperation':
                if (method !== 'POST') return emptyResponse(404);
                switch (route.operation) {
                    case 'terminate':
                        return this.#terminate(url, route.instanceId);
                    case 'rewind':
                    case 'restart':
                    case 'suspend':
                    case 'resume':
                        return notImplemented(`POST instances/{id}/${route.operation}`, url.pathname);
                    default:
                        return emptyResponse(404);
                }
            case 'raiseEvent':
                return method === 'POST' ? this.#raiseEvent(request, route.instanceId, route.eventName) : emptyResponse(404);
            case 'entities':
                return problemResponse(
                    501,
                    'Not Implemented',
                    'Durable entities are not supported by the devhost; only orchestrations and activities run here.',
                    url.pathname,
                );
            case 'makePrimary':
                return emptyResponse(200);
            case 'unknown':
                return emptyResponse(404);
        }
    }

    async #start(request: Request, url: URL, functionName: string, instanceId: string | undefined): Promise<Response> {
        const text = await request.text();
        let input: string | null = null;
        if (text.length > 0) {
            try {
                JSON.parse(text);
            } catch (error) {
                return errorResponse(400, 'Invalid JSON content', {
                    message: error instanceof Error ? error.message : String(error),
                    type: 'Newtonsoft.Json.JsonReaderException',
                });
            }
            input = text;
        }
        let record: InstanceRecord;
        try {
            record = await this.#client.startNew(functionName, {
                ...(instanceId === undefined ? {} : { instanceId }),
                input,
                version: url.searchParams.get('version'),
            });
        } catch (error) {
            if (error instanceof InstanceAlreadyExistsError) return errorResponse(409, error.message);
            throw error;
        }
        const timeoutMs = secondsParam(url.searchParams, 'timeout');
        const intervalMs = secondsParam(url.searchParams, 'pollingInterval');
        if (timeoutMs !== undefined && intervalMs !== undefined) {
            return this.#waitOrCheckStatus(url, record.instanceId, timeoutMs, intervalMs);
        }
        return this.#checkStatus(url, record.instanceId);
    }

    #checkStatus(url: URL, instanceId: string): Response {
        const urls = managementUrls(url.origin, this.#client.taskHubName, instanceId);
        return jsonResponse(202, checkStatusBody(urls), { Location: urls.statusQueryGetUri, 'Retry-After': '10' });
    }

    async #waitOrCheckStatus(url: URL, instanceId: string, timeoutMs: number, intervalMs: number): Promise<Response> {
        if (intervalMs > timeoutMs) {
            throw new DurableArgumentError(`Total timeout ${timeoutMs / 1000} should be bigger than retry timeout ${intervalMs / 1000}`);
        }
        const record = await this.#client.waitForCompletion(instanceId, timeoutMs, Math.max(intervalMs, 10));
        if (record?.runtimeStatus === 'Completed') return jsonResponse(200, jsonOrText(record.output));
        if (record && isTerminalStatus(record.runtimeStatus)) return this.#status(url, instanceId);
        return this.#checkStatus(url, instanceId);
    }

    async #status(url: URL, instanceId: string): Promise<Response> {
        const params = url.searchParams;
        const showHistory = booleanParam(params, 'showHistory', false);
        const showHistoryOutput = booleanParam(params, 'showHistoryOutput', false);
        const showInput = booleanParam(params, 'showInput', true);
        const failAs500 = booleanParam(params, 'returnInternalServerErrorOnFailure', false);
        const record = await this.#client.getStatus(instanceId);
        if (!record) return emptyResponse(404);
        const history = showHistory ? await this.#client.getHistory(instanceId) : undefined;
        const body = statusPayload(record, { showInput, showHistoryOutput, ...(history ? { history } : {}) });
        switch (record.runtimeStatus) {
            case 'Running':
            case 'Pending':
            case 'ContinuedAsNew':
            case 'Suspended':
                // Retry-After keeps naive clients from polling in a tight loop.
                return jsonResponse(202, body, { Location: url.href, 'Retry-After': '5' });
            case 'Failed':
                return jsonResponse(failAs500 ? 500 : 200, body);
            default:
                return jsonResponse(200, body);
        }
    }

    async #terminate(url: URL, instanceId: string): Promise<Response> {
        try {
            await this.#client.terminate(instanceId, url.searchParams.get('reason'));
            return emptyResponse(202);
        } catch (error) {
            return instanceErrorResponse(error);
        }
    }

    async #raiseEvent(request: Request, instanceId: string, eventName: string): Promise<Response> {
        const record = await this.#client.getStatus(instanceId);
        if (!record) return emptyResponse(404);
        if (isTerminalStatus(record.runtimeStatus)) return emptyResponse(410);
        const mediaType = request.headers.get('content-type')?.split(';')[0]?.trim().toLowerCase();
        if (mediaType !== 'application/json') return errorResponse(400, 'Only application/json request content is supported');
        const text = await request.text();
        let data: string | null = null;
        if (text.trim() !== '') {
            try {
                JSON.parse(text);
            } catch (error) {
                return errorResponse(400, 'Invalid JSON content', {
                    message: error instanceof Error ? error.message : String(error),
                    type: 'Newtonsoft.Json.JsonReaderException',
                });
            }
            data = text;
        }
        try {
            await this.#client.raiseEvent(instanceId, eventName, data);
            return emptyResponse(202);
        } catch (error) {
            return instanceErrorResponse(error);
        }
    }
}

function instanceErrorResponse(error: unknown): Response {
    if (error instanceof InstanceNotFoundError) return emptyResponse(404);
    if (error instanceof InstanceGoneError) return emptyResponse(410);
    throw error;
}
