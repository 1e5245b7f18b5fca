/**
 * The load generator's POST: Node's own HTTP client on one keep-alive agent. The benchmark's client is not what
 * is measured, so it should cost as little as a client can: `fetch` (undici) spent ~1 ms per request in this
 * process before the host saw the request (measured with `npm run bench:profile`'s timeline), time the peer's
 * in-process workflow starts never pay.
 */
import http from 'node:http';

const agent = new http.Agent({ keepAlive: true });

/** POSTs `body` as JSON to `url`; the status and the body as text. */
export function postJson(url: string, body: unknown): Promise<{ status: number; text: string }> {
    const payload = Buffer.from(JSON.stringify(body));
    return new Promise((resolve, reject) => {
        const request = http.request(
            url,
            {
                method: 'POST',
                agent,
                headers: { 'content-type': 'application/json', 'content-length': payload.length },
            },
            (response) => {
                const chunks: Buffer[] = [];
                response.on('data', (chunk: Buffer) => chunks.push(chunk));
                response.on('end', () =>
                    resolve({ status: response.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }),
                );
                response.on('error', reject);
            },
        );
        request.on('error', reject);
        request.end(payload);
    });
}

/** Closes the agent's idle sockets (at the end of a benchmark). */
export function closeClientSockets(): void {
    agent.destroy();
}
