/**
 * `npm run bench:warmup`: what one storage call costs this process's CPU as V8 warms up, and how much of that is
 * the Azure SDK (the host's CPU per sequential order after the peer's 20 warm-up orders is still
 * over target, while the same orders after 1,270 more take half of it).
 *
 * The same point read of one table row, 4,000 times one after another, by four routes, each in a fresh process
 * with its own in-memory Azurite (code warmed by one route would make the next look cheap):
 * - `tableClient`: `TableClient.getEntity`, the SDK's whole stack (core-client's operation serializer, the
 *   pipeline, Node's http), as the app's ledger and the devhost's instance rows call it;
 * - `pipeline`: a request sent through the table client's pipeline (its policies and Node's http), as the
 *   devhost's history transactions are sent (src/extensions/durable/azure-storage/table-batch.ts);
 * - `httpClient`: the SDK's HTTP client alone (core-rest-pipeline's Node client, no policies), the request
 *   signed here (SharedKeyLite): what a client that kept only the SDK's transport would pay;
 * - `nodeHttp`: Node's `http` module on a keep-alive agent, signed the same way, and `JSON.parse` of the body:
 *   no SDK at all, the floor for any client.
 * CPU per call (`process.cpuUsage`, all threads, so V8's background compiles count) over windows of 250 calls.
 * An order makes 15 storage calls, so the benchmark's sequential phase (orders 21-220) is about calls 300-3,300.
 * Prints one JSON document; asserts nothing.
 */
import { spawnSync } from 'node:child_process';
import { createHmac } from 'node:crypto';
import http from 'node:http';
import {
    createDefaultHttpClient,
    createHttpHeaders,
    createPipelineRequest,
    type PipelineRequest,
    type PipelineResponse,
} from '@azure/core-rest-pipeline';
import { TableClient } from '@azure/data-tables';
import { DEV_ACCOUNT_KEY, DEV_ACCOUNT_NAME, startAzurite } from '../src/host/local-storage/azurite';

const ROUTES = ['tableClient', 'pipeline', 'httpClient', 'nodeHttp'] as const;
type Route = (typeof ROUTES)[number];
const WINDOWS = 16;
const CALLS_PER_WINDOW = 250;
const TABLE = 'WarmupBench';

const round = (n: number): number => Number(n.toFixed(3));

/** One route in this process: CPU ms per call of each window. */
async function measureRoute(route: Route): Promise<number[]> {
    const azurite = await startAzurite({ inMemory: true });
    try {
        const table = TableClient.fromConnectionString(azurite.connectionString, TABLE, {
            allowInsecureConnection: true,
        });
        await table.createTable();
        await table.createEntity({ partitionKey: 'p', rowKey: 'r', value: 'x' });
        const read = readBy(route, table);
        const perCall: number[] = [];
        for (let w = 0; w < WINDOWS; w++) {
            const cpu0 = process.cpuUsage();
            for (let i = 0; i < CALLS_PER_WINDOW; i++) await read();
            const cpu = process.cpuUsage(cpu0);
            perCall.push(round((cpu.user + cpu.system) / 1000 / CALLS_PER_WINDOW));
        }
        return perCall;
    } finally {
        await azurite.stop();
    }
}

function readBy(route: Route, table: TableClient): () => Promise<unknown> {
    const entityPath = `/${DEV_ACCOUNT_NAME}/${TABLE}(PartitionKey='p',RowKey='r')`;
    const origin = new URL(table.url).origin;
    const headers: Record<string, string> = {
        accept: 'application/json;odata=nometadata',
        'x-ms-version': '2019-02-02',
        DataServiceVersion: '3.0',
    };
    /**
     * The point read as a pipeline request, sent by `send`; `headersNow` is called for every request (a signature
     * carries its date).
     */
    const readThrough =
        (send: (request: PipelineRequest) => Promise<PipelineResponse>, headersNow: () => Record<string, string>) =>
        async (): Promise<unknown> => {
            const request = createPipelineRequest({
                url: `${origin}${entityPath}`,
                method: 'GET',
                headers: createHttpHeaders(headersNow()),
                allowInsecureConnection: true,
            });
            return JSON.parse((await send(request)).bodyAsText ?? '') as unknown;
        };
    switch (route) {
        case 'tableClient':
            return () => table.getEntity('p', 'r');
        case 'pipeline': {
            const httpClient = createDefaultHttpClient();
            return readThrough(
                (request) => table.pipeline.sendRequest(httpClient, request),
                () => headers,
            );
        }
        case 'httpClient': {
            const httpClient = createDefaultHttpClient();
            return readThrough(
                (request) => httpClient.sendRequest(request),
                () => ({ ...headers, ...signedHeaders(entityPath) }),
            );
        }
        case 'nodeHttp': {
            const agent = new http.Agent({ keepAlive: true });
            return () =>
                new Promise((resolve, reject) => {
                    const request = http.request(
                        `${origin}${entityPath}`,
                        { agent, headers: { ...headers, ...signedHeaders(entityPath) } },
                        (response) => {
                            let body = '';
                            response.setEncoding('utf8');
                            response.on('data', (chunk: string) => (body += chunk));
                            response.on('end', () => {
                                if (response.statusCode === 200) resolve(JSON.parse(body) as unknown);
                                else reject(new Error(`${response.statusCode ?? '?'}: ${body}`));
                            });
                        },
                    );
                    request.on('error', reject);
                    request.end();
                });
        }
    }
}

const accountKey = Buffer.from(DEV_ACCOUNT_KEY, 'base64');

/**
 * SharedKeyLite for the Table service: the date and the canonical resource, the account then the path (which
 * on Azurite's path-style URLs starts with the account again).
 * https://learn.microsoft.com/rest/api/storageservices/authorize-with-shared-key#shared-key-lite-and-table-service-format-for-2009-09-19-and-later
 */
function signedHeaders(path: string): Record<string, string> {
    const date = new Date().toUTCString();
    const signature = createHmac('sha256', accountKey).update(`${date}\n/${DEV_ACCOUNT_NAME}${path}`).digest('base64');
    return { 'x-ms-date': date, authorization: `SharedKeyLite ${DEV_ACCOUNT_NAME}:${signature}` };
}

function mean(values: readonly number[]): number {
    return round(values.reduce((sum, v) => sum + v, 0) / Math.max(1, values.length));
}

function main(): void {
    const only = process.argv[2] as Route | undefined;
    if (only !== undefined) {
        measureRoute(only).then(
            (perCall) => console.log(JSON.stringify(perCall)),
            (error: unknown) => {
                console.error(error);
                process.exitCode = 1;
            },
        );
        return;
    }
    const routes: Record<string, unknown> = {};
    for (const route of ROUTES) {
        const child = spawnSync(process.execPath, [__filename, route], { encoding: 'utf8' });
        if (child.status !== 0) throw new Error(`${route} failed: ${child.stderr}`);
        const perCall = JSON.parse(child.stdout) as number[];
        routes[route] = {
            cpuMsPerCallByWindow: perCall,
            // Calls 251-3,250: about what the sequential phase's orders make (windows 2-13).
            calls251to3250: mean(perCall.slice(1, 13)),
            last1000: mean(perCall.slice(-4)),
        };
    }
    console.log(
        JSON.stringify(
            {
                benchmark: 'one table point read: CPU per call as the process warms up, by route',
                callsPerWindow: CALLS_PER_WINDOW,
                node: process.version,
                routes,
            },
            null,
            2,
        ),
    );
}

main();
