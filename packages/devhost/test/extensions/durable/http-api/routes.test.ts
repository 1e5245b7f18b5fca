import { describe, expect, it } from 'vitest';
import { durablePathSegments, matchRoute } from '../../../../src/extensions/durable/http-api/routes';

function route(path: string): ReturnType<typeof matchRoute> | undefined {
    const segments = durablePathSegments(path);
    return segments && matchRoute(segments);
}

describe('Durable HTTP API routes', () => {
    it('serves the same routes under the webhook base and the RPC base', () => {
        for (const base of ['/runtime/webhooks/durabletask', '/durabletask']) {
            expect(route(`${base}/orchestrators/hello`)).toEqual({
                kind: 'startOrchestration',
                functionName: 'hello',
                instanceId: undefined,
            });
            expect(route(`${base}/orchestrators/hello/id-1`)).toEqual({
                kind: 'startOrchestration',
                functionName: 'hello',
                instanceId: 'id-1',
            });
            expect(route(`${base}/instances/`)).toEqual({ kind: 'instances' });
            expect(route(`${base}/instances/abc`)).toEqual({ kind: 'instance', instanceId: 'abc' });
            expect(route(`${base}/instances/abc/terminate`)).toEqual({
                kind: 'instanceOperation',
                instanceId: 'abc',
                operation: 'terminate',
            });
            expect(route(`${base}/instances/abc/raiseEvent/Approved`)).toEqual({
                kind: 'raiseEvent',
                instanceId: 'abc',
                eventName: 'Approved',
            });
            expect(route(`${base}/entities/counter/k1`)).toEqual({
                kind: 'entities',
                entityName: 'counter',
                entityKey: 'k1',
            });
            expect(route(`${base}/makeprimary`)).toEqual({ kind: 'makePrimary' });
            expect(route(`${base}/nothing/here`)).toEqual({ kind: 'unknown' });
        }
    });

    it('leaves other paths to the app', () => {
        expect(route('/api/orchestrators/hello')).toBeUndefined();
        expect(route('/durabletaskx/instances/a')).toBeUndefined();
    });

    it('decodes segments one by one, so an encoded slash stays inside the id', () => {
        expect(route('/durabletask/instances/a%2Fb/terminate')).toEqual({
            kind: 'instanceOperation',
            instanceId: 'a/b',
            operation: 'terminate',
        });
        expect(route('/durabletask/instances/order%201')).toEqual({ kind: 'instance', instanceId: 'order 1' });
    });
});
