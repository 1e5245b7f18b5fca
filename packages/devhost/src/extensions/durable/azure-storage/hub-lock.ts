/**
 * One devhost process per task hub: a blob lease on `<hub>-leases/devhost-hub-lock`, taken at start, renewed
 * while the process runs and released at stop. The provider shares a hub between hosts with blob leases in the
 * same container (its partition leases, `<hub>-leases/default/<partition>`, in Azure/durabletask
 * DurableTask.AzureStorage/Partitioning); the devhost does not balance partitions, so it holds the whole hub:
 * its in-memory state (instance cache, held messages, in-process work) is only right when no other process
 * works on the hub.
 *
 * Taking it: a second process refuses to start with one line saying who holds the hub. A holder killed on this
 * machine (its pid is gone) is recognised and its lease broken at once, so a restart after `kill -9` does not
 * wait; a holder elsewhere loses the hub when its lease expires (LEASE_SECONDS) without renewals. The break is
 * conditional on the blob being as it was when its dead holder was read (If-Match): a holder that took the
 * lease meanwhile has written its own pid since, and is left alone. And a holder whose lease was broken
 * between its acquire and its pid write finds out when that write fails, and starts over.
 *
 * Keeping it: renewed every RENEW_EVERY_MS. A renewal that fails for a passing reason is tried again every
 * second; once the lease may have run out (LEASE_SECONDS since the last renewal, e.g. after a stall at a
 * breakpoint or a storage outage), `onLapsed` tells the runtime to stop taking work, since another process
 * may now take the hub. Azure Storage renews an expired lease only if nobody leased the blob since, so a
 * renewal that succeeds again (`onRegained`) proves nobody did: work goes on. One refused as
 * LeaseIdMismatch / LeaseNotPresent means another process holds the hub: `onLost`, for good.
 */
import { hostname } from 'node:os';
import type { BlobLeaseClient, BlockBlobClient, ContainerClient } from '@azure/storage-blob';
import { httpStatusOf } from '../../../host/storage-account/storage-errors';
import type { HubLockEvents, HubLockHandle } from '../task-hub-port/task-hub-storage';

/** 15-60 s are allowed; the shortest lets a killed holder on another machine go soonest. */
const LEASE_SECONDS = 15;
const RENEW_EVERY_MS = 5_000;
const RETRY_RENEWAL_MS = 1_000;
/** A renewal not answered within this is given up (and tried again): well inside the lease. */
const RENEW_TIMEOUT_MS = 5_000;
const LOCK_BLOB = 'devhost-hub-lock';
/** Rounds of acquire / break / pid write before giving up on a hub other processes keep fighting over. */
const MAX_ACQUIRE_ROUNDS = 5;

export class HubLockedError extends Error {
    constructor(hubName: string, holder: string) {
        super(
            `Task hub '${hubName}' is in use by another devhost process (${holder}). Stop it, or use another task hub (TASKHUB_NAME); a killed holder on another machine lets go within ${LEASE_SECONDS} s.`,
        );
        this.name = 'HubLockedError';
    }
}

export type HubLock = HubLockHandle;

interface Holder {
    pid: string;
    host: string;
}

/** Lock-blob metadata of a holder that handed its in-memory work over at stop (durable-runtime.ts). */
const HANDED_OVER = 'handedover';

function isAlive(pid: number): boolean {
    try {
        process.kill(pid, 0);
        return true;
    } catch (error) {
        // EPERM: it exists but is not ours to signal.
        return typeof error === 'object' && error !== null && 'code' in error && error.code === 'EPERM';
    }
}

/** 409 LeaseIdMismatch / LeaseAlreadyPresent / LeaseNotPresent, 412 a condition not met: someone else's turn. */
function lostTheRace(error: unknown): boolean {
    const status = httpStatusOf(error);
    return status === 409 || status === 412;
}

async function holderOf(blob: BlockBlobClient): Promise<{ holder: Holder; etag: string | undefined }> {
    const properties = await blob.getProperties();
    const metadata = properties.metadata ?? {};
    return { holder: { pid: metadata.pid ?? '?', host: metadata.host ?? '?' }, etag: properties.etag };
}

export async function acquireHubLock(
    container: ContainerClient,
    hubName: string,
    events: HubLockEvents,
): Promise<HubLock> {
    await container.createIfNotExists();
    const blob = container.getBlockBlobClient(LOCK_BLOB);
    try {
        await blob.upload('', 0, { conditions: { ifNoneMatch: '*' } });
    } catch (error) {
        // 409: it exists (and may be leased); 412: created meanwhile. Either way there is a blob to lease.
        if (!lostTheRace(error)) throw error;
    }
    const { leases, previousHandedOver } = await takeLease(blob, hubName);
    return keepLease(blob, leases, events, previousHandedOver);
}

/**
 * Acquires the lease (breaking a dead local holder's) and writes this process as the holder, which also clears
 * the previous holder's hand-over mark: from now on, work in this process's memory is what recovery would find.
 */
async function takeLease(
    blob: BlockBlobClient,
    hubName: string,
): Promise<{ leases: BlobLeaseClient; previousHandedOver: boolean }> {
    const me: Holder = { pid: String(process.pid), host: hostname() };
    let lastError: unknown;
    for (let round = 0; round < MAX_ACQUIRE_ROUNDS; round++) {
        const leases = blob.getBlobLeaseClient();
        try {
            await leases.acquireLease(LEASE_SECONDS);
        } catch (error) {
            if (httpStatusOf(error) !== 409) throw error;
            const { holder, etag } = await holderOf(blob);
            const pid = Number(holder.pid);
            const killedHere = holder.host === me.host && Number.isInteger(pid) && pid > 0 && !isAlive(pid);
            if (!killedHere) throw new HubLockedError(hubName, `pid ${holder.pid} on ${holder.host}`);
            try {
                // Only if nobody wrote themselves in since we read the dead pid.
                await blob.getBlobLeaseClient().breakLease(0, { conditions: { ifMatch: etag } });
            } catch (breakError) {
                if (!lostTheRace(breakError)) throw breakError;
            }
            lastError = error;
            continue;
        }
        try {
            const previous = (await blob.getProperties({ conditions: { leaseId: leases.leaseId } })).metadata ?? {};
            await blob.setMetadata({ pid: me.pid, host: me.host }, { conditions: { leaseId: leases.leaseId } });
            return { leases, previousHandedOver: previous[HANDED_OVER] !== undefined };
        } catch (error) {
            // Our lease was broken before we could say it is ours (another process read the dead holder's pid):
            // start over; its holder has written itself in by now, or soon will.
            if (!lostTheRace(error)) throw error;
            lastError = error;
        }
    }
    throw new Error(`Could not take task hub '${hubName}': other processes keep taking it.`, { cause: lastError });
}

function keepLease(
    blob: BlockBlobClient,
    leases: BlobLeaseClient,
    events: HubLockEvents,
    previousHandedOver: boolean,
): HubLock {
    let lastRenewed = Date.now();
    let lapsed = false;
    let stopped = false;
    let timer: NodeJS.Timeout | undefined;
    // A handler that throws must not stop the renewals (nor surface as an uncaught timer exception).
    const tell = (event: () => void): void => {
        try {
            event();
        } catch {
            /* the runtime's own business */
        }
    };
    const lapse = (error: unknown): void => {
        if (lapsed) return;
        lapsed = true;
        tell(() => events.onLapsed(error));
    };
    const schedule = (ms: number): void => {
        if (stopped) return;
        timer = setTimeout(renew, ms);
        timer.unref();
    };
    const renew = (): void => {
        const attempt = Date.now();
        // A stall (a breakpoint, a long synchronous call) may have let the lease run out before this renewal.
        if (attempt - lastRenewed >= LEASE_SECONDS * 1000)
            lapse(new Error(`the lease was not renewed for ${Math.round((attempt - lastRenewed) / 1000)} s`));
        // A renewal that hangs must not keep the lapse unnoticed: it is given up and tried again.
        leases.renewLease({ abortSignal: AbortSignal.timeout(RENEW_TIMEOUT_MS) }).then(
            () => {
                if (stopped) return;
                if (Date.now() - attempt >= LEASE_SECONDS * 1000) {
                    // An answer that took longer than the lease (the process stood still meanwhile) says the
                    // lease was ours then, not now: renew again at once before going on.
                    lapse(new Error('the renewal answered after the lease could have run out'));
                    schedule(0);
                    return;
                }
                lastRenewed = attempt;
                if (lapsed) {
                    lapsed = false;
                    tell(() => events.onRegained());
                }
                schedule(RENEW_EVERY_MS);
            },
            async (error: unknown) => {
                if (stopped) return;
                if (lostTheRace(error)) {
                    // Another process holds the hub: stop taking work at once, then say who.
                    stopped = true;
                    lapse(error);
                    const holder = await holderOf(blob).then(
                        ({ holder: h }) => `pid ${h.pid} on ${h.host}`,
                        () => 'another process',
                    );
                    tell(() => events.onLost(error, holder));
                    return;
                }
                if (Date.now() - lastRenewed >= LEASE_SECONDS * 1000) lapse(error);
                schedule(RETRY_RENEWAL_MS);
            },
        );
    };
    schedule(RENEW_EVERY_MS);
    return {
        previousHandedOver,
        async release(options?: { handedOver?: boolean }): Promise<void> {
            stopped = true;
            clearTimeout(timer);
            if (options?.handedOver) {
                // A mark that cannot be written is no mark: the next holder recovers as after a crash.
                await blob
                    .setMetadata(
                        { pid: String(process.pid), host: hostname(), [HANDED_OVER]: new Date().toISOString() },
                        { conditions: { leaseId: leases.leaseId } },
                    )
                    .catch(() => undefined);
            }
            await leases.releaseLease().catch(() => undefined);
        },
    };
}
