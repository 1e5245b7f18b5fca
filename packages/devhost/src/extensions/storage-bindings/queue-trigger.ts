/**
 * `app.storageQueue`: polls the queue and invokes the function once per message, as the Storage extension's
 * queue listener does (Microsoft's queue trigger and host.json references): up to `batchSize` messages at a
 * time, each hidden while it runs; deleted after success; after a failure visible again after
 * `visibilityTimeout`, and once it has been dequeued `maxDequeueCount` times moved to `<queue>-poison`.
 * An empty queue backs off exponentially up to `maxPollingInterval`; a message resets it.
 */
import type { QueueClient } from '@azure/storage-queue';
import { resolveBindingExpression } from '../../host/bindings/binding-expression';
import { errorMessage } from '../../shared/errors';
import type {
    HostLogger,
    InvocationOutcome,
    InvokeRequest,
    RegisteredFunction,
    TypedData,
} from '../../shared/host-contracts';
import type { StorageAccounts } from './accounts';
import { decodeQueueMessage } from './queue-messages';
import type { QueueSettings } from './queue-settings';

/** How long a message stays hidden while the function runs (the host renews; one long lease is enough here). */
const PROCESSING_VISIBILITY_SECONDS = 600;
const MIN_POLL_MS = 100;

export interface QueueTriggerOptions {
    fn: RegisteredFunction;
    invoke: (request: InvokeRequest) => Promise<InvocationOutcome>;
    accounts: StorageAccounts;
    settings: QueueSettings;
    env: NodeJS.ProcessEnv;
    logger: HostLogger;
}

interface Received {
    messageId: string;
    popReceipt: string;
    messageText: string;
    dequeueCount: number;
    insertedOn?: Date;
    expiresOn?: Date;
    nextVisibleOn?: Date;
}

export class QueueTrigger {
    readonly #options: QueueTriggerOptions;
    readonly #queueName: string;
    readonly #queue: QueueClient;
    readonly #connection: string;
    #stopped = false;
    #loop: Promise<void> | undefined;
    #wake: (() => void) | undefined;

    constructor(options: QueueTriggerOptions) {
        this.#options = options;
        const binding = options.fn.trigger.binding;
        if (typeof binding.queueName !== 'string')
            throw new Error(`Queue trigger '${options.fn.name}' has no queueName.`);
        this.#queueName = resolveBindingExpression(binding.queueName, {}, options.env).toLowerCase();
        this.#connection = options.accounts.connectionOf(binding);
        this.#queue = options.accounts.queue(this.#connection, this.#queueName);
    }

    async start(): Promise<void> {
        await this.#options.accounts.createdQueue(this.#connection, this.#queueName);
        this.#loop = this.#run();
    }

    async #run(): Promise<void> {
        const { settings, logger, fn } = this.#options;
        let idleMs = MIN_POLL_MS;
        while (!this.#stopped) {
            let received: Received[] = [];
            try {
                const response = await this.#queue.receiveMessages({
                    numberOfMessages: settings.batchSize,
                    visibilityTimeout: PROCESSING_VISIBILITY_SECONDS,
                });
                received = response.receivedMessageItems;
            } catch (error) {
                logger.warn(`Queue trigger '${fn.name}' could not poll '${this.#queueName}': ${errorMessage(error)}`);
            }
            if (received.length > 0) {
                idleMs = MIN_POLL_MS;
                await Promise.all(received.map((message) => this.#process(message)));
                continue;
            }
            await new Promise<void>((resolve) => {
                const timer = setTimeout(resolve, idleMs);
                this.#wake = () => {
                    clearTimeout(timer);
                    resolve();
                };
            });
            idleMs = Math.min(idleMs * 2, settings.maxPollingIntervalMs);
        }
    }

    #metadata(message: Received): Record<string, TypedData> {
        const json = (value: unknown): TypedData => ({ json: JSON.stringify(value) });
        return {
            Id: json(message.messageId),
            PopReceipt: json(message.popReceipt),
            DequeueCount: json(message.dequeueCount),
            InsertionTime: json(message.insertedOn?.toISOString()),
            ExpirationTime: json(message.expiresOn?.toISOString()),
            NextVisibleTime: json(message.nextVisibleOn?.toISOString()),
        };
    }

    async #process(message: Received): Promise<void> {
        const { fn, invoke, settings, logger } = this.#options;
        let outcome: InvocationOutcome;
        try {
            const text = decodeQueueMessage(message.messageText, settings.messageEncoding);
            outcome = await invoke({
                functionName: fn.name,
                inputData: [{ name: fn.trigger.name, data: { string: text } }],
                triggerMetadata: { ...this.#metadata(message), QueueTrigger: { string: text } },
            });
        } catch (error) {
            outcome = { status: 'failure', invocationId: '', message: errorMessage(error) };
        }
        try {
            if (outcome.status === 'success') {
                await this.#queue.deleteMessage(message.messageId, message.popReceipt);
            } else if (message.dequeueCount >= settings.maxDequeueCount) {
                logger.warn(
                    `Message ${message.messageId} of '${this.#queueName}' failed ${message.dequeueCount} times ` +
                        `(last: ${outcome.message}); moved to '${this.#queueName}-poison'.`,
                );
                const poison = await this.#options.accounts.createdQueue(this.#connection, `${this.#queueName}-poison`);
                await poison.sendMessage(message.messageText);
                await this.#queue.deleteMessage(message.messageId, message.popReceipt);
            } else {
                await this.#queue.updateMessage(
                    message.messageId,
                    message.popReceipt,
                    undefined,
                    settings.visibilityTimeoutSeconds,
                );
            }
        } catch (error) {
            // The message reappears when its processing visibility runs out and is tried again.
            logger.warn(
                `Queue trigger '${fn.name}' could not settle message ${message.messageId}: ${errorMessage(error)}`,
            );
        }
    }

    async stop(): Promise<void> {
        this.#stopped = true;
        this.#wake?.();
        await this.#loop;
    }
}
