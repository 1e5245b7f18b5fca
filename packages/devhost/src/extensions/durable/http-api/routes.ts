/**
 * Matching a request against the Durable HTTP API (HttpApiHandler.HandleRequestAsync): the same routes under
 * the public webhook base and the local RPC base. Segments are percent-decoded one by one, so an encoded '/'
 * can never create a segment.
 */
import { RPC_BASE_PATH, WEBHOOK_BASE_PATH } from './management-urls';

export type DurableRoute =
    | { kind: 'startOrchestration'; functionName: string; instanceId: string | undefined }
    | { kind: 'instances' }
    | { kind: 'instance'; instanceId: string }
    | { kind: 'instanceOperation'; instanceId: string; operation: string }
    | { kind: 'raiseEvent'; instanceId: string; eventName: string }
    | { kind: 'entities'; entityName: string; entityKey: string | undefined }
    | { kind: 'makePrimary' }
    | { kind: 'unknown' };

/** The path below one of the two bases, or undefined when the request is not for the Durable API. */
export function durablePathSegments(pathname: string): string[] | undefined {
    for (const base of [WEBHOOK_BASE_PATH, RPC_BASE_PATH]) {
        const lower = pathname.toLowerCase();
        if (lower === base || lower.startsWith(`${base}/`)) {
            const rest = pathname
                .slice(base.length)
                .split('/')
                .filter((segment) => segment !== '');
            try {
                return rest.map((segment) => decodeURIComponent(segment));
            } catch {
                return ['\u0000invalid'];
            }
        }
    }
    return undefined;
}

export function matchRoute(segments: readonly string[]): DurableRoute {
    const [first, second, third, fourth, ...more] = segments;
    const head = first?.toLowerCase();
    if (head === 'orchestrators' && second !== undefined && fourth === undefined) {
        return { kind: 'startOrchestration', functionName: second, instanceId: third };
    }
    if (head === 'instances' && more.length === 0) {
        if (second === undefined) return { kind: 'instances' };
        if (third === undefined) return { kind: 'instance', instanceId: second };
        if (third.toLowerCase() === 'raiseevent' && fourth !== undefined)
            return { kind: 'raiseEvent', instanceId: second, eventName: fourth };
        if (fourth === undefined)
            return { kind: 'instanceOperation', instanceId: second, operation: third.toLowerCase() };
    }
    if (head === 'entities' && second !== undefined && fourth === undefined) {
        return { kind: 'entities', entityName: second, entityKey: third };
    }
    if (head === 'makeprimary' && second === undefined) return { kind: 'makePrimary' };
    return { kind: 'unknown' };
}
