/**
 * What the viewer answers under /_devhost/: the page shell for the instances list and for
 * /_devhost/instances/{id} (the browser routes on its path, so a deep link loads the same shell), its static
 * files under /_devhost/static/, and two read-only JSON routes under /_devhost/api/ for what the Durable HTTP
 * API does not expose (the hub summary, an instance's raw history and parent, what an unfinished instance waits for, the entities;
 * the entities page is /_devhost/entities and /_devhost/entities/{@name@key}). Everything else the browser
 * reads and every action it takes go to the Durable HTTP API itself.
 */
export const VIEWER_BASE = '/_devhost';

export type ViewerRoute =
    | { kind: 'page'; instanceId?: string }
    | { kind: 'static'; file: string }
    | { kind: 'hubSummary' }
    | { kind: 'orchestrators' }
    | { kind: 'instanceDetail'; instanceId: string }
    | { kind: 'waitingFor'; instanceId: string }
    | { kind: 'entityList' }
    | { kind: 'entity'; instanceId: string }
    | { kind: 'redirectToBase' }
    | { kind: 'notFound' };

/** undefined when the path is not the viewer's. */
export function matchViewerRoute(pathname: string): ViewerRoute | undefined {
    if (pathname === VIEWER_BASE) return { kind: 'redirectToBase' };
    if (!pathname.startsWith(`${VIEWER_BASE}/`)) return undefined;
    let segments: string[];
    try {
        segments = pathname
            .slice(VIEWER_BASE.length + 1)
            .split('/')
            .map((segment) => decodeURIComponent(segment));
    } catch {
        return { kind: 'notFound' };
    }
    const [first, second, third] = segments;
    if (segments.length === 1 && first === '') return { kind: 'page' };
    if (first === 'instances' && second !== undefined && second !== '' && segments.length === 2)
        return { kind: 'page', instanceId: second };
    // The entities page, and one entity's view (its instance id `@name@key` as one segment).
    if (first === 'entities' && (segments.length === 1 || (segments.length === 2 && second !== '')))
        return { kind: 'page' };
    if (first === 'static' && second !== undefined && segments.length === 2) return { kind: 'static', file: second };
    if (first === 'api' && second === 'hub' && segments.length === 2) return { kind: 'hubSummary' };
    if (first === 'api' && second === 'orchestrators' && segments.length === 2) return { kind: 'orchestrators' };
    if (first === 'api' && second === 'instances' && third !== undefined && third !== '' && segments.length === 3)
        return { kind: 'instanceDetail', instanceId: third };
    if (first === 'api' && second === 'instances' && third && segments.length === 4 && segments[3] === 'waiting')
        return { kind: 'waitingFor', instanceId: third };
    if (first === 'api' && second === 'entities' && segments.length === 2) return { kind: 'entityList' };
    if (first === 'api' && second === 'entities' && third && segments.length === 3)
        return { kind: 'entity', instanceId: third };
    return { kind: 'notFound' };
}
