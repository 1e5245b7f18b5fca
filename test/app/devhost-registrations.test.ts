import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { httpRoutePrefix, loadApp, RouteTable, type DevhostApp, type RegisteredFunction } from 'devhost';
import { captureLogger } from 'devhost/testing';
import { newestModification } from '../support/app/newest-modification';

const repoRoot = path.resolve(__dirname, '../..');

/** `npm test` builds first; when run alone, rebuild if dist/src is missing or older than src/. */
function ensureBuilt(): void {
    const dist = path.join(repoRoot, 'dist/src');
    if (existsSync(dist) && newestModification(dist) >= newestModification(path.join(repoRoot, 'src'))) return;
    spawnSync(process.execPath, [path.join(repoRoot, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json'], {
        cwd: repoRoot,
        stdio: 'ignore',
    });
}

let app: DevhostApp;

beforeAll(async () => {
    ensureBuilt();
    app = await loadApp(repoRoot, { logger: captureLogger() });
}, 120_000);

function inputTypes(fn: RegisteredFunction | undefined): string[] {
    return Object.entries(fn?.bindings ?? {})
        .filter(([name, binding]) => binding.direction === 'in' && name !== fn?.trigger.name)
        .map(([, binding]) => binding.type);
}

describe('the project app as the devhost sees it', () => {
    it('registers the starter and the status endpoint as HTTP functions with a durableClient input', () => {
        const routes = new RouteTable(app.functions.values(), httpRoutePrefix(app.hostJson));
        const byName = new Map(routes.routes.map((r) => [r.fn.name, r]));
        expect(byName.get('http_start')).toMatchObject({ route: 'orchestrations/{function_name}', methods: ['POST'] });
        expect(byName.get('get_status')).toMatchObject({
            route: 'orchestrations/{instance_id}/status',
            methods: ['GET'],
        });
        expect(inputTypes(app.functions.get('http_start'))).toEqual(['durableClient']);
        expect(inputTypes(app.functions.get('get_status'))).toEqual(['durableClient']);
        expect(routes.match('POST', '/api/orchestrations/order_processing')?.route.fn.name).toBe('http_start');
        expect(routes.match('GET', '/api/orchestrations/abc/status')?.params).toEqual({ instance_id: 'abc' });
    });

    it('registers the orchestrators and activities', () => {
        const triggerType = (name: string): string | undefined => app.functions.get(name)?.trigger.binding.type;
        for (const name of ['order_processing', 'parallel_processing'])
            expect(triggerType(name), name).toBe('orchestrationTrigger');
        for (const name of [
            'validate_order',
            'charge_customer',
            'fulfill_order',
            'send_notification',
            'process_item',
        ]) {
            expect(triggerType(name), name).toBe('activityTrigger');
        }
    });
});
