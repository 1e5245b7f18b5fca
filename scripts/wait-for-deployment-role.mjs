#!/usr/bin/env node
// azd `postprovision` hook (azure.yaml): after a first provisioning, wait until the deployment identity's role on
// the package container has had time to propagate, so the `azd deploy` that `azd up` runs next does not fail.
//
// Why: `azd deploy` posts the package to the app's SCM endpoint, and the platform writes it to the deployment
// container with the deployment identity (infra/app/rbac.bicep, deploymentBlobData). A role assignment made
// moments earlier can still be refused for a minute or two, and azd does not retry the 403
// ("InaccessibleStorageException ... BlobUploadFailedException ... 403": Azure/azure-dev #8026). No check can
// see that identity's data-plane access from here (only the platform holds its tokens), so the hook reads when
// the assignment was created (Azure Resource Manager, with azd's own sign-in) and waits until it is
// DEPLOYMENT_ROLE_SETTLE_SECONDS old (default 120; 0 turns the wait off). A later `azd provision` finds an old
// assignment and goes straight on. If the age cannot be read, it waits the whole period: a slow first deploy is
// better than a failed one. Runs on Node alone (no jq, no az): `node scripts/wait-for-deployment-role.mjs`.
import { spawnSync } from 'node:child_process';
import { pathToFileURL } from 'node:url';
import { z } from 'zod';

export const DEFAULT_SETTLE_SECONDS = 120;
const RESOURCE_MANAGER = 'https://management.azure.com';
const ROLE_ASSIGNMENTS_API_VERSION = '2022-04-01';

const tokenSchema = z.object({ token: z.string().min(1) });
const roleAssignmentSchema = z.object({
    properties: z.object({
        createdOn: z.string().refine((value) => !Number.isNaN(Date.parse(value)), 'expected a date and time'),
    }),
});
const settleSchema = z.coerce.number().int().min(0).max(3600);

/** The settle period from DEPLOYMENT_ROLE_SETTLE_SECONDS (whole seconds, 0-3600), or the default when unset. */
export function settleSecondsFrom(value) {
    if (value === undefined || value.trim() === '') return DEFAULT_SETTLE_SECONDS;
    const parsed = settleSchema.safeParse(value.trim());
    if (!parsed.success)
        throw new Error(`DEPLOYMENT_ROLE_SETTLE_SECONDS must be whole seconds from 0 to 3600, not '${value}'.`);
    return parsed.data;
}

/** Seconds until an assignment created at `createdOn` is `settleSeconds` old at `now` (0 once it is). */
export function secondsToWait(createdOn, now, settleSeconds) {
    const ageSeconds = (now.getTime() - createdOn.getTime()) / 1000;
    return Math.max(0, Math.ceil(settleSeconds - Math.max(0, ageSeconds)));
}

/** When the role assignment `id` (an Azure resource id) was created, as Azure Resource Manager reports it. */
export async function roleAssignmentCreatedOn(id, getToken, fetchImpl = fetch) {
    const response = await fetchImpl(`${RESOURCE_MANAGER}${id}?api-version=${ROLE_ASSIGNMENTS_API_VERSION}`, {
        headers: { authorization: `Bearer ${await getToken()}` },
    });
    if (!response.ok) throw new Error(`reading ${id} answered ${response.status}`);
    return new Date(roleAssignmentSchema.parse(await response.json()).properties.createdOn);
}

/** An Azure Resource Manager token from azd's own sign-in (`azd auth token`, as @azure/identity's azd credential does). */
export function azdResourceManagerToken(env = process.env) {
    const args = ['auth', 'token', '--output', 'json', '--no-prompt', '--scope', `${RESOURCE_MANAGER}/.default`];
    if (env.AZURE_TENANT_ID) args.push('--tenant-id', env.AZURE_TENANT_ID);
    // No shell: on Windows, too, the process search finds azd.exe.
    const result = spawnSync('azd', args, { encoding: 'utf8' });
    if (result.status !== 0)
        throw new Error(`azd auth token failed: ${(result.stderr || result.error?.message || '').trim()}`);
    return tokenSchema.parse(JSON.parse(result.stdout)).token;
}

/**
 * @param {{ env?: NodeJS.ProcessEnv, getToken?: () => string | Promise<string>, fetchImpl?: typeof fetch,
 *   sleep?: (ms: number) => Promise<void>, now?: () => Date, log?: (line: string) => void }} [options]
 * @returns {Promise<{ waitedSeconds: number, reason: string }>}
 */
export async function waitForDeploymentRole(options = {}) {
    const env = options.env ?? process.env;
    const getToken = options.getToken ?? (() => azdResourceManagerToken(env));
    const sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    const now = options.now ?? (() => new Date());
    const log = options.log ?? ((line) => console.log(line));
    const settleSeconds = settleSecondsFrom(env.DEPLOYMENT_ROLE_SETTLE_SECONDS);
    const id = env.DEPLOYMENT_ROLE_ASSIGNMENT_ID?.trim();
    if (settleSeconds === 0) return { waitedSeconds: 0, reason: 'the wait is turned off' };
    if (!id) return { waitedSeconds: 0, reason: 'no DEPLOYMENT_ROLE_ASSIGNMENT_ID in the azd environment' };

    let waitSeconds;
    let reason;
    try {
        const createdOn = await roleAssignmentCreatedOn(id, getToken, options.fetchImpl);
        waitSeconds = secondsToWait(createdOn, now(), settleSeconds);
        reason = `the deployment identity's role was assigned at ${createdOn.toISOString()}`;
    } catch (error) {
        waitSeconds = settleSeconds;
        reason = `the role assignment could not be read (${error instanceof Error ? error.message : String(error)})`;
    }
    if (waitSeconds > 0) {
        log(`Waiting ${waitSeconds} s for Azure RBAC to propagate before deploying: ${reason}.`);
        log('If `azd deploy` still fails with 403 on the package upload, wait a minute and run `azd deploy` again.');
        await sleep(waitSeconds * 1000);
    }
    return { waitedSeconds: waitSeconds, reason };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
    try {
        await waitForDeploymentRole();
    } catch (error) {
        console.error(error instanceof Error ? error.message : error);
        process.exitCode = 1;
    }
}
