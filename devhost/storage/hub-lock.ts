/**
 * One devhost process per task hub: a blob lease on `<hub>-leases/devhost-hub-lock`, taken at start, renewed
 * while the process runs and released at stop. The provider shares a hub between hosts with blob leases in the
 * same container (its partition leases, `<hub>-leases/default/<partition>`, in Azure/durabletask
 * DurableTask.AzureStorage/Partitioning); the devhost does not balance partitions, so it holds the whole hub:
 * its in-memory state (instance cache, held messages) is only right when no other process works on the hub.
 *
 * A second process refuses to start with one line saying who holds the hub. A holder that was killed on this
 * machine (its pid is gone) is recognised and its lease broken at once, so a restart after `kill -9` does not
 * wait; a holder elsewhere loses the hub when its lease expires (LEASE_SECONDS) without renewals.
 */
import { hostname } from 'node:os';
import type { ContainerClient } from '@azure/storage-blob';
import { httpStatusOf } from './storage-errors';

/** 15-60 s are allowed; the shortest lets a killed holder on another machine go soonest. */
const LEASE_SECONDS = 15;
const RENEW_EVERY_MS = 5_000;
const LOCK_BLOB = 'devhost-hub-lock';

export class HubLockedError extends Error {
    constructor(hubName: string, holder: string) {
        super(
            `Task hub '${hubName}' is in use by another devhost process (${holder}). Stop it, or use another task hub (TASKHUB_NAME); a killed holder on another machine lets go within ${LEASE_SECONDS} s.`,
        );
        this.name = 'HubLockedError';
    }
}

export interface HubLock {
    release(): Promise<void>;
}

interface Holder {
    pid: string;
    host: string;
}

function isAlive(pid: number): boolean {
    try {
        process.kill(pid, 0);
        return true;
    } catch (error) {
        // EPERM: it exists but is not ours to signal.
        return typeof error === 'object' && error !== null && 'code' in error && error.code === 'EPERM';
    }
}

export async function acquireHubLock(
    container: ContainerClient,
    hubName: string,
    onLost: (error: unknown) => void,
): Promise<HubLock> {
    await container.createIfNotExists();
    const blob = container.getBlockBlobClient(LOCK_BLOB);
    const me: Holder = { pid: String(process.pid), host: hostname() };
    try {
        await blob.upload('', 0, { conditions: { ifNoneMatch: '*' } });
    } catch (error) {
        // 409: it exists (and may be leased); 412: created meanwhile. Either way there is a blob to lease.
        const status = httpStatusOf(error);
        if (status !== 409 && status !== 412) throw error;
    }
    const leases = blob.getBlobLeaseClient();
    try {
        await leases.acquireLease(LEASE_SECONDS);
    } catch (error) {
        if (httpStatusOf(error) !== 409) throw error;
        const metadata = (await blob.getProperties()).metadata ?? {};
        const holder: Holder = { pid: metadata.pid ?? '?', host: metadata.host ?? '?' };
        const pid = Number(holder.pid);
        const killedHere = holder.host === me.host && Number.isInteger(pid) && pid > 0 && !isAlive(pid);
        if (!killedHere) throw new HubLockedError(hubName, `pid ${holder.pid} on ${holder.host}`);
        await blob.getBlobLeaseClient().breakLease(0);
        await leases.acquireLease(LEASE_SECONDS);
    }
    await blob.setMetadata({ pid: me.pid, host: me.host }, { conditions: { leaseId: leases.leaseId } });
    let lost = false;
    const timer = setInterval(() => {
        leases.renewLease().then(
            () => (lost = false),
            (error: unknown) => {
                if (!lost) onLost(error);
                lost = true;
            },
        );
    }, RENEW_EVERY_MS);
    timer.unref();
    return {
        async release(): Promise<void> {
            clearInterval(timer);
            await leases.releaseLease().catch(() => undefined);
        },
    };
}
