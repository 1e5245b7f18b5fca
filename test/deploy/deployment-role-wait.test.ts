import { beforeAll, describe, expect, it } from 'vitest';
import { stripComments } from '../support/deploy/bicep-text';
import { readProjectFile } from '../support/deploy/project-files';

// The hook is an ES module run by `node` from azure.yaml; this test compiles as CommonJS, so it is imported dynamically.
type WaitScript = typeof import('../../scripts/wait-for-deployment-role.mjs', {
    with: { 'resolution-mode': 'import' },
});

const ROLE_ID =
    '/subscriptions/s/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/st/blobServices/default/containers/app-package-x/providers/Microsoft.Authorization/roleAssignments/00000000-0000-0000-0000-000000000001';
const NOW = new Date('2026-05-01T12:00:00Z');

let script: WaitScript;

beforeAll(async () => {
    script = await import('../../scripts/wait-for-deployment-role.mjs');
});

/** Runs the hook against a fake Azure Resource Manager that reports a role assignment created `ageSeconds` ago. */
async function run(
    env: NodeJS.ProcessEnv,
    answer: { ageSeconds: number } | { status: number } | 'token fails',
): Promise<{ waitedSeconds: number; slept: number[]; requests: string[]; lines: string[] }> {
    const slept: number[] = [];
    const requests: string[] = [];
    const lines: string[] = [];
    const result = await script.waitForDeploymentRole({
        env,
        now: () => NOW,
        sleep: async (ms) => {
            slept.push(ms);
        },
        log: (line) => lines.push(line),
        getToken: () => {
            if (answer === 'token fails') throw new Error('azd auth token failed: not logged in');
            return 'arm-token';
        },
        fetchImpl: async (url, init) => {
            requests.push(`${String(url)} ${new Headers(init?.headers).get('authorization') ?? ''}`);
            if (answer === 'token fails' || 'status' in answer) {
                return new Response('{}', { status: answer === 'token fails' ? 500 : answer.status });
            }
            const createdOn = new Date(NOW.getTime() - answer.ageSeconds * 1000).toISOString();
            return Response.json({ id: ROLE_ID, properties: { createdOn: createdOn.replace('Z', '1234Z') } });
        },
    });
    return { waitedSeconds: result.waitedSeconds, slept, requests, lines };
}

describe('the postprovision wait for the deployment role (Azure/azure-dev #8026)', () => {
    const env = { DEPLOYMENT_ROLE_ASSIGNMENT_ID: ROLE_ID };

    it('waits out the rest of the settle period after a first provisioning', async () => {
        const outcome = await run(env, { ageSeconds: 45 });
        expect(outcome.waitedSeconds).toBe(script.DEFAULT_SETTLE_SECONDS - 45);
        expect(outcome.slept).toEqual([(script.DEFAULT_SETTLE_SECONDS - 45) * 1000]);
        expect(outcome.requests).toEqual([
            `https://management.azure.com${ROLE_ID}?api-version=2022-04-01 Bearer arm-token`,
        ]);
        expect(outcome.lines.join('\n')).toMatch(/azd deploy/);
    });

    it('goes on at once when the role is older than that, as on every later provisioning', async () => {
        const outcome = await run(env, { ageSeconds: script.DEFAULT_SETTLE_SECONDS + 1 });
        expect(outcome.waitedSeconds).toBe(0);
        expect(outcome.slept).toEqual([]);
    });

    it('waits the whole period when the assignment cannot be read, rather than let the deploy fail', async () => {
        for (const answer of [{ status: 403 }, 'token fails'] as const) {
            const outcome = await run(env, answer);
            expect(outcome.waitedSeconds).toBe(script.DEFAULT_SETTLE_SECONDS);
            expect(outcome.lines.join('\n')).toMatch(/could not be read/);
        }
    });

    it('honours DEPLOYMENT_ROLE_SETTLE_SECONDS, 0 turning the wait off, and refuses nonsense', async () => {
        expect((await run({ ...env, DEPLOYMENT_ROLE_SETTLE_SECONDS: '300' }, { ageSeconds: 100 })).waitedSeconds).toBe(
            200,
        );
        const off = await run({ ...env, DEPLOYMENT_ROLE_SETTLE_SECONDS: '0' }, { ageSeconds: 0 });
        expect(off).toMatchObject({ waitedSeconds: 0, requests: [] });
        expect(script.settleSecondsFrom(undefined)).toBe(script.DEFAULT_SETTLE_SECONDS);
        for (const value of ['soon', '-1', '1.5', '99999']) expect(() => script.settleSecondsFrom(value)).toThrow();
    });

    it('does nothing without the role assignment id in the azd environment', async () => {
        const outcome = await run({}, { ageSeconds: 0 });
        expect(outcome).toMatchObject({ waitedSeconds: 0, requests: [], slept: [] });
    });

    it('rounds up and never waits longer than the period, whatever the clocks say', () => {
        const settle = 120;
        expect(script.secondsToWait(new Date(NOW.getTime() - 119_500), NOW, settle)).toBe(1);
        expect(script.secondsToWait(new Date(NOW.getTime() + 60_000), NOW, settle)).toBe(settle);
    });
});

describe('wiring', () => {
    const azureYaml = readProjectFile('azure.yaml').replace(/#.*$/gm, '');

    it('runs the script with Node after every provisioning, on both shells', () => {
        const hooks = /^hooks:\n((?: {2}.*\n)+)/m.exec(azureYaml)?.[1] ?? '';
        const postprovision = /^ {2}postprovision:\n((?: {4}.*\n)+)/m.exec(hooks)?.[1] ?? '';
        const runs = [...postprovision.matchAll(/^\s+run:\s*(.+)$/gm)].map((match) => match[1]?.trim());
        expect(runs).toEqual([
            'node scripts/wait-for-deployment-role.mjs',
            'node scripts/wait-for-deployment-role.mjs',
        ]);
        expect(postprovision).toMatch(/posix:/);
        expect(postprovision).toMatch(/windows:/);
    });

    it('hands the script the id of the deployment identity role assignment', () => {
        const mainCode = stripComments(readProjectFile('infra/main.bicep'));
        expect(mainCode).toMatch(
            /^output DEPLOYMENT_ROLE_ASSIGNMENT_ID string = rbac\.outputs\.deploymentRoleAssignmentId$/m,
        );
        expect(stripComments(readProjectFile('infra/app/rbac.bicep'))).toMatch(
            /^output deploymentRoleAssignmentId string = deploymentBlobData\.id$/m,
        );
    });
});
