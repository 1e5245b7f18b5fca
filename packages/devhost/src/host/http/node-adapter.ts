import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import type { FetchHandler } from './http-core';

/** node:http request -> fetch Request; the body streams through (never buffered here). */
export function toFetchRequest(incoming: http.IncomingMessage, fallbackHost: string): Request {
    const host = incoming.headers.host ?? fallbackHost;
    const url = new URL(incoming.url ?? '/', `http://${host}`);
    const headers = new Headers();
    for (let i = 0; i + 1 < incoming.rawHeaders.length; i += 2) {
        const name = incoming.rawHeaders[i] ?? '';
        if (!name.startsWith(':')) headers.append(name, incoming.rawHeaders[i + 1] ?? '');
    }
    const method = incoming.method ?? 'GET';
    const hasBody = method !== 'GET' && method !== 'HEAD';
    return new Request(url, {
        method,
        headers,
        body: hasBody ? (Readable.toWeb(incoming) as ReadableStream<Uint8Array>) : null,
        duplex: 'half',
    } as RequestInit);
}

/** fetch Response -> node:http response, keeping every Set-Cookie as its own header line. */
export async function writeFetchResponse(response: Response, outgoing: http.ServerResponse): Promise<void> {
    outgoing.statusCode = response.status;
    for (const [name, value] of response.headers) {
        if (name !== 'set-cookie') outgoing.setHeader(name, value);
    }
    const cookies = response.headers.getSetCookie();
    if (cookies.length > 0) outgoing.setHeader('set-cookie', cookies);
    if (!response.body) {
        outgoing.end();
        return;
    }
    const reader = response.body.getReader();
    outgoing.on('close', () => void reader.cancel().catch(() => undefined));
    try {
        for (;;) {
            const { done, value } = await reader.read();
            if (done) break;
            if (outgoing.destroyed) break;
            if (!outgoing.write(value)) await new Promise<void>((resolve) => outgoing.once('drain', resolve));
        }
    } finally {
        outgoing.end();
    }
}

export interface NodeServer {
    readonly server: http.Server;
    readonly port: number;
    close(): Promise<void>;
}

/** Serves a fetch-style handler on node:http. Rejects with the listen error (e.g. EADDRINUSE). */
export async function listen(handler: FetchHandler, port: number, hostname: string): Promise<NodeServer> {
    const server = http.createServer((incoming, outgoing) => {
        const address = server.address();
        const fallbackHost = `${hostname}:${typeof address === 'object' && address ? address.port : port}`;
        void (async () => {
            try {
                const response = await handler(toFetchRequest(incoming, fallbackHost));
                await writeFetchResponse(response, outgoing);
            } catch {
                if (!outgoing.headersSent) outgoing.statusCode = 500;
                outgoing.end();
            }
        })();
    });
    await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, hostname, () => {
            server.off('error', reject);
            resolve();
        });
    });
    const actualPort = (server.address() as AddressInfo).port;
    return {
        server,
        port: actualPort,
        close: () =>
            new Promise<void>((resolve) => {
                server.close(() => resolve());
                server.closeIdleConnections();
                // In-flight requests get a bounded moment to finish, then their sockets go.
                setTimeout(() => server.closeAllConnections(), 5_000).unref();
            }),
    };
}
