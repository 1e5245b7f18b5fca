/**
 * The instance viewer, served by the devhost at /_devhost/ (never by the deployed app: .funcignore keeps
 * devhost/ out of the package). A host extension like the Durable one, with no triggers of its own: it reads
 * the Durable extension's task hub through the storage module and leaves everything else to the Durable HTTP
 * API, which the browser calls directly. No state of its own: the task hub is the only source of truth.
 */
import type { HostContext, HostExtension } from '../../shared/host-contracts';
import type { DurableExtension } from '../durable/extension';
import type { VersionGate } from '../durable/runtime/version-gate';
import { readEntity, readEntityList } from './entity-list';
import { readHubSummary, type VersioningReport } from './hub-summary';
import { readInstanceDetail } from './instance-detail';
import { listOrchestrators } from './orchestrator-list';
import { createQueueDepthReader, type QueueDepthReader } from './queue-depths';
import { loadStaticFiles, type StaticFile } from './static-files';
import { matchViewerRoute, VIEWER_BASE } from './viewer-routes';
import { readWaitingFor } from './waiting-for-source';

export interface ViewerExtensionOptions {
    /** The Durable extension whose task hub the viewer shows. */
    durable: Pick<DurableExtension, 'runtime'>;
    /** Where the static files are; found above this module by default. */
    staticFolder?: string;
}

export function createViewerExtension(options: ViewerExtensionOptions): HostExtension {
    let files: ReadonlyMap<string, StaticFile> = new Map();
    let env: NodeJS.ProcessEnv = {};
    let queueReader: { hub: string; read: QueueDepthReader | undefined } | undefined;

    function storage() {
        return options.durable.runtime?.storage;
    }

    function queues(hubName: string, partitionCount: number): QueueDepthReader | undefined {
        if (queueReader?.hub !== hubName) {
            let read: QueueDepthReader | undefined;
            try {
                read = createQueueDepthReader(env, hubName, partitionCount);
            } catch {
                read = undefined; // no usable storage connection in the environment (e.g. an in-memory test hub)
            }
            queueReader = { hub: hubName, read };
        }
        return queueReader.read;
    }

    return {
        name: 'viewer',
        triggerTypes: [],
        inputBindingTypes: [],

        start(host: HostContext): Promise<void> {
            files = options.staticFolder ? loadStaticFiles(options.staticFolder) : loadStaticFiles();
            env = host.env;
            // Printed like the function URLs (localhost and the port), next to them at start-up.
            host.logger.info(`Instance viewer: http://localhost:${new URL(host.origin).port}${VIEWER_BASE}/`);
            return Promise.resolve();
        },

        async handleHttp(request: Request): Promise<Response | undefined> {
            const url = new URL(request.url);
            const route = matchViewerRoute(url.pathname);
            if (!route) return undefined;
            if (request.method !== 'GET' && request.method !== 'HEAD')
                return problem(405, 'Method not allowed', 'The viewer only reads; actions go to the Durable HTTP API.');
            switch (route.kind) {
                case 'redirectToBase':
                    return new Response(null, { status: 308, headers: { Location: `${VIEWER_BASE}/${url.search}` } });
                case 'page':
                    return pageResponse(files.get('index.html'), route.instanceId);
                case 'static':
                    return fileResponse(files.get(route.file));
                case 'notFound':
                    return problem(404, 'Not found', `The viewer has nothing at ${url.pathname}.`);
                case 'hubSummary': {
                    const hub = storage();
                    if (!hub) return noTaskHub();
                    return json(
                        await readHubSummary(
                            hub,
                            queues(hub.hubName, hub.partitionCount),
                            options.durable.runtime?.recovery,
                            versioningReport(options.durable.runtime?.versionGate),
                        ),
                    );
                }
                case 'orchestrators': {
                    const runtime = options.durable.runtime;
                    if (!runtime) return noTaskHub();
                    return json(listOrchestrators(runtime));
                }
                case 'instanceDetail': {
                    const hub = storage();
                    if (!hub) return noTaskHub();
                    const waiting = options.durable.runtime?.versionGate.rejection(route.instanceId);
                    const detail = await readInstanceDetail(hub, route.instanceId, waiting);
                    if (!detail) return problem(404, 'Instance not found', `No instance '${route.instanceId}'.`);
                    return json(detail);
                }
                case 'waitingFor': {
                    const hub = storage();
                    if (!hub) return noTaskHub();
                    const waiting = await readWaitingFor(hub, options.durable.runtime, route.instanceId, env);
                    if (!waiting) return problem(404, 'Instance not found', `No instance '${route.instanceId}'.`);
                    return json(waiting);
                }
                case 'entityList': {
                    const hub = storage();
                    if (!hub) return noTaskHub();
                    return json(await readEntityList(hub, url.searchParams.get('name') ?? ''));
                }
                case 'entity': {
                    const hub = storage();
                    if (!hub) return noTaskHub();
                    const entity = await readEntity(hub, route.instanceId);
                    if (!entity) return problem(404, 'Entity not found', `No entity '${route.instanceId}'.`);
                    return json(entity);
                }
            }
        },

        stop(): Promise<void> {
            return Promise.resolve();
        },
    };
}

function versioningReport(gate: VersionGate | undefined): VersioningReport | undefined {
    return gate ? { ...gate.config, rejected: gate.rejected } : undefined;
}

function fileResponse(file: StaticFile | undefined): Response {
    if (!file) return problem(404, 'Not found', 'No such viewer file.');
    // No caching: the files change while developing the devhost, and they are tiny.
    return new Response(new Uint8Array(file.body), {
        status: 200,
        headers: { 'Content-Type': file.contentType, 'Cache-Control': 'no-cache' },
    });
}

/**
 * The shell; for an instance page it also tells the browser to fetch the instance's detail at once, in parallel
 * with the scripts (the page's own fetch then takes the preloaded answer), which is most of a large instance's
 * load time.
 */
function pageResponse(shell: StaticFile | undefined, instanceId: string | undefined): Response {
    if (!shell || instanceId === undefined) return fileResponse(shell);
    const href = `${VIEWER_BASE}/api/instances/${encodeURIComponent(instanceId)}`;
    const html = shell.body
        .toString('utf8')
        .replace('<!--data-preload-->', `<link rel="preload" as="fetch" crossorigin href="${href}" />`);
    return fileResponse({ body: Buffer.from(html, 'utf8'), contentType: shell.contentType });
}

function json(body: unknown): Response {
    return new Response(JSON.stringify(body), {
        status: 200,
        headers: { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store' },
    });
}

function problem(status: number, title: string, detail: string): Response {
    return new Response(JSON.stringify({ type: 'about:blank', title, status, detail }), {
        status,
        headers: { 'Content-Type': 'application/problem+json' },
    });
}

function noTaskHub(): Response {
    return problem(404, 'No task hub', 'This app has no Durable functions, so the devhost runs no task hub.');
}
