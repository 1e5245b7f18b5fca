/**
 * The load generator's POST: Node's own HTTP client on one keep-alive agent. The benchmark's client is not what
 * is measured, so it should cost as little as a client can: `fetch` (undici) spent ~1 ms per request in this
 * process before the host saw the request (measured with `npm run bench:profile`'s timeline), time the peer's
 * in-process workflow starts never pay.
 */
import http from 'node:http';

const agent = new http.Agent({ keepAlive: true });

/**
 * POSTs `body` as JSON to `url`; the status and the body as text. A request on a kept-alive socket that the
 * server closed at that moment (its keep-alive timeout) is sent once more on a new socket, as Node's docs
 * advise (`request.reusedSocket`): the order's POST is idempotent, its instance id comes from the order id.
 */
export async function postJson(url: string, body: unknown): Promise<{ status: number; text: string }> {
    const payload = Buffer.from(JSON.stringify(body));
    try {
        return await send(url, payload);
    } catch (error) {
        if (!(error instanceof ReusedSocketReset)) throw error;
        return send(url, payload);
    }
}

class ReusedSocketReset extends Error {}

function send(url: string, payload: Buffer): Promise<{ status: number; text: string }> {
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
        request.on('error', (error: NodeJS.ErrnoException) =>
            reject(request.reusedSocket && error.code === 'ECONNRESET' ? new ReusedSocketReset(error.message) : error),
        );
        request.end(payload);
    });
}

/** Closes the agent's idle sockets (at the end of a benchmark). */
export function closeClientSockets(): void {
    agent.destroy();
}
