// Everything the viewer reads or does goes through the Durable HTTP API the devhost serves (docs/devhost-api.md),
// except the hub summary and an instance's raw history, which the viewer's own read-only routes take from the
// devhost's storage module. Errors are thrown as ApiError with the API's own message, for the page to show.

export const DURABLE_API = '/runtime/webhooks/durabletask';
const VIEWER_API = '/_devhost/api';

export class ApiError extends Error {
    constructor(status, message) {
        super(status ? `HTTP ${status}: ${message}` : message);
        this.name = 'ApiError';
        this.status = status;
    }
}

/** The message of an error body: the extension's {Message, ExceptionMessage}, a problem document, or text. */
function errorMessage(body, text) {
    if (body && typeof body === 'object') {
        const parts = [body.Message, body.ExceptionMessage, body.title, body.detail, body.error].filter(
            (part) => typeof part === 'string' && part !== '',
        );
        if (parts.length > 0) return [...new Set(parts)].join(' — ');
    }
    return text || 'no details';
}

export async function call(method, url, { body, headers } = {}) {
    let response;
    try {
        response = await fetch(url, {
            method,
            headers: {
                Accept: 'application/json',
                ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
                ...headers,
            },
            body: body === undefined ? undefined : JSON.stringify(body),
        });
    } catch (error) {
        throw new ApiError(
            0,
            `The devhost did not answer (${error instanceof Error ? error.message : String(error)}).`,
        );
    }
    const text = await response.text();
    let json;
    try {
        json = text === '' ? undefined : JSON.parse(text);
    } catch {
        json = undefined;
    }
    if (response.status >= 400) throw new ApiError(response.status, errorMessage(json, text));
    return { status: response.status, json, headers: response.headers };
}

/**
 * Every instance that matches the filter, read page by page (`top` 1000, the API's maximum, without inputs),
 * up to `cap` rows. The Instances table is ordered by id, so "newest first" needs all of them; a local task hub
 * has few enough. The name filter is applied here: the HTTP API has no name parameter.
 */
export async function listInstances(filter, cap) {
    const params = new URLSearchParams({ top: '1000', showInput: 'false' });
    if (filter.status) params.set('runtimeStatus', filter.status);
    if (filter.prefix) params.set('instanceIdPrefix', filter.prefix);
    if (filter.from) params.set('createdTimeFrom', new Date(filter.from).toISOString());
    if (filter.to) params.set('createdTimeTo', new Date(filter.to).toISOString());
    const rows = [];
    let token;
    let truncated = false;
    do {
        const { json, headers } = await call('GET', `${DURABLE_API}/instances/?${params}`, {
            headers: token ? { 'x-ms-continuation-token': token } : {},
        });
        if (!Array.isArray(json)) throw new ApiError(0, 'The instances list is not an array.');
        rows.push(...json);
        token = headers.get('x-ms-continuation-token') ?? undefined;
        if (rows.length >= cap && token) truncated = true;
    } while (token && !truncated);
    const name = filter.name?.trim().toLowerCase();
    const matching = name ? rows.filter((row) => String(row.name).toLowerCase().includes(name)) : rows;
    matching.sort(
        (a, b) =>
            Date.parse(b.createdTime) - Date.parse(a.createdTime) || String(a.instanceId).localeCompare(b.instanceId),
    );
    return { instances: matching, truncated };
}

export async function hubSummary() {
    return (await call('GET', `${VIEWER_API}/hub`)).json;
}

/** undefined when the instance does not exist. */
export async function instanceDetail(instanceId) {
    try {
        return (await call('GET', `${VIEWER_API}/instances/${encodeURIComponent(instanceId)}`)).json;
    } catch (error) {
        if (error instanceof ApiError && error.status === 404) return undefined;
        throw error;
    }
}

function instanceUrl(instanceId, operation, query) {
    const base = `${DURABLE_API}/instances/${encodeURIComponent(instanceId)}${operation ? `/${operation}` : ''}`;
    const search = new URLSearchParams(query ?? {}).toString();
    return search ? `${base}?${search}` : base;
}

export const actions = {
    raiseEvent: (instanceId, eventName, data) =>
        call(
            'POST',
            `${DURABLE_API}/instances/${encodeURIComponent(instanceId)}/raiseEvent/${encodeURIComponent(eventName)}`,
            { body: data },
        ),
    terminate: (instanceId, reason) => call('POST', instanceUrl(instanceId, 'terminate', { reason })),
    suspend: (instanceId, reason) => call('POST', instanceUrl(instanceId, 'suspend', { reason })),
    resume: (instanceId, reason) => call('POST', instanceUrl(instanceId, 'resume', { reason })),
    rewind: (instanceId, reason) => call('POST', instanceUrl(instanceId, 'rewind', { reason })),
    restart: (instanceId) => call('POST', instanceUrl(instanceId, 'restart', { restartWithNewInstanceId: 'true' })),
    purge: (instanceId) => call('DELETE', instanceUrl(instanceId)),
};
