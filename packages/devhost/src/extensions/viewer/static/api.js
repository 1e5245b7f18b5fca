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

/** `bodyText`: JSON text sent as it is (an input typed by hand keeps its exact numbers); `body`: a value. */
export async function call(method, url, { body, bodyText, headers } = {}) {
    const text = bodyText ?? (body === undefined ? undefined : JSON.stringify(body));
    let response;
    try {
        response = await fetch(url, {
            method,
            headers: {
                Accept: 'application/json',
                ...(text === undefined ? {} : { 'Content-Type': 'application/json' }),
                ...headers,
            },
            body: text,
        });
    } catch (error) {
        throw new ApiError(
            0,
            `The devhost did not answer (${error instanceof Error ? error.message : String(error)}).`,
        );
    }
    const answer = await response.text();
    let json;
    try {
        json = answer === '' ? undefined : JSON.parse(answer);
    } catch {
        json = undefined;
    }
    if (response.status >= 400) throw new ApiError(response.status, errorMessage(json, answer));
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

/** The orchestrators the app registered and the host's default version (the viewer's read-only route). */
export async function registeredOrchestrators() {
    return (await call('GET', `${VIEWER_API}/orchestrators`)).json;
}

/**
 * Starts `name` through the HTTP API's start route. `inputText` is JSON text or undefined (no input);
 * `version` travels as `?version=`, as the SDK's startNew sends it (empty: the host's defaultVersion).
 * Returns the 202 body: the new instance's id and management URLs.
 */
export async function startOrchestration(name, { inputText, instanceId, version }) {
    const path = `${DURABLE_API}/orchestrators/${encodeURIComponent(name)}${instanceId ? `/${encodeURIComponent(instanceId)}` : ''}`;
    const query = version ? `?${new URLSearchParams({ version })}` : '';
    return (await call('POST', `${path}${query}`, { bodyText: inputText })).json;
}

/**
 * The query purge-many and its count share: runtime status and created time, the only filters the API's
 * `DELETE instances/` reads. `createdTimeFrom` is required there, so an open start is the epoch.
 */
export function purgeQuery({ status, fromIso, toIso }) {
    const params = new URLSearchParams({ createdTimeFrom: fromIso ?? new Date(0).toISOString(), createdTimeTo: toIso });
    if (status) params.set('runtimeStatus', status);
    return params;
}

/** How many instances `query` matches, by runtime status, read page by page as the purge will find them. */
export async function countMatching(query) {
    const params = new URLSearchParams(query);
    params.set('top', '1000');
    params.set('showInput', 'false');
    const byStatus = {};
    let total = 0;
    let token;
    do {
        const { json, headers } = await call('GET', `${DURABLE_API}/instances/?${params}`, {
            headers: token ? { 'x-ms-continuation-token': token } : {},
        });
        if (!Array.isArray(json)) throw new ApiError(0, 'The instances list is not an array.');
        for (const row of json) byStatus[row.runtimeStatus] = (byStatus[row.runtimeStatus] ?? 0) + 1;
        total += json.length;
        token = headers.get('x-ms-continuation-token') ?? undefined;
    } while (token);
    return { total, byStatus };
}

/** Purge-many (`DELETE instances/`); the number deleted (the API answers 404 when nothing matched). */
export async function purgeWhere(query) {
    try {
        const { json } = await call('DELETE', `${DURABLE_API}/instances/?${query}`);
        return typeof json?.instancesDeleted === 'number' ? json.instancesDeleted : 0;
    } catch (error) {
        if (error instanceof ApiError && error.status === 404) return 0;
        throw error;
    }
}
