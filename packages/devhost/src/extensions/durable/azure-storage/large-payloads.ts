/**
 * `<hub>-largemessages`: values too big for a table column (60 KiB measured in UTF-16) or a queue message
 * (45 KiB of UTF-8 JSON) are gzipped into blobs, named as the provider names them
 * (docs/protocol.md §4), so the real extension could read them back and vice versa.
 */
import { randomInt } from 'node:crypto';
import { promisify } from 'node:util';
import { gunzip, gzip } from 'node:zlib';
import type { ContainerClient } from '@azure/storage-blob';
import { httpStatusOf } from '../../../host/storage-account/storage-errors';
import type { StorageStats } from './stats';

const gzipAsync = promisify(gzip);
const gunzipAsync = promisify(gunzip);

/** DTFx `MaxTablePropertySizeInBytes`: 60 KiB, leaving headroom under the service's 64 KiB. */
export const MAX_TABLE_PROPERTY_BYTES = 60 * 1024;
/** DTFx `MaxStorageQueuePayloadSizeInBytes`: 45 KiB, so base64 encoding would still fit in 64 KiB. */
export const MAX_QUEUE_PAYLOAD_BYTES = 45 * 1024;

/** Table columns the provider checks for size; everything else is small by construction. */
export const LARGE_PROPERTY_COLUMNS = [
    'Name',
    'Input',
    'Result',
    'Output',
    'Reason',
    'Details',
    'Correlation',
    'FailureDetails',
    'Tags',
] as const;

/** The service measures strings in UTF-16 code units, two bytes each (`Encoding.Unicode.GetByteCount`). */
export function exceedsTablePropertyLimit(text: string): boolean {
    return text.length * 2 > MAX_TABLE_PROPERTY_BYTES;
}

export function exceedsQueuePayloadLimit(json: string): boolean {
    return Buffer.byteLength(json, 'utf8') > MAX_QUEUE_PAYLOAD_BYTES;
}

/**
 * `{sanitizedInstanceId}/history-{RowKey}-{EventType}-{random:X8}-{Property}.json.gz`. Instance rows have no
 * EventType; the provider then uses the property name ("Input", "Output", "Tags"). The random part keeps two
 * racing writers (split brain) from overwriting each other's blobs.
 */
export function historyBlobName(
    sanitizedInstanceId: string,
    rowKey: string,
    eventTypeName: string | undefined,
    property: string,
): string {
    const random = randomInt(0, 0x7fffffff).toString(16).toUpperCase().padStart(8, '0');
    return `${sanitizedInstanceId}/history-${rowKey}-${eventTypeName ?? property}-${random}-${property}.json.gz`;
}

/** `{instanceId}/message-{ActivityId:N}-{EventType}.json.gz` (the raw instance id, as the provider does). */
export function messageBlobName(instanceId: string, activityId: string, eventTypeName: string): string {
    return `${instanceId}/message-${activityId.replace(/-/g, '')}-${eventTypeName}.json.gz`;
}

/**
 * .NET's `Uri.EscapeDataString`: everything but RFC 3986's unreserved characters is escaped, so unlike
 * `encodeURIComponent` it also escapes `! ' ( ) *`.
 */
export function escapeDataString(text: string): string {
    return encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

function isLoopback(hostname: string): boolean {
    return LOOPBACK_HOSTS.has(hostname.toLowerCase());
}

export class LargePayloadStore {
    /** Container URL without any SAS query: this is what instance rows store, so it must carry no secret. */
    readonly containerUrl: string;

    constructor(
        private readonly container: ContainerClient,
        blobEndpoint: string,
        private readonly stats: StorageStats,
    ) {
        this.containerUrl = `${blobEndpoint}/${container.containerName}`;
    }

    async upload(blobName: string, text: string): Promise<void> {
        const compressed = await gzipAsync(Buffer.from(text, 'utf8'));
        this.stats.blobOps++;
        await this.container.getBlockBlobClient(blobName).uploadData(compressed, {
            blobHTTPHeaders: { blobContentType: 'application/octet-stream' },
        });
    }

    async download(blobName: string): Promise<string> {
        this.stats.blobOps++;
        const response = await this.container.getBlobClient(blobName).download();
        const body = response.readableStreamBody;
        if (!body) throw new Error(`Blob '${blobName}' has no content stream.`);
        const chunks: Buffer[] = [];
        for await (const chunk of body) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)));
        return (await gunzipAsync(Buffer.concat(chunks))).toString('utf8');
    }

    /**
     * The blob's URL as instance rows hold it: each path segment escaped by `Uri.EscapeDataString`, slashes kept
     * (DTFx `MessageManager.GetBlobUrl`).
     */
    urlOf(blobName: string): string {
        return `${this.containerUrl}/${blobName.split('/').map(escapeDataString).join('/')}`;
    }

    /**
     * The blob name if `value` is a URL into this hub's container, else undefined (ordinary text). The
     * writer's endpoint may be spelled differently from this process's: the emulator is `127.0.0.1` to the
     * provider (`UseDevelopmentStorage=true`) and may be `localhost` here, so loopback hosts are one host and
     * only the path (`[/<account>]/<container>/<blob>`) and port must match.
     */
    blobNameFromUrl(value: string): string | undefined {
        const prefix = `${this.containerUrl}/`;
        const tail = value.startsWith(prefix) ? value.slice(prefix.length) : this.#tailOnSameAccount(value);
        if (tail === undefined) return undefined;
        try {
            return tail.split('/').map(decodeURIComponent).join('/');
        } catch {
            return undefined;
        }
    }

    #tailOnSameAccount(value: string): string | undefined {
        if (!/^https?:\/\//i.test(value)) return undefined;
        let url: URL;
        let own: URL;
        try {
            url = new URL(value);
            own = new URL(`${this.containerUrl}/`);
        } catch {
            return undefined;
        }
        const sameHost =
            url.host === own.host || (isLoopback(url.hostname) && isLoopback(own.hostname) && url.port === own.port);
        if (url.protocol !== own.protocol || !sameHost || url.search !== '' || url.hash !== '') return undefined;
        if (!url.pathname.startsWith(own.pathname)) return undefined;
        return url.pathname.slice(own.pathname.length) || undefined;
    }

    /** The names of the blobs under `prefix` (one call per 1,000). A missing container holds none. */
    async list(prefix: string): Promise<string[]> {
        const names: string[] = [];
        try {
            for await (const page of this.container.listBlobsFlat({ prefix }).byPage({ maxPageSize: 1000 })) {
                this.stats.blobOps++;
                names.push(...page.segment.blobItems.map((b) => b.name));
            }
        } catch (err) {
            if (httpStatusOf(err) === 404) return names;
            throw err;
        }
        return names;
    }

    async delete(names: readonly string[]): Promise<void> {
        this.stats.blobOps += names.length;
        await Promise.all(names.map((name) => this.container.getBlobClient(name).deleteIfExists()));
    }

    /** Deletes every blob under `prefix`; returns how many. A missing container means there is nothing to delete. */
    async deleteByPrefix(prefix: string): Promise<number> {
        let deleted = 0;
        try {
            for await (const page of this.container.listBlobsFlat({ prefix }).byPage({ maxPageSize: 1000 })) {
                this.stats.blobOps++;
                const names = page.segment.blobItems.map((b) => b.name);
                this.stats.blobOps += names.length;
                await Promise.all(names.map((name) => this.container.getBlobClient(name).deleteIfExists()));
                deleted += names.length;
            }
        } catch (err) {
            if (httpStatusOf(err) === 404) return deleted;
            throw err;
        }
        return deleted;
    }
}
