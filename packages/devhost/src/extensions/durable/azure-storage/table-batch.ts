/**
 * Entity-group transactions (`$batch`) for the task hub's history writes, assembled here instead of by
 * `TableClient.submitTransaction`.
 *
 * Why: @azure/data-tables builds each operation of a transaction by running it through a second, intercepting
 * TableClient (a new one per transaction, with its own pipeline), then sends the assembled body. A CPU profile
 * of the benchmark's orders (`npm run bench:profile`) put ~2 ms of the host's ~25 ms per order
 * there, for five small history batches. The body is plain text (the service's multipart format), so it is
 * written directly, byte for byte the format the SDK sends.
 *
 * What stays the SDK's: the request goes through the table client's own pipeline (its credential policy,
 * retries, request ids, logging), and errors are the SDK's: a `RestError` with the status and `odata.error`
 * code of the failing operation, as `TableClient.submitTransaction` throws (so `isConcurrencyConflict` and the
 * 409 fallback of history-store.ts see the same thing). The service's format:
 * https://learn.microsoft.com/rest/api/storageservices/performing-entity-group-transactions
 */
import { randomUUID } from 'node:crypto';
import {
    createDefaultHttpClient,
    createHttpHeaders,
    createPipelineRequest,
    type HttpClient,
    type PipelineResponse,
} from '@azure/core-rest-pipeline';
import { RestError, type TableClient, type TransactionAction } from '@azure/data-tables';

const CRLF = '\r\n';

export interface BatchSubResponse {
    status: number;
    rowKey?: string;
    etag?: string;
}

/** One connection pool for every transaction this process sends (the table clients keep their own). */
let sharedHttpClient: HttpClient | undefined;

/** Sends `actions` (one partition) as one transaction; resolves with each operation's status and ETag. */
export async function submitBatch(
    table: TableClient,
    actions: readonly TransactionAction[],
): Promise<BatchSubResponse[]> {
    const batchId = randomUUID();
    const changesetId = randomUUID();
    const accountUrl = table.url.split('?')[0]?.replace(/\/$/, '') ?? table.url;
    const tableUrl = `${accountUrl}/${table.tableName}`;
    const parts = [
        `--batch_${batchId}${CRLF}content-type: multipart/mixed; boundary=changeset_${changesetId}${CRLF}${CRLF}`,
    ];
    for (const action of actions) parts.push(subRequest(action, tableUrl, changesetId));
    const body = `${parts.join(CRLF)}${CRLF}--changeset_${changesetId}--${CRLF}--batch_${batchId}--${CRLF}`;
    const request = createPipelineRequest({
        url: `${accountUrl}/$batch`,
        method: 'POST',
        body,
        headers: createHttpHeaders({
            accept: 'application/json',
            'x-ms-version': '2019-02-02',
            DataServiceVersion: '3.0;',
            MaxDataServiceVersion: '3.0;NetFx',
            'Content-Type': `multipart/mixed; boundary=batch_${batchId}`,
            'Accept-Charset': 'UTF-8',
        }),
        allowInsecureConnection: accountUrl.startsWith('http:'),
    });
    sharedHttpClient ??= createDefaultHttpClient();
    const response = await table.pipeline.sendRequest(sharedHttpClient, request);
    return parseBatchResponse(response);
}

/** One operation of the changeset: start line, headers, blank line, JSON body (none for a delete). */
function subRequest(action: TransactionAction, tableUrl: string, changesetId: string): string {
    const [kind, entity] = action;
    const entityUrl = `${tableUrl}(PartitionKey='${keyInUrl(entity.partitionKey)}',RowKey='${keyInUrl(entity.rowKey)}')`;
    const lines = [
        `--changeset_${changesetId}`,
        'content-type: application/http',
        'content-transfer-encoding: binary',
        '',
    ];
    let json: string | undefined;
    switch (kind) {
        case 'create':
            lines.push(
                `POST ${tableUrl} HTTP/1.1`,
                'Content-Type: application/json;odata=nometadata',
                'Accept: application/json;odata=minimalmetadata',
                'DataServiceVersion: 3.0',
                'Prefer: return-no-content',
            );
            json = JSON.stringify(serializeEntity(entity));
            break;
        case 'delete':
            lines.push(
                `DELETE ${entityUrl} HTTP/1.1`,
                'Accept: application/json;odata=minimalmetadata',
                'DataServiceVersion: 3.0',
                'If-Match: *',
            );
            break;
        case 'upsert':
        case 'update': {
            // Merge is PATCH, Replace is PUT (the SDK's default mode is Merge); an update is conditional (its
            // ETag, or any version), an upsert is not.
            const method = (action[2] ?? 'Merge') === 'Merge' ? 'PATCH' : 'PUT';
            lines.push(
                `${method} ${entityUrl} HTTP/1.1`,
                'Content-Type: application/json',
                'DataServiceVersion: 3.0',
                'Accept: application/json',
            );
            if (kind === 'update') lines.push(`If-Match: ${action[3]?.etag ?? '*'}`);
            json = JSON.stringify(serializeEntity(entity));
            break;
        }
    }
    lines.push(CRLF);
    if (json !== undefined) lines.push(json);
    return lines.join(CRLF);
}

/** A key inside `(PartitionKey='…')`: quotes doubled (OData), then URL-encoded, as the SDK does. */
function keyInUrl(key: unknown): string {
    return encodeURIComponent(String(key).replace(/'/g, "''"));
}

/**
 * The entity as the service's JSON: `partitionKey`/`rowKey` under their service names, and the EDM type
 * annotations the SDK adds (`Date` and `{ value, type }` cells, bigint as Int64, bytes as Binary); numbers,
 * strings and booleans go as they are (the service infers Int32/Double, String, Boolean).
 */
export function serializeEntity(entity: Readonly<Record<string, unknown>>): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const [name, value] of Object.entries(entity)) {
        const column = name === 'partitionKey' ? 'PartitionKey' : name === 'rowKey' ? 'RowKey' : name;
        if (value instanceof Date) {
            out[column] = value.toISOString();
            out[`${column}@odata.type`] = 'Edm.DateTime';
        } else if (typeof value === 'bigint') {
            out[column] = value.toString();
            out[`${column}@odata.type`] = 'Edm.Int64';
        } else if (value instanceof Uint8Array) {
            out[column] = Buffer.from(value).toString('base64');
            out[`${column}@odata.type`] = 'Edm.Binary';
        } else if (isTypedCell(value)) {
            out[column] = value.value;
            out[`${column}@odata.type`] = `Edm.${value.type}`;
        } else {
            out[column] = value;
        }
    }
    return out;
}

const EDM_TYPES = new Set(['Binary', 'Boolean', 'DateTime', 'Double', 'Guid', 'Int32', 'Int64', 'String']);

function isTypedCell(value: unknown): value is { value: unknown; type: string } {
    if (typeof value !== 'object' || value === null) return false;
    const { value: inner, type } = value as { value?: unknown; type?: unknown };
    if (inner === undefined || type === undefined) return false;
    if (typeof type !== 'string' || !EDM_TYPES.has(type)) throw new Error(`Unknown EDM type ${String(type)}`);
    return true;
}

/** Each operation's status and ETag; the SDK's RestError for a failed transaction or operation. */
function parseBatchResponse(response: PipelineResponse): BatchSubResponse[] {
    const text = response.bodyAsText ?? '';
    if (response.status < 200 || response.status >= 300) throw batchError(text, response.status, response);
    const pieces = text.split('--changesetresponse_');
    return pieces.slice(1, -1).map((piece) => {
        const status = Number(/HTTP\/1\.1 (\d+)/.exec(piece)?.[1]);
        if (!Number.isInteger(status)) throw new Error(`A transaction sub-response has no status:\n${piece}`);
        const errorBody = /\{.*\}/.exec(piece)?.[0];
        if (errorBody !== undefined) throw batchError(errorBody, status, response);
        const etag = /ETag: (.*)/.exec(piece)?.[1]?.trim();
        const rowKey = /RowKey='(.*)'/.exec(piece)?.[1];
        return { status, ...(rowKey !== undefined ? { rowKey } : {}), ...(etag !== undefined ? { etag } : {}) };
    });
}

function batchError(body: string, statusCode: number, response: PipelineResponse): RestError {
    let message = 'Transaction Failed';
    let code: string | undefined;
    try {
        const parsed = JSON.parse(body) as { 'odata.error'?: { code?: string; message?: { value?: string } } };
        message = parsed['odata.error']?.message?.value ?? message;
        code = parsed['odata.error']?.code;
    } catch {
        // Not JSON: the generic message, as the SDK's.
    }
    return new RestError(message, {
        statusCode,
        request: response.request,
        response,
        ...(code !== undefined ? { code } : {}),
    });
}
