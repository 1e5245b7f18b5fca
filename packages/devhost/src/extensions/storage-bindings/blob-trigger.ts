/**
 * `app.storageBlob`: invokes the function for each new or changed blob whose name matches the trigger's path
 * pattern. The devhost finds them by polling the container (a listing every `pollIntervalMs`), like the host's
 * classic polling blob trigger rather than Event Grid. What has been processed is recorded as receipts in
 * `azure-webjobs-hosts/blobreceipts/` keyed by the blob's ETag, as the host records them, so a restart does
 * not run a blob twice and a changed blob runs again. A blob whose function fails is retried on the next
 * scans, and after `maxDequeueCount` (5) failures it gets a receipt and a message on
 * `webjobs-blobtrigger-poison` instead.
 */
import type { ContainerClient } from '@azure/storage-blob';
import { errorMessage } from '../../shared/errors';
import type {
    HostLogger,
    InvocationOutcome,
    InvokeRequest,
    RegisteredFunction,
    TypedData,
} from '../../shared/host-contracts';
import { resolveSettingReferences } from '../../shared/settings';
import { HOST_CONNECTION, type StorageAccounts } from './accounts';
import { parseBlobPattern, type BlobPattern } from './blob-path';
import { TIMER_STATUS_CONTAINER as HOSTS_CONTAINER } from './timer-trigger';

const HOST_ID = 'devhost';
const MAX_ATTEMPTS = 5;
const POISON_QUEUE = 'webjobs-blobtrigger-poison';

export interface BlobTriggerOptions {
    fn: RegisteredFunction;
    invoke: (request: InvokeRequest) => Promise<InvocationOutcome>;
    accounts: StorageAccounts;
    env: NodeJS.ProcessEnv;
    logger: HostLogger;
    pollIntervalMs: number;
}

export class BlobTrigger {
    readonly #options: BlobTriggerOptions;
    readonly #pattern: BlobPattern;
    readonly #connection: string;
    readonly #container: ContainerClient;
    readonly #receipts: ContainerClient;
    /** blob name → ETag already processed (seeded from the receipts at start). */
    readonly #done = new Map<string, string>();
    readonly #failures = new Map<string, number>();
    #stopped = false;
    #loop: Promise<void> | undefined;
    #wake: (() => void) | undefined;

    constructor(options: BlobTriggerOptions) {
        this.#options = options;
        const binding = options.fn.trigger.binding;
        if (typeof binding.path !== 'string') throw new Error(`Blob trigger '${options.fn.name}' has no path.`);
        this.#pattern = parseBlobPattern(resolveSettingReferences(binding.path, options.env));
        this.#connection = options.accounts.connectionOf(binding);
        this.#container = options.accounts.container(this.#connection, this.#pattern.container);
        this.#receipts = options.accounts.container(HOST_CONNECTION, HOSTS_CONTAINER);
    }

    #receiptPrefix(): string {
        return `blobreceipts/${HOST_ID}/${this.#options.fn.name}/${this.#pattern.container}/`;
    }

    async start(): Promise<void> {
        await this.#options.accounts.createdContainer(HOST_CONNECTION, HOSTS_CONTAINER);
        for await (const receipt of this.#receipts.listBlobsFlat({
            prefix: this.#receiptPrefix(),
            includeMetadata: true,
        })) {
            const etag = receipt.metadata?.etag;
            if (etag) this.#done.set(receipt.name.slice(this.#receiptPrefix().length), etag);
        }
        this.#loop = this.#run();
    }

    async #run(): Promise<void> {
        while (!this.#stopped) {
            try {
                await this.#scan();
            } catch (error) {
                this.#options.logger.warn(
                    `Blob trigger '${this.#options.fn.name}' could not scan '${this.#pattern.container}': ${errorMessage(error)}`,
                );
            }
            await new Promise<void>((resolve) => {
                const timer = setTimeout(resolve, this.#options.pollIntervalMs);
                this.#wake = () => {
                    clearTimeout(timer);
                    resolve();
                };
            });
        }
    }

    async #scan(): Promise<void> {
        if (!(await this.#container.exists())) return;
        for await (const blob of this.#container.listBlobsFlat({ prefix: this.#pattern.prefix })) {
            if (this.#stopped) return;
            const etag = blob.properties.etag ?? '';
            const captures = this.#pattern.match(blob.name);
            if (!captures || this.#done.get(blob.name) === etag) continue;
            await this.#process(blob.name, etag, captures);
        }
    }

    async #process(blobName: string, etag: string, captures: Record<string, string>): Promise<void> {
        const { fn, invoke, logger } = this.#options;
        const blob = this.#container.getBlobClient(blobName);
        const path = `${this.#pattern.container}/${blobName}`;
        let outcome: InvocationOutcome;
        try {
            const content = await blob.downloadToBuffer();
            const metadata: Record<string, TypedData> = {
                BlobTrigger: { string: path },
                Uri: { string: blob.url },
            };
            for (const [name, value] of Object.entries(captures)) metadata[name] = { string: value };
            outcome = await invoke({
                functionName: fn.name,
                inputData: [{ name: fn.trigger.name, data: { bytes: new Uint8Array(content) } }],
                triggerMetadata: metadata,
            });
        } catch (error) {
            outcome = { status: 'failure', invocationId: '', message: errorMessage(error) };
        }
        const key = `${blobName}|${etag}`;
        if (outcome.status === 'failure') {
            const attempts = (this.#failures.get(key) ?? 0) + 1;
            this.#failures.set(key, attempts);
            if (attempts < MAX_ATTEMPTS) return;
            logger.warn(
                `Blob '${path}' failed ${attempts} times (last: ${outcome.message}); sent to '${POISON_QUEUE}'.`,
            );
            const poison = await this.#options.accounts.createdQueue(HOST_CONNECTION, POISON_QUEUE);
            const message = JSON.stringify({
                FunctionId: fn.name,
                BlobType: 'BlockBlob',
                ContainerName: this.#pattern.container,
                BlobName: blobName,
                ETag: etag,
            });
            await poison.sendMessage(Buffer.from(message, 'utf8').toString('base64'));
        }
        this.#failures.delete(key);
        await this.#receipts
            .getBlockBlobClient(`${this.#receiptPrefix()}${blobName}`)
            .uploadData(Buffer.alloc(0), { metadata: { etag } });
        this.#done.set(blobName, etag);
    }

    async stop(): Promise<void> {
        this.#stopped = true;
        this.#wake?.();
        await this.#loop;
    }
}
