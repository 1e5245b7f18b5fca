/**
 * The entity routes of the Durable HTTP API (HttpApiHandler: HandleGetEntityRequestAsync,
 * HandleListEntitiesRequestAsync, HandlePostEntityOperationRequestAsync; docs/protocol.md §14):
 * - `POST|DELETE entities/{name}/{key}?op=` signals the entity (DELETE is the "delete" operation): 202;
 * - `GET entities/{name}/{key}` answers the state (200) or 404 when the entity does not exist;
 * - `GET entities/{name}` lists the existing entities of that name, a page at a time.
 * The key `$` stands for the empty key, as in the extension.
 */
import type { DurableClientService } from '../runtime/client';
import { DurableArgumentError } from '../runtime/errors';
import { readJsonBody } from './json-body';
import { DEFAULT_PAGE_SIZE, dateParam, topSchema } from './list-query';
import { booleanParam } from './query';
import { emptyResponse, jsonResponse } from './responses';
import { jsonOrText, sortableUtc } from './status-payload';

const EMPTY_KEY_SYMBOL = '$';
const CONTINUATION_HEADER = 'x-ms-continuation-token';

export async function handleEntityRoute(
    client: DurableClientService,
    request: Request,
    url: URL,
    entityName: string,
    entityKey: string | undefined,
): Promise<Response> {
    const method = request.method.toUpperCase();
    const key = entityKey === EMPTY_KEY_SYMBOL ? '' : entityKey;
    if (method === 'GET') {
        if (key === undefined) return listEntities(client, request, url, entityName);
        const state = await client.readEntityState({ name: entityName, key });
        return state === undefined ? emptyResponse(404) : jsonResponse(200, jsonOrText(state));
    }
    if (method !== 'POST' && method !== 'DELETE') return emptyResponse(404);
    if (key === undefined) throw new DurableArgumentError('An entity key is required to signal an entity.');
    const operation = method === 'DELETE' ? 'delete' : (url.searchParams.get('op') ?? '');
    const input = await operationInput(request);
    if (!input.ok) return input.response;
    await client.signalEntity({ name: entityName, key }, operation, input.text);
    return emptyResponse(202);
}

/** JSON content as it is; any other content as one JSON string (the extension passes it on as a string). */
async function operationInput(
    request: Request,
): Promise<{ ok: true; text: string | null } | { ok: false; response: Response }> {
    const mediaType = request.headers.get('content-type')?.split(';')[0]?.trim().toLowerCase();
    if (mediaType === 'application/json') return readJsonBody(request);
    const text = await request.text();
    return { ok: true, text: text === '' ? null : JSON.stringify(text) };
}

async function listEntities(client: DurableClientService, request: Request, url: URL, name: string): Promise<Response> {
    const params = url.searchParams;
    const topText = params.get('top');
    const top = topText === null || topText.trim() === '' ? DEFAULT_PAGE_SIZE : topSchema.safeParse(topText).data;
    if (top === undefined) throw new DurableArgumentError(`The value '${topText ?? ''}' of 'top' is not a page size.`);
    const fetchState = booleanParam(params, 'fetchState', false);
    const from = dateParam(params, 'lastOperationTimeFrom');
    const to = dateParam(params, 'lastOperationTimeTo');
    const token = request.headers.get(CONTINUATION_HEADER)?.trim();
    const page = await client.listEntities(
        name,
        { top, ...(from ? { lastOperationTimeFrom: from } : {}), ...(to ? { lastOperationTimeTo: to } : {}) },
        token ? token : undefined,
    );
    const body = page.entities.map((entity) => ({
        entityId: { name: entity.id.name, key: entity.id.key },
        lastOperationTime: sortableUtc(entity.lastOperationTime),
        ...(fetchState ? { state: jsonOrText(entity.state) } : {}),
    }));
    return jsonResponse(200, body, page.continuationToken ? { [CONTINUATION_HEADER]: page.continuationToken } : {});
}
