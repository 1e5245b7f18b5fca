/**
 * Requests to a host running in this test process go through its HTTP pipeline in memory
 * (`RunningHost.fetch`), without a socket; anything else (a devhost CLI process, Azurite) over the network.
 * Tests whose point is HTTP framing (the node:http adapter, streaming, cookies, keys, the CLI) and the e2e
 * tests use the global `fetch` instead.
 */
import type { RunningHost } from '../../src/host/start-host';

const hosts = new Map<string, RunningHost>();

/** Routes `testFetch` calls for `host.origin` to the host in memory; returns the host. */
export function serveInMemory(host: RunningHost): RunningHost {
    hosts.set(host.origin, host);
    return host;
}

export function testFetch(input: string | URL, init?: RequestInit): Promise<Response> {
    const url = new URL(input);
    const host = hosts.get(url.origin);
    return host ? host.fetch(url, init) : fetch(url, init);
}
