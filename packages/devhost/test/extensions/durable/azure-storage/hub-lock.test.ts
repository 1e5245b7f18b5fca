/**
 * The hub lock (storage/hub-lock.ts) on Azurite, at the moments two processes race for it: a dead holder's
 * lease is broken only if nobody wrote themselves in since it was read; a process whose fresh lease is broken
 * before it writes its pid does not believe it holds the hub; and a holder whose lease another process took
 * hears so (`onLost`, naming the new holder) at its next renewal.
 */
import { hostname } from 'node:os';
import { BlobServiceClient, type BlockBlobClient, type ContainerClient } from '@azure/storage-blob';
import { afterEach, describe, expect, it } from 'vitest';
import {
    acquireHubLock,
    HubLockedError,
    type HubLock,
} from '../../../../src/extensions/durable/azure-storage/hub-lock';
import type { HubLockEvents } from '../../../../src/extensions/durable/task-hub-port/task-hub-storage';
import { azuriteConnectionString, uniqueHubName } from '../../../support/storage';

const LOCK_BLOB = 'devhost-hub-lock';
/** A pid no process has here (Linux pids stay below 2^22). */
const DEAD_PID = '4194999';

const held: HubLock[] = [];
afterEach(async () => {
    for (const lock of held.splice(0)) await lock.release();
});

function container(hubName: string): ContainerClient {
    return BlobServiceClient.fromConnectionString(azuriteConnectionString()).getContainerClient(
        `${hubName.toLowerCase()}-leases`,
    );
}

function quietEvents(seen: string[] = []): HubLockEvents {
    return {
        onLapsed: () => seen.push('lapsed'),
        onRegained: () => seen.push('regained'),
        onLost: (_error, holder) => seen.push(`lost to ${holder}`),
    };
}

/** The container, except that `around` runs on the lock blob's calls (to interleave another process). */
function interleaved(
    real: ContainerClient,
    around: (method: string, blob: BlockBlobClient, call: () => Promise<unknown>) => Promise<unknown>,
): ContainerClient {
    return new Proxy(real, {
        get(target, property, receiver) {
            if (property !== 'getBlockBlobClient') return Reflect.get(target, property, receiver) as unknown;
            return (name: string) => {
                const blob = target.getBlockBlobClient(name);
                return new Proxy(blob, {
                    get(inner, method, innerReceiver) {
                        const value: unknown = Reflect.get(inner, method, innerReceiver);
                        if (typeof value !== 'function' || (method !== 'getProperties' && method !== 'setMetadata'))
                            return value;
                        const fn = value as (...args: unknown[]) => Promise<unknown>;
                        return (...args: unknown[]) => around(method, blob, () => fn.apply(inner, args));
                    },
                });
            };
        },
    }) as ContainerClient;
}

/** A lock blob whose last holder, on this machine, is dead, and whose lease is still live. */
async function leftByADeadHolder(hubName: string): Promise<BlockBlobClient> {
    const leases = container(hubName);
    await leases.createIfNotExists();
    const blob = leases.getBlockBlobClient(LOCK_BLOB);
    await blob.upload('', 0);
    const dead = blob.getBlobLeaseClient();
    await dead.acquireLease(15);
    await blob.setMetadata({ pid: DEAD_PID, host: hostname() }, { conditions: { leaseId: dead.leaseId } });
    return blob;
}

describe('taking the hub', () => {
    it("breaks a dead holder's lease only if nobody wrote themselves in after it was read", async () => {
        const hubName = uniqueHubName('Lock');
        const blob = await leftByADeadHolder(hubName);
        let interleavedOnce = false;
        const racing = interleaved(container(hubName), async (method, _blob, call) => {
            const result = await call();
            if (method === 'getProperties' && !interleavedOnce) {
                interleavedOnce = true;
                // Another process, at this very moment, breaks the dead lease, takes it and writes itself in.
                await blob.getBlobLeaseClient().breakLease(0);
                const other = blob.getBlobLeaseClient();
                await other.acquireLease(15);
                await blob.setMetadata(
                    { pid: String(process.pid), host: hostname() },
                    { conditions: { leaseId: other.leaseId } },
                );
            }
            return result;
        });
        await expect(acquireHubLock(racing, hubName, quietEvents())).rejects.toThrow(HubLockedError);
        expect((await blob.getProperties()).metadata).toMatchObject({ pid: String(process.pid) });
        expect(interleavedOnce).toBe(true);
    });

    it('does not hold the hub when its fresh lease was broken before it wrote its pid', async () => {
        const hubName = uniqueHubName('Lock');
        const leases = container(hubName);
        await leases.createIfNotExists();
        let broken = false;
        const racing = interleaved(leases, async (method, blob, call) => {
            if (method === 'setMetadata' && !broken) {
                broken = true;
                // Between our acquire and our pid write, another process reads the previous (dead) holder and
                // breaks our lease, then takes the hub.
                await blob.getBlobLeaseClient().breakLease(0);
                const other = blob.getBlobLeaseClient();
                await other.acquireLease(15);
                await blob.setMetadata(
                    { pid: String(process.pid), host: 'elsewhere' },
                    { conditions: { leaseId: other.leaseId } },
                );
            }
            return call();
        });
        await expect(acquireHubLock(racing, hubName, quietEvents())).rejects.toThrow(/pid \d+ on elsewhere/);
        expect(broken).toBe(true);
    });

    it("takes a dead local holder's hub at once", async () => {
        const hubName = uniqueHubName('Lock');
        await leftByADeadHolder(hubName);
        const lock = await acquireHubLock(container(hubName), hubName, quietEvents());
        held.push(lock);
        const metadata = (await container(hubName).getBlockBlobClient(LOCK_BLOB).getProperties()).metadata;
        expect(metadata).toMatchObject({ pid: String(process.pid), host: hostname() });
    });
});

describe('keeping the hub', () => {
    it('hears at its next renewal that another process took the lease, and who', async () => {
        const hubName = uniqueHubName('Lock');
        const seen: string[] = [];
        const lock = await acquireHubLock(container(hubName), hubName, quietEvents(seen));
        held.push(lock);
        const blob = container(hubName).getBlockBlobClient(LOCK_BLOB);
        await blob.getBlobLeaseClient().breakLease(0);
        const other = blob.getBlobLeaseClient();
        await other.acquireLease(15);
        await blob.setMetadata({ pid: '77', host: 'another-machine' }, { conditions: { leaseId: other.leaseId } });
        const deadline = Date.now() + 8_000;
        while (seen.length < 2 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
        // It stops taking work at once (lapsed), then says who holds the hub now.
        expect(seen).toEqual(['lapsed', 'lost to pid 77 on another-machine']);
    }, 15_000);

    it('after a stall past its lease (a breakpoint), stops taking work until a renewal proves nobody took the hub', async () => {
        const hubName = uniqueHubName('Lock');
        const seen: string[] = [];
        const lock = await acquireHubLock(container(hubName), hubName, quietEvents(seen));
        held.push(lock);
        // The whole process stands still for longer than the lease, as at a breakpoint.
        const until = Date.now() + 16_000;
        while (Date.now() < until) {
            /* busy: no timer of this process runs */
        }
        const deadline = Date.now() + 8_000;
        while (seen.length < 2 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
        expect(seen).toEqual(['lapsed', 'regained']);
    }, 30_000);
});

describe('the hand-over mark', () => {
    it('tells the next holder that the previous one handed its work over, and only the next one', async () => {
        const hubName = uniqueHubName('Mark');
        const leases = container(hubName);
        await leases.createIfNotExists();
        const first = await acquireHubLock(leases, hubName, quietEvents());
        expect(first.previousHandedOver).toBe(false);
        await first.release({ handedOver: true });

        const second = await acquireHubLock(leases, hubName, quietEvents());
        expect(second.previousHandedOver).toBe(true);
        // Released without the mark, as a stop that left work unchecked does (a killed holder writes nothing:
        // taking the hub already cleared the mark).
        await second.release();

        const third = await acquireHubLock(leases, hubName, quietEvents());
        held.push(third);
        expect(third.previousHandedOver).toBe(false);
    });
});
