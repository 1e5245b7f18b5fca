/**
 * Storage accounts of bindings, by connection name, as the Functions host resolves `connection`: the setting
 * of that name (a connection string) or its `__accountName` / `__*ServiceUri` identity settings; no
 * `connection` means `AzureWebJobsStorage`. Clients are created once per account and resource.
 */
import type { TableClient } from '@azure/data-tables';
import type { ContainerClient } from '@azure/storage-blob';
import type { QueueClient } from '@azure/storage-queue';
import { createAccountClients, storageConnectionFromEnv, type AccountClients } from '../../host/storage-account';
import type { BindingInfo } from '../../shared/host-contracts';

/** The host's own connection: the default of bindings, and where timer status and blob receipts live. */
export const HOST_CONNECTION = 'AzureWebJobsStorage';

export class StorageAccounts {
    readonly #env: NodeJS.ProcessEnv;
    readonly #accounts = new Map<string, AccountClients>();
    readonly #clients = new Map<string, QueueClient | ContainerClient | TableClient>();
    readonly #created = new Map<string, Promise<unknown>>();

    constructor(env: NodeJS.ProcessEnv) {
        this.#env = env;
    }

    #account(connection: string): AccountClients {
        let account = this.#accounts.get(connection);
        if (!account) {
            account = createAccountClients(storageConnectionFromEnv(this.#env, connection));
            this.#accounts.set(connection, account);
        }
        return account;
    }

    #cached<T extends QueueClient | ContainerClient | TableClient>(key: string, create: () => T): T {
        let client = this.#clients.get(key) as T | undefined;
        if (!client) {
            client = create();
            this.#clients.set(key, client);
        }
        return client;
    }

    /** Creates the resource once per process (the host creates queues, containers and tables on first use). */
    #ensureCreated(key: string, create: () => Promise<unknown>): Promise<unknown> {
        let created = this.#created.get(key);
        if (!created) {
            created = create().catch((error: unknown) => {
                this.#created.delete(key);
                throw error;
            });
            this.#created.set(key, created);
        }
        return created;
    }

    /** The queue, created on first use. */
    async createdQueue(connection: string, name: string): Promise<QueueClient> {
        const queue = this.queue(connection, name);
        await this.#ensureCreated(`${connection}|queue|${name}`, () => queue.createIfNotExists());
        return queue;
    }

    /** The container, created on first use. */
    async createdContainer(connection: string, name: string): Promise<ContainerClient> {
        const container = this.container(connection, name);
        await this.#ensureCreated(`${connection}|blob|${name}`, () => container.createIfNotExists());
        return container;
    }

    /** The table, created on first use. */
    async createdTable(connection: string, name: string): Promise<TableClient> {
        const table = this.table(connection, name);
        await this.#ensureCreated(`${connection}|table|${name}`, () => table.createTable());
        return table;
    }

    connectionOf(binding: BindingInfo): string {
        return typeof binding.connection === 'string' && binding.connection.trim() !== ''
            ? binding.connection.trim()
            : HOST_CONNECTION;
    }

    queue(connection: string, name: string): QueueClient {
        return this.#cached(`${connection}|queue|${name}`, () => this.#account(connection).queue(name));
    }

    container(connection: string, name: string): ContainerClient {
        return this.#cached(`${connection}|blob|${name}`, () => this.#account(connection).container(name));
    }

    table(connection: string, name: string): TableClient {
        return this.#cached(`${connection}|table|${name}`, () => this.#account(connection).table(name));
    }
}
