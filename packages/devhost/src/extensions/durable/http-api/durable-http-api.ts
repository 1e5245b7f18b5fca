/**
 * The Durable HTTP API of the devhost, under the public webhook base and the local RPC base (the same routes,
 * as the extension serves both). Status codes, headers and bodies follow HttpApiHandler (docs/protocol.md §12);
 * the entity routes are in entity-routes.ts (§14). Errors never carry stack traces.
 */
import { errorMessage } from '../../../shared/errors';
import { isTerminalStatus } from '../../../shared/history';
import type { DurableClientService } from '../runtime/client';
import {
    DurableArgumentError,
    InstanceAlreadyExistsError,
    InstanceGoneError,
    InstanceNotFoundError,
    InvalidInstanceOperationError,
} from '../runtime/errors';
import { orchestrationVersionSchema } from '../runtime/versioning';
import { InvalidContinuationTokenError } from '../task-hub-port/task-hub-storage';
import type { InstanceRecord } from '../task-hub-port/task-hub-storage';
import { handleEntityRoute } from './entity-routes';
import { readJsonBody } from './json-body';
import { readListQuery } from './list-query';
import { checkStatusBody, managementUrls } from './management-urls';
import { booleanParam, secondsParam } from './query';
import { emptyResponse, errorResponse, jsonResponse, problemResponse } from './responses';
import { durablePathSegments, matchRoute, type DurableRoute } from './routes';
import { jsonOrText, statusPayload } from './status-payload';

const ARGUMENT_EXCEPTION = 'System.ArgumentException';
const CONTINUATION_HEADER = 'x-ms-continuation-token';

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
        // The extension builds a client for the hub the query names (HttpApiHandler: taskHub / connection); the
        // devhost serves one hub, so a request for another one is refused, not answered from the wrong hub.
        const taskHub = url.searchParams.get('taskHub');
        if (taskHub !== null && taskHub !== '' && taskHub.toLowerCase() !== this.#client.taskHubName.toLowerCase()) {
            return errorResponse(400, 'One or more of the arguments submitted is incorrect', {
                message: `The devhost serves task hub '${this.#client.taskHubName}' only, not '${taskHub}'.`,
                type: ARGUMENT_EXCEPTION,
            });
        }
        const connection = url.searchParams.get('connection');
        if (connection !== null && connection !== '' && !KNOWN_CONNECTIONS.has(connection.toLowerCase())) {
            return errorResponse(400, 'One or more of the arguments submitted is incorrect', {
                message: `The devhost serves its task hub over the 'Storage' connection (AzureWebJobsStorage) only, not '${connection}'.`,
                type: ARGUMENT_EXCEPTION,
            });
        }
        try {
            return await this.#route(request, url, matchRoute(segments));
        } catch (error) {
            if (error instanceof DurableArgumentError || error instanceof InvalidContinuationTokenError) {
                return errorResponse(400, 'One or more of the arguments submitted is incorrect', {
                    message: error.message,
                    type: ARGUMENT_EXCEPTION,
                });
            }
            if (error instanceof InvalidInstanceOperationError) {
                return errorResponse(500, 'Something went wrong while processing your request', {
                    message: error.message,
                    type: 'System.InvalidOperationException',
                });
            }
            const message = errorMessage(error);
            return errorResponse(500, 'Something went wrong while processing your request', {
                message,
                type: 'System.Exception',
            });
        }
    }

    async #route(request: Request, url: URL, route: DurableRoute): Promise<Response> {
        const method = request.method.toUpperCase();
        switch (route.kind) {
            case 'startOrchestration':
                return method === 'POST'
                    ? this.#start(request, url, route.functionName, route.instanceId)
                    : emptyResponse(404);
            case 'instances':
                if (method === 'GET') return this.#list(request, url);
                if (method === 'DELETE') return this.#purgeWhere(url);
                return emptyResponse(404);
            case 'instance':
                if (method === 'GET') return this.#status(url, route.instanceId);
                if (method === 'DELETE') return this.#purge(route.instanceId);
                return emptyResponse(404);
            case 'instanceOperation':
                if (method !== 'POST') return emptyResponse(404);
                switch (route.operation) {
                    case 'terminate':
                        return this.#instanceOperation(() =>
                            this.#client.terminate(route.instanceId, url.searchParams.get('reason')),
                        );
                    case 'suspend':
                        return this.#instanceOperation(() =>
                            this.#client.suspend(route.instanceId, url.searchParams.get('reason')),
                        );
                    case 'resume':
                        return this.#instanceOperation(() =>
                            this.#client.resume(route.instanceId, url.searchParams.get('reason')),
                        );
                    case 'rewind':
                        return this.#instanceOperation(() =>
                            this.#client.rewind(route.instanceId, url.searchParams.get('reason')),
                        );
                    case 'restart':
                        return this.#restart(url, route.instanceId);
                    default:
                        return emptyResponse(404);
                }
            case 'raiseEvent':
                return method === 'POST'
                    ? this.#raiseEvent(request, route.instanceId, route.eventName)
                    : emptyResponse(404);
            case 'entities':
                return handleEntityRoute(this.#client, request, url, route.entityName, route.entityKey);
            case 'makePrimary':
                return emptyResponse(200);
            case 'unknown':
                return emptyResponse(404);
        }
    }

    async #start(request: Request, url: URL, functionName: string, instanceId: string | undefined): Promise<Response> {
        // `?version=` is how the SDK's startNew({ version }) sends it; none (or empty) means the host's defaultVersion.
        // The extension takes any text; the devhost refuses what can only be a mistake, as a problem document.
        const version = orchestrationVersionSchema.nullable().safeParse(url.searchParams.get('version'));
        if (!version.success)
            return problemResponse(400, 'Invalid version', version.error.issues[0]?.message ?? 'not a version');
        const body = await readJsonBody(request);
        if (!body.ok) return body.response;
        const input = body.text;
        let record: InstanceRecord;
        try {
            record = await this.#client.startNew(functionName, {
                ...(instanceId === undefined ? {} : { instanceId }),
                input,
                version: version.data,
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
            throw new DurableArgumentError(
                `Total timeout ${timeoutMs / 1000} should be bigger than retry timeout ${intervalMs / 1000}`,
            );
        }
        // The floor applies to the polling only (the interval is validated as given); the wait still ends at the
        // timeout, as waitForCompletion never sleeps past it.
        const record = await this.#client.waitForCompletion(
            instanceId,
            timeoutMs,
            Math.max(intervalMs, MIN_POLLING_INTERVAL_MS),
        );
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

    /** 202 when sent; 404 unknown; 410 finished; InvalidInstanceOperationError → 500 (in handle). */
    async #instanceOperation(operation: () => Promise<void>): Promise<Response> {
        try {
            await operation();
            return emptyResponse(202);
        } catch (error) {
            return instanceErrorResponse(error);
        }
    }

    async #restart(url: URL, instanceId: string): Promise<Response> {
        const withNewId = booleanParam(url.searchParams, 'restartWithNewInstanceId', true);
        let record: InstanceRecord;
        try {
            record = await this.#client.restart(instanceId, withNewId);
        } catch (error) {
            if (error instanceof InstanceAlreadyExistsError) return errorResponse(409, error.message);
            throw error;
        }
        const timeoutMs = secondsParam(url.searchParams, 'timeout');
        const intervalMs = secondsParam(url.searchParams, 'pollingInterval');
        if (timeoutMs !== undefined && intervalMs !== undefined)
            return this.#waitOrCheckStatus(url, record.instanceId, timeoutMs, intervalMs);
        return this.#checkStatus(url, record.instanceId);
    }

    /** One page of status payloads; the continuation token travels in the x-ms-continuation-token headers. */
    async #list(request: Request, url: URL): Promise<Response> {
        const query = readListQuery(url.searchParams);
        const token = request.headers.get(CONTINUATION_HEADER)?.trim();
        const page = await this.#client.listInstances(
            {
                ...(query.instanceIdPrefix === undefined ? {} : { instanceIdPrefix: query.instanceIdPrefix }),
                ...(query.createdTimeFrom ? { createdTimeFrom: query.createdTimeFrom } : {}),
                ...(query.createdTimeTo ? { createdTimeTo: query.createdTimeTo } : {}),
                ...(query.runtimeStatus ? { runtimeStatus: query.runtimeStatus } : {}),
                top: query.top,
                excludeInput: !query.showInput,
            },
            token ? token : undefined,
        );
        const body = page.instances.map((record) =>
            statusPayload(record, { showInput: query.showInput, showHistoryOutput: false }),
        );
        // No header on the last page: the SDK keeps asking while the header is truthy.
        return jsonResponse(200, body, page.continuationToken ? { [CONTINUATION_HEADER]: page.continuationToken } : {});
    }

    async #purge(instanceId: string): Promise<Response> {
        const deleted = await this.#client.purge(instanceId);
        return deleted ? jsonResponse(200, { instancesDeleted: 1 }) : emptyResponse(404);
    }

    async #purgeWhere(url: URL): Promise<Response> {
        const query = readListQuery(url.searchParams);
        if (!query.createdTimeFrom) return errorResponse(400, "Please provide value for 'createdTimeFrom' parameter.");
        const deleted = await this.#client.purgeWhere({
            createdTimeFrom: query.createdTimeFrom,
            createdTimeTo: query.createdTimeTo ?? new Date(),
            ...(query.runtimeStatus ? { runtimeStatus: query.runtimeStatus } : {}),
        });
        return deleted > 0 ? jsonResponse(200, { instancesDeleted: deleted }) : emptyResponse(404);
    }

    async #raiseEvent(request: Request, instanceId: string, eventName: string): Promise<Response> {
        const record = await this.#client.getStatus(instanceId);
        if (!record) return emptyResponse(404);
        if (isTerminalStatus(record.runtimeStatus)) return emptyResponse(410);
        const mediaType = request.headers.get('content-type')?.split(';')[0]?.trim().toLowerCase();
        if (mediaType !== 'application/json')
            return errorResponse(400, 'Only application/json request content is supported');
        const body = await readJsonBody(request);
        if (!body.ok) return body.response;
        const data = body.text;
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

/** `connection` values that name the hub's storage: the extension's default name and the setting itself. */
const KNOWN_CONNECTIONS: ReadonlySet<string> = new Set(['storage', 'azurewebjobsstorage']);

/** Waiting polls the row at most this often, whatever `pollingInterval` says (0 would poll without pause). */
const MIN_POLLING_INTERVAL_MS = 250;
