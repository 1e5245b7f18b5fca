/**
 * The provider's ownership of a task hub, read and held as the provider reads and holds it, so the devhost
 * never works on a hub beside a live Functions host, and a Functions host started while the devhost runs waits
 * for it (docs/protocol.md, "Sharing a hub with the extension"). Azure/durabletask, DurableTask.AzureStorage:
 *
 * - **The app lease** (`Partitioning/AppLeaseManager.cs`): a lease on the container `<hub>-applease`, held by
 *   the app's id (`<FNV-1a of WEBSITE_SITE_NAME>-0000-0000-0000-000000000000`; `811c9dc5-…` for a local
 *   `func start`). A host starts no partition manager until it holds it (`useAppLease`, on by default in
 *   extension v2 and v3), and retries every 5 minutes (`appLeaseOptions.acquireInterval`). The devhost holds
 *   it with an id of its own: one devhost at a time (hub-lock.ts), so a killed devhost's lease is simply taken
 *   over by the next one with the same id.
 * - **Table partition leases** (`Partitioning/TablePartitionManager.cs`; DTFx's default, and the extension's
 *   with `useTablePartitionManagement`): one row per control queue in `<Hub>Partitions` (PartitionKey "",
 *   RowKey the queue), owned while `CurrentOwner` is
 *   set and `ExpiresAt` ahead. A host with `useAppLease: false` claims only a free or expired row, and
 *   "steals" by writing `NextOwner` and waiting for the owner to let go, so the devhost claims every row and
 *   pushes `ExpiresAt` on; it never sets `IsDraining` (that hands the row over at once) and leaves a
 *   `NextOwner` as written.
 * - **Blob partition leases** (`Partitioning/BlobPartitionLeaseManager.cs`; the extension 2.x default, and the
 *   legacy manager): `<hub>-leases/{default,intent,ownership}/<queue>` blobs, live while leased with an `Owner` in
 *   their JSON. The devhost reads them (a live one stops it) but does not take them: a v2 host with
 *   `useAppLease: false` is found by the check below within one renewal.
 */
import { hostname } from 'node:os';
import type { TableClient } from '@azure/data-tables';
import type { BlobLeaseClient, ContainerClient } from '@azure/storage-blob';
import { z } from 'zod';
import { httpStatusOf } from '../../../host/storage-account/storage-errors';

/** The devhost's app-lease id; the provider's ids end in `-0000-0000-0000-000000000000`. */
export const DEVHOST_APP_LEASE_ID = '64657668-6f73-4000-8000-000000000000';
/** The app-lease id of a host with no WEBSITE_SITE_NAME (`func start`): FNV-1a of "". */
const LOCAL_FUNC_APP_LEASE_ID = '811c9dc5-0000-0000-0000-000000000000';
const APP_LEASE_SECONDS = 60;
/** What the provider's own claim and renewal give a row (TablePartitionManager ClaimLease, RenewLease). */
const CLAIM_MS = 60_000;
const RENEW_MS = 30_000;
const WORKER_PREFIX = 'devhost:';
const BLOB_LEASE_PREFIXES = ['default/', 'intent/', 'ownership/'] as const;

export interface ProviderPartitionClients {
    appLease: ContainerClient;
    partitions: TableClient;
    leases: ContainerClient;
}

/** A live owner of the hub that is not a devhost. */
export interface ProviderOwner {
    owner: string;
    where: string;
}

export class HubOwnedByProviderError extends Error {
    constructor(
        hubName: string,
        readonly holder: ProviderOwner,
    ) {
        super(
            `Task hub '${hubName}' is in use by a Functions host (${holder.owner}, ${holder.where}): stop it, or give the devhost another task hub (TASKHUB_NAME). A stopped host's leases run out within a minute.`,
        );
        this.name = 'HubOwnedByProviderError';
    }
}

/** This process as a partition owner: never the machine name, which is the provider's own WorkerId locally. */
export function devhostWorkerId(): string {
    return `${WORKER_PREFIX}${hostname()}:${process.pid}`;
}

const partitionRowSchema = z.looseObject({
    partitionKey: z.string(),
    rowKey: z.string(),
    etag: z.string(),
    CurrentOwner: z.string().nullable().optional(),
    NextOwner: z.string().nullable().optional(),
    OwnedSince: z.date().nullable().optional(),
    LastRenewal: z.date().nullable().optional(),
    ExpiresAt: z.date().nullable().optional(),
    IsDraining: z.boolean().nullable().optional(),
});
type PartitionRow = z.infer<typeof partitionRowSchema>;

function liveForeignRow(row: PartitionRow, now: Date): boolean {
    const owner = row.CurrentOwner;
    return !!owner && !owner.startsWith(WORKER_PREFIX) && !!row.ExpiresAt && row.ExpiresAt.getTime() > now.getTime();
}

async function listRows(table: TableClient): Promise<PartitionRow[]> {
    const rows: PartitionRow[] = [];
    try {
        for await (const entity of table.listEntities({ queryOptions: { filter: "PartitionKey eq ''" } }))
            rows.push(partitionRowSchema.parse(entity));
    } catch (error) {
        if (httpStatusOf(error) === 404) return [];
        throw error;
    }
    return rows;
}

/** A live blob partition lease of a provider: leased, with a non-blank `Owner` that is not a devhost. */
async function foreignBlobLease(leases: ContainerClient): Promise<ProviderOwner | undefined> {
    for (const prefix of BLOB_LEASE_PREFIXES) {
        try {
            for await (const item of leases.listBlobsFlat({ prefix })) {
                if (item.properties.leaseState !== 'leased') continue;
                const text = (await leases.getBlobClient(item.name).downloadToBuffer()).toString('utf8');
                const owner = z.looseObject({ Owner: z.string().nullable().optional() }).safeParse(JSON.parse(text));
                const name = owner.success ? owner.data.Owner?.trim() : undefined;
                if (name && !name.startsWith(WORKER_PREFIX))
                    return { owner: `worker ${name}`, where: `blob lease ${leases.containerName}/${item.name}` };
            }
        } catch (error) {
            if (httpStatusOf(error) === 404) return undefined;
            throw error;
        }
    }
    return undefined;
}

async function appLeaseHolder(appLease: ContainerClient): Promise<ProviderOwner> {
    const where = `app lease on container ${appLease.containerName}`;
    const info = appLease.getBlockBlobClient(appLease.containerName.replace(/-applease$/, '-appleaseinfo'));
    const ownerId = await info
        .downloadToBuffer()
        .then((b) => z.looseObject({ OwnerId: z.string().nullable().optional() }).parse(JSON.parse(b.toString('utf8'))))
        .then((parsed) => parsed.OwnerId ?? undefined)
        .catch(() => undefined);
    if (ownerId === LOCAL_FUNC_APP_LEASE_ID) return { owner: 'a local func start', where };
    return { owner: ownerId ? `app ${ownerId}` : 'an app', where };
}

/**
 * The provider's ownership held by this process: the app lease and every table partition row. Taken after
 * the devhost's own hub lock, so any `devhost:` owner found is a previous devhost that is gone.
 */
export class ProviderPartitionHold {
    readonly #rows = new Map<string, PartitionRow>();

    private constructor(
        private readonly clients: ProviderPartitionClients,
        private readonly lease: BlobLeaseClient,
        private readonly me: string,
    ) {}

    /** Refuses (HubOwnedByProviderError) while a provider holds the hub in any of its layouts. */
    static async take(
        clients: ProviderPartitionClients,
        hubName: string,
        controlQueues: readonly string[],
        now: () => Date = () => new Date(),
    ): Promise<ProviderPartitionHold> {
        await clients.appLease.createIfNotExists();
        const lease = clients.appLease.getBlobLeaseClient(DEVHOST_APP_LEASE_ID);
        try {
            await lease.acquireLease(APP_LEASE_SECONDS);
        } catch (error) {
            // 409 LeaseAlreadyPresent: held under another id, i.e. by a Functions host.
            if (httpStatusOf(error) !== 409) throw error;
            throw new HubOwnedByProviderError(hubName, await appLeaseHolder(clients.appLease));
        }
        const hold = new ProviderPartitionHold(clients, lease, devhostWorkerId());
        try {
            const foreign = await foreignBlobLease(clients.leases);
            if (foreign) throw new HubOwnedByProviderError(hubName, foreign);
            await hold.#claimRows(hubName, controlQueues, now());
        } catch (error) {
            await hold.release(now()).catch(() => undefined);
            throw error;
        }
        return hold;
    }

    async #claimRows(hubName: string, controlQueues: readonly string[], now: Date): Promise<void> {
        const table = this.clients.partitions;
        await table.createTable();
        // One row per control queue, as the provider's CreateLeaseStore adds them (the scale logic counts them).
        await Promise.all(
            controlQueues.map((rowKey) =>
                table.createEntity({ partitionKey: '', rowKey, IsDraining: false }).catch((error: unknown) => {
                    if (httpStatusOf(error) !== 409) throw error;
                }),
            ),
        );
        for (const row of await listRows(table)) {
            if (liveForeignRow(row, now))
                throw new HubOwnedByProviderError(hubName, {
                    owner: `worker ${row.CurrentOwner ?? ''}`,
                    where: `${table.tableName} row ${row.rowKey}, until ${row.ExpiresAt?.toISOString() ?? '?'}`,
                });
            if (!controlQueues.includes(row.rowKey)) continue;
            await this.#write(row, {
                CurrentOwner: this.me,
                OwnedSince: now,
                LastRenewal: now,
                ExpiresAt: at(now, CLAIM_MS),
            });
        }
    }

    /** Replace under the row's ETag, keeping what the provider wrote (NextOwner); never IsDraining. */
    async #write(row: PartitionRow, changes: Partial<PartitionRow>): Promise<void> {
        const { etag, ...columns } = { ...row, ...changes, IsDraining: false };
        const entity = Object.fromEntries(Object.entries(columns).filter(([, v]) => v !== null && v !== undefined));
        const written = await this.clients.partitions.updateEntity(
            { ...entity, partitionKey: row.partitionKey, rowKey: row.rowKey },
            'Replace',
            { etag },
        );
        this.#rows.set(row.rowKey, { ...row, ...changes, IsDraining: false, etag: written.etag ?? etag });
    }

    /**
     * Renews the app lease and the rows, and looks for a provider that started beside the devhost anyway (one
     * with `useAppLease: false` on blob leases). Returns the owner that took or shares the hub, if any.
     */
    async renew(now: Date): Promise<ProviderOwner | undefined> {
        try {
            await this.lease.renewLease();
        } catch (error) {
            // Another id holds it now (the provider's MakeCurrentAppPrimary swaps it with ChangeLease).
            if (httpStatusOf(error) === 409 || httpStatusOf(error) === 412)
                return appLeaseHolder(this.clients.appLease);
            throw error;
        }
        for (const [rowKey, row] of this.#rows) {
            try {
                await this.#write(row, { LastRenewal: now, ExpiresAt: at(now, RENEW_MS) });
            } catch (error) {
                if (httpStatusOf(error) !== 412) throw error;
                // The provider wrote the row (a NextOwner): read it again, and keep it while it is still ours.
                const fresh = partitionRowSchema.parse(await this.clients.partitions.getEntity('', rowKey));
                if (fresh.CurrentOwner !== this.me)
                    return {
                        owner: `worker ${fresh.CurrentOwner ?? '?'}`,
                        where: `${this.clients.partitions.tableName} row ${rowKey}`,
                    };
                await this.#write(fresh, { LastRenewal: now, ExpiresAt: at(now, RENEW_MS) });
            }
        }
        return foreignBlobLease(this.clients.leases);
    }

    /** Lets go as the provider does (TablePartitionManager ReleaseLease), then the app lease. */
    async release(now: Date): Promise<void> {
        await Promise.all(
            [...this.#rows.values()].map((row) =>
                this.#write(row, { CurrentOwner: null, ExpiresAt: now }).catch(() => undefined),
            ),
        );
        this.#rows.clear();
        await this.lease.releaseLease().catch(() => undefined);
    }
}

function at(now: Date, ms: number): Date {
    return new Date(now.getTime() + ms);
}

/** The provider renews every 10 s (LeaseRenewInterval); the rows' 30 s and the app lease's 60 s leave room. */
const RENEW_EVERY_MS = 10_000;

/**
 * Renews `hold` until `stop`; a provider found on the hub is `onLost` (the runtime stops taking work). A renewal
 * that fails for a passing reason is tried again at the next turn, well inside the leases.
 */
export function keepProviderHold(
    hold: ProviderPartitionHold,
    onLost: (error: Error, holder: string) => void,
    everyMs = RENEW_EVERY_MS,
): { stop(): Promise<void> } {
    let stopped = false;
    let timer: NodeJS.Timeout | undefined;
    const tick = (): void => {
        hold.renew(new Date()).then(
            (owner) => {
                if (stopped) return;
                if (!owner) return schedule();
                stopped = true;
                const holder = `${owner.owner}, ${owner.where}`;
                onLost(new Error(`a Functions host works on this task hub (${holder})`), holder);
            },
            () => schedule(),
        );
    };
    const schedule = (): void => {
        if (stopped) return;
        timer = setTimeout(tick, everyMs);
        timer.unref();
    };
    schedule();
    return {
        async stop(): Promise<void> {
            stopped = true;
            clearTimeout(timer);
            await hold.release(new Date());
        },
    };
}
