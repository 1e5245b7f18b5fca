/**
 * The devhost and a Functions host never work on one task hub side by side (storage/provider-partitions.ts).
 * A provider's live ownership, in each of the layouts DTFx keeps it (Azure/durabletask
 * DurableTask.AzureStorage/Partitioning: AppLeaseManager.cs, TablePartitionManager.cs and
 * TablePartitionLease.cs, BlobPartitionLeaseManager.cs and Lease.cs), is written here as the provider writes
 * it; the devhost refuses the hub while it is live and takes it once it is released. While the devhost holds
 * the hub, what a provider checks before it starts a control queue says "taken".
 */
import { TableClient } from '@azure/data-tables';
import { BlobServiceClient, type ContainerClient } from '@azure/storage-blob';
import { afterEach, describe, expect, it } from 'vitest';
import { createHubClients } from '../../../../src/extensions/durable/azure-storage/clients';
import { hubResourceNames } from '../../../../src/extensions/durable/azure-storage/hub-resources';
import {
    HubOwnedByProviderError,
    keepProviderHold,
    ProviderPartitionHold,
} from '../../../../src/extensions/durable/azure-storage/provider-partitions';
import { createTaskHubStorage } from '../../../../src/extensions/durable/azure-storage/task-hub-storage';
import type { HubLockEvents } from '../../../../src/extensions/durable/task-hub-port/task-hub-storage';
import { parseConnectionString } from '../../../../src/host/storage-account/connection';
import { pollUntil } from '../../../../src/testing/poll-until';
import { azuriteConnectionString, uniqueHubName } from '../../../support/storage';

const released: { release(): Promise<void> }[] = [];
afterEach(async () => {
    for (const lock of released.splice(0)) await lock.release();
});

const events: HubLockEvents = { onLapsed: () => undefined, onRegained: () => undefined, onLost: () => undefined };

function storageFor(hubName: string) {
    return createTaskHubStorage({ connection: parseConnectionString(azuriteConnectionString()), hubName });
}

async function acquire(hubName: string) {
    const storage = storageFor(hubName);
    if (!storage.acquireHubLock) throw new Error('the storage module takes hub locks');
    return storage.acquireHubLock(events);
}

async function take(hubName: string) {
    const lock = await acquire(hubName);
    released.push(lock);
    return lock;
}

function blobs(): BlobServiceClient {
    return BlobServiceClient.fromConnectionString(azuriteConnectionString());
}

function partitionsTable(hubName: string): TableClient {
    return TableClient.fromConnectionString(azuriteConnectionString(), `${hubName}Partitions`, {
        allowInsecureConnection: true,
    });
}

/** A provider's blob partition lease: the blob's JSON names the owner, and the blob is leased (Lease.cs). */
async function providerBlobLease(hubName: string, prefix: string): Promise<{ release(): Promise<void> }> {
    const container = blobs().getContainerClient(`${hubName.toLowerCase()}-leases`);
    await container.createIfNotExists();
    const partition = `${hubName.toLowerCase()}-control-00`;
    const blob = container.getBlockBlobClient(`${prefix}/${partition}`);
    const lease = blob.getBlobLeaseClient();
    const body = (owner: string | null, token: string | null) =>
        JSON.stringify({ PartitionId: partition, Owner: owner, Token: token, Epoch: 1 });
    await blob.upload(body(null, null), body(null, null).length);
    await lease.acquireLease(30);
    await blob.upload(body('func-host-1', lease.leaseId), body('func-host-1', lease.leaseId).length, {
        conditions: { leaseId: lease.leaseId },
    });
    return {
        async release() {
            await blob.upload(body(null, null), body(null, null).length, { conditions: { leaseId: lease.leaseId } });
            await lease.releaseLease();
        },
    };
}

async function leaseState(container: ContainerClient): Promise<string | undefined> {
    return (await container.getProperties()).leaseState;
}

describe('a task hub a Functions host holds', () => {
    it('is refused while a blob partition lease under <hub>-leases/default/ is live, and taken once it is released', async () => {
        const hubName = uniqueHubName('Blob');
        const provider = await providerBlobLease(hubName, 'default');
        const refused = take(hubName);
        await expect(refused).rejects.toThrow(HubOwnedByProviderError);
        await expect(refused).rejects.toThrow(
            new RegExp(
                `Task hub '${hubName}' is in use by a Functions host \\(worker func-host-1, blob lease .*/default/`,
            ),
        );
        await provider.release();
        await expect(take(hubName)).resolves.toBeDefined();
    });

    it('is refused while an ownership lease of the safe partition manager is live', async () => {
        const hubName = uniqueHubName('Safe');
        const provider = await providerBlobLease(hubName, 'ownership');
        await expect(take(hubName)).rejects.toThrow(/ownership\//);
        await provider.release();
    });

    it('is refused while a table partition lease has not expired, and taken once it has', async () => {
        const hubName = uniqueHubName('Table');
        const table = partitionsTable(hubName);
        await table.createTable();
        const rowKey = `${hubName.toLowerCase()}-control-02`;
        const now = Date.now();
        await table.createEntity({
            partitionKey: '',
            rowKey,
            CurrentOwner: 'func-host-2',
            OwnedSince: new Date(now),
            LastRenewal: new Date(now),
            ExpiresAt: new Date(now + 30_000),
            IsDraining: false,
        });
        await expect(take(hubName)).rejects.toThrow(
            new RegExp(`worker func-host-2, ${hubName}Partitions row ${rowKey}`),
        );
        // The provider's lease ran out (ExpiresAt passed without a renewal): the hub is free.
        await table.updateEntity({ partitionKey: '', rowKey, ExpiresAt: new Date(now - 1_000) }, 'Merge');
        await expect(take(hubName)).resolves.toBeDefined();
    });

    it('is refused while the app lease is held under another id, naming a local func start by its id', async () => {
        const hubName = uniqueHubName('App');
        const container = blobs().getContainerClient(`${hubName.toLowerCase()}-applease`);
        await container.createIfNotExists();
        // AppLeaseManager: a container lease under the app's id, and the info blob naming it.
        const localFuncId = '811c9dc5-0000-0000-0000-000000000000';
        const lease = container.getBlobLeaseClient(localFuncId);
        await lease.acquireLease(60);
        const info = JSON.stringify({ OwnerId: localFuncId, DesiredSwapId: null });
        await container.getBlockBlobClient(`${hubName.toLowerCase()}-appleaseinfo`).upload(info, info.length);
        await expect(take(hubName)).rejects.toThrow(/a local func start, app lease on container/);
        await lease.releaseLease();
        await expect(take(hubName)).resolves.toBeDefined();
    });
});

describe('a task hub the devhost holds', () => {
    it('keeps the app lease and every table partition row, and lets both go at stop as the provider does', async () => {
        const hubName = uniqueHubName('Held');
        const lock = await take(hubName);
        const appLease = blobs().getContainerClient(`${hubName.toLowerCase()}-applease`);
        // A provider's app-lease acquire under its own id fails while the devhost holds it.
        expect(await leaseState(appLease)).toBe('leased');
        await expect(
            appLease.getBlobLeaseClient('811c9dc5-0000-0000-0000-000000000000').acquireLease(60),
        ).rejects.toMatchObject({
            statusCode: 409,
        });
        const rows = [];
        for await (const row of partitionsTable(hubName).listEntities()) rows.push(row);
        expect(rows.map((r) => r.rowKey).sort()).toEqual(
            [0, 1, 2, 3].map((i) => `${hubName.toLowerCase()}-control-0${i}`),
        );
        for (const row of rows) {
            // What TablePartitionManager.TryClaimLease reads: owned by someone else, not expired, not draining.
            expect(row.CurrentOwner).toMatch(/^devhost:/);
            expect((row.ExpiresAt as Date).getTime()).toBeGreaterThan(Date.now());
            expect(row.IsDraining).toBe(false);
        }

        released.splice(released.indexOf(lock), 1);
        await lock.release();
        expect(await leaseState(appLease)).not.toBe('leased');
        for await (const row of partitionsTable(hubName).listEntities()) {
            expect(row.CurrentOwner).toBeUndefined();
            expect((row.ExpiresAt as Date).getTime()).toBeLessThanOrEqual(Date.now());
        }
    });

    it('is taken again at once by the next devhost after one that was killed (its leases still live)', async () => {
        const hubName = uniqueHubName('Next');
        const first = await acquire(hubName);
        // Killed: its devhost lock is broken as hub-lock.ts does for a dead local holder, its provider-style
        // holds stay live. The next devhost owns those under the same app-lease id and worker prefix.
        const leases = blobs().getContainerClient(`${hubName.toLowerCase()}-leases`);
        await leases.getBlockBlobClient('devhost-hub-lock').getBlobLeaseClient().breakLease(0);
        await expect(take(hubName)).resolves.toBeDefined();
        released.push(first);
    });

    it('stops working on it when a Functions host starts on its blob leases anyway (useAppLease off)', async () => {
        const hubName = uniqueHubName('Beside');
        const names = hubResourceNames(hubName, 4);
        const hold = await ProviderPartitionHold.take(
            createHubClients(parseConnectionString(azuriteConnectionString()), names),
            hubName,
            names.controlQueues,
        );
        const lost: string[] = [];
        const kept = keepProviderHold(hold, (_error, holder) => lost.push(holder), 50);
        const provider = await providerBlobLease(hubName, 'intent');
        await pollUntil(
            () => Promise.resolve(lost.length),
            (n) => n > 0,
            5_000,
        );
        expect(lost[0]).toMatch(/worker func-host-1, blob lease .*\/intent\//);
        await kept.stop();
        await provider.release();
    });
});
