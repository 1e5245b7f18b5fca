import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
    allowedValues,
    moduleDeclaration,
    moduleParamsOf,
    objectBodyAfter,
    paramDecorators,
    params,
    resourceDeclaration,
    stringArrayVariable,
    stringValueOf,
    stripComments,
    topLevelKeys,
    variableExpression,
} from '../support/deploy/bicep-text';
import { readProjectFile } from '../support/deploy/project-files';

/**
 * DURABLE_BACKEND: the Azure Storage task hub (the default) or the Durable Task Scheduler, read from the Bicep as
 * text. What each backend deploys is derived from the conditions in the templates, so a test fails when a
 * condition, a role, an app setting or the region list changes under it.
 */

const mainBicep = readProjectFile('infra/main.bicep');
const functionAppBicep = readProjectFile('infra/app/function-app.bicep');
const schedulerBicep = readProjectFile('infra/app/durable-task-scheduler.bicep');
const rbacBicep = readProjectFile('infra/app/rbac.bicep');
const mainCode = stripComments(mainBicep);

const BACKENDS = ['azureStorage', 'durableTaskScheduler'] as const;
type Backend = (typeof BACKENDS)[number];

/** The built-in role "Durable Task Data Contributor" (Microsoft.DurableTask/* data actions). */
const DURABLE_TASK_DATA_CONTRIBUTOR = '0ad04412-c4d5-4796-b79c-f76d14c8d402';
/** The built-in role "Durable Task Data Reader". */
const DURABLE_TASK_DATA_READER = 'd6a5505f-6ebb-45a4-896e-ac8274cfc0ac';

const parametersFile = z
    .object({ parameters: z.record(z.string(), z.object({ value: z.string().or(z.boolean()) })) })
    .parse(JSON.parse(readProjectFile('infra/main.parameters.json')));
const hostJson = z
    .object({
        extensions: z.object({
            durableTask: z.object({ hubName: z.string(), storageProvider: z.record(z.string(), z.unknown()) }),
        }),
    })
    .loose()
    .parse(JSON.parse(readProjectFile('host.json')));

const defaultOf = (name: string): string | undefined => params(mainBicep).find((p) => p.name === name)?.defaultValue;
const schedulerSettingsBody = objectBodyAfter(functionAppBicep, /var\s+durableTaskSchedulerSettings\s*=\s*\{/);
const baseSettingsBody = objectBodyAfter(functionAppBicep, /var\s+appSettings\s*=\s*\{/);

/** Evaluates `useDurableTaskScheduler` as main.bicep defines it. */
function usesScheduler(backend: Backend): boolean {
    const definition = variableExpression(mainBicep, 'useDurableTaskScheduler');
    const compared = /^durableBackend\s*==\s*'([^']+)'$/.exec(definition ?? '')?.[1];
    if (compared === undefined)
        throw new Error(`useDurableTaskScheduler is no longer a plain comparison: ${definition}`);
    return backend === compared;
}

/** The app settings the site gets for a backend: siteAppSettings as function-app.bicep builds it. */
function siteSettingsFor(backend: Backend): string[] {
    const union = variableExpression(functionAppBicep, 'siteAppSettings');
    const match = /^union\(appSettings, durableBackend == '([^']+)' \? durableTaskSchedulerSettings : \{\}\)$/.exec(
        union ?? '',
    );
    if (!match) throw new Error(`siteAppSettings is no longer the conditional union the test reads: ${union}`);
    const scheduler = backend === match[1] ? topLevelKeys(schedulerSettingsBody) : [];
    return [...topLevelKeys(baseSettingsBody), ...scheduler];
}

/** host.json's value at the path an AzureFunctionsJobHost__a__b__c app setting overrides. */
function hostJsonValueAt(setting: string): unknown {
    const path = setting.split('__');
    expect(path.shift()).toBe('AzureFunctionsJobHost');
    let value: unknown = JSON.parse(readProjectFile('host.json'));
    for (const key of path) value = (value as Record<string, unknown> | undefined)?.[key];
    return value;
}

describe('DURABLE_BACKEND chooses where Durable state lives', () => {
    it('offers azureStorage and durableTaskScheduler, defaulting to Azure Storage everywhere', () => {
        expect(allowedValues(paramDecorators(mainBicep, 'durableBackend'))).toEqual([...BACKENDS]);
        expect(defaultOf('durableBackend')).toBe("'azureStorage'");
        expect(parametersFile.parameters.durableBackend?.value).toBe('${DURABLE_BACKEND=azureStorage}');
        expect(allowedValues(paramDecorators(functionAppBicep, 'durableBackend'))).toEqual([...BACKENDS]);
        expect(moduleParamsOf(mainBicep, 'functionApp')).toMatch(/^\s*durableBackend:\s*durableBackend\s*$/m);
        expect(usesScheduler('azureStorage')).toBe(false);
        expect(usesScheduler('durableTaskScheduler')).toBe(true);
    });

    it('keeps host.json on Azure Storage, so local runs and the default deployment are unchanged', () => {
        expect(hostJson.extensions.durableTask.storageProvider.type).toBe('AzureStorage');
    });

    it('creates the scheduler and its task hub only with the scheduler backend', () => {
        expect(moduleDeclaration(mainBicep, 'durableTaskScheduler')).toEqual({
            path: 'app/durable-task-scheduler.bicep',
            condition: 'useDurableTaskScheduler',
        });
        const scheduler = resourceDeclaration(schedulerBicep, 'scheduler');
        expect(scheduler.type).toBe('Microsoft.DurableTask/schedulers@2026-02-01');
        // ipAllowlist is required, and an empty list refuses every caller.
        expect(/ipAllowlist:\s*\[([^\]]*)\]/.exec(scheduler.body)?.[1]?.trim()).not.toBe('');
        const taskHub = resourceDeclaration(schedulerBicep, 'taskHub');
        expect(taskHub.type).toBe('Microsoft.DurableTask/schedulers/taskHubs@2026-02-01');
        expect(taskHub.body).toMatch(/^\s*parent:\s*scheduler\s*$/m);
        expect(taskHub.body).toMatch(/^\s*name:\s*taskHubName\s*$/m);
    });

    it('names the scheduler task hub after TASKHUB_NAME, the hub host.json and the app setting name', () => {
        expect(hostJson.extensions.durableTask.hubName).toBe('%TASKHUB_NAME%');
        expect(moduleParamsOf(mainBicep, 'durableTaskScheduler')).toMatch(/^\s*taskHubName:\s*validTaskHubName\s*$/m);
        expect(moduleParamsOf(mainBicep, 'functionApp')).toMatch(/^\s*taskHubName:\s*validTaskHubName\s*$/m);
        expect(baseSettingsBody).toMatch(/^\s*TASKHUB_NAME:\s*taskHubName\s*$/m);
    });

    it('takes the SKU as a parameter, Consumption by default', () => {
        expect(allowedValues(paramDecorators(mainBicep, 'durableTaskSchedulerSku'))).toEqual([
            'Consumption',
            'Dedicated',
        ]);
        expect(defaultOf('durableTaskSchedulerSku')).toBe("'Consumption'");
        expect(parametersFile.parameters.durableTaskSchedulerSku?.value).toBe(
            '${DURABLE_TASK_SCHEDULER_SKU=Consumption}',
        );
        expect(moduleParamsOf(mainBicep, 'durableTaskScheduler')).toMatch(
            /^\s*skuName:\s*durableTaskSchedulerSku\s*$/m,
        );
        expect(allowedValues(paramDecorators(schedulerBicep, 'skuName'))).toEqual(['Consumption', 'Dedicated']);
        expect(resourceDeclaration(schedulerBicep, 'scheduler').body).toMatch(/name: 'Consumption'/);
    });

    it("gives the app's identity Durable Task Data Contributor on the task hub", () => {
        const roles = objectBodyAfter(schedulerBicep, /var roles = \{/);
        expect(stringValueOf(roles, 'durableTaskDataContributor')).toBe(DURABLE_TASK_DATA_CONTRIBUTOR);
        const assignment = resourceDeclaration(schedulerBicep, 'appTaskHubData');
        expect(assignment.type).toBe('Microsoft.Authorization/roleAssignments@2022-04-01');
        expect(assignment.condition).toBeUndefined();
        expect(assignment.body).toMatch(/^\s*scope:\s*taskHub\s*$/m);
        expect(assignment.body).toMatch(/roleDefinitions', roles\.durableTaskDataContributor\)/);
        expect(assignment.body).toMatch(/^\s*principalId:\s*appPrincipalId\s*$/m);
        expect(moduleParamsOf(mainBicep, 'durableTaskScheduler')).toMatch(
            /^\s*appPrincipalId:\s*identity\.outputs\.principalId\s*$/m,
        );
    });

    it('gives you the dashboard only when asked: none by default, Data Reader or Data Contributor', () => {
        expect(allowedValues(paramDecorators(mainBicep, 'principalSchedulerAccess'))).toEqual([
            'none',
            'read',
            'readWrite',
        ]);
        expect(defaultOf('principalSchedulerAccess')).toBe("'none'");
        expect(parametersFile.parameters.principalSchedulerAccess?.value).toBe('${PRINCIPAL_SCHEDULER_ACCESS=none}');
        expect(stringValueOf(objectBodyAfter(schedulerBicep, /var roles = \{/), 'durableTaskDataReader')).toBe(
            DURABLE_TASK_DATA_READER,
        );
        expect(variableExpression(schedulerBicep, 'deployerRole')).toBe(
            "deployerAccess == 'readWrite' ? roles.durableTaskDataContributor : roles.durableTaskDataReader",
        );
        const deployer = resourceDeclaration(schedulerBicep, 'deployerTaskHubData');
        expect(deployer.condition).toBe("!empty(deployerPrincipalId) && deployerAccess != 'none'");
        expect(deployer.body).toMatch(/^\s*scope:\s*taskHub\s*$/m);
        expect(moduleParamsOf(mainBicep, 'durableTaskScheduler')).toMatch(
            /^\s*deployerAccess:\s*principalSchedulerAccess\s*$/m,
        );
    });
});

describe('the app settings select the backend, host.json stays as it is', () => {
    const scheduler = (key: string): string | undefined => stringValueOf(schedulerSettingsBody, key);
    const TYPE = 'AzureFunctionsJobHost__extensions__durableTask__storageProvider__type';
    const CONNECTION = 'AzureFunctionsJobHost__extensions__durableTask__storageProvider__connectionStringName';

    it('adds the scheduler settings only with the scheduler backend', () => {
        const schedulerOnly = topLevelKeys(schedulerSettingsBody);
        expect(schedulerOnly.sort()).toEqual([CONNECTION, TYPE, 'DURABLE_TASK_SCHEDULER_CONNECTION_STRING'].sort());
        expect(siteSettingsFor('azureStorage')).toEqual(topLevelKeys(baseSettingsBody));
        expect(siteSettingsFor('durableTaskScheduler')).toEqual(expect.arrayContaining(schedulerOnly));
        expect(siteSettingsFor('azureStorage').filter((name) => schedulerOnly.includes(name))).toEqual([]);
        // The site is given siteAppSettings, not the base object alone.
        expect(objectBodyAfter(functionAppBicep, /siteConfig\s*:\s*\{/)).toMatch(/in items\(siteAppSettings\)/);
    });

    it('overrides exactly the host.json keys that choose the provider, with the azureManaged provider', () => {
        expect(scheduler(TYPE)).toBe('azureManaged');
        // The overrides address keys host.json has (type) or that belong next to it (connectionStringName).
        expect(hostJsonValueAt(TYPE)).toBe('AzureStorage');
        expect(hostJsonValueAt(CONNECTION.replace(/__connectionStringName$/, ''))).toBeTypeOf('object');
    });

    it('points the provider at a connection setting that holds the endpoint and the managed identity', () => {
        const connectionSetting = scheduler(CONNECTION);
        expect(connectionSetting).toBe('DURABLE_TASK_SCHEDULER_CONNECTION_STRING');
        expect(topLevelKeys(schedulerSettingsBody)).toContain(connectionSetting);
        const connection = scheduler(connectionSetting ?? '');
        const parts = Object.fromEntries((connection ?? '').split(';').map((part) => part.split('=')));
        expect(parts).toEqual({
            Endpoint: '${durableTaskSchedulerEndpoint}',
            Authentication: 'ManagedIdentity',
            // The user-assigned identity the app's other connections use (AzureWebJobsStorage__clientId).
            ClientID: '${identityClientId}',
        });
        expect(baseSettingsBody).toMatch(/^\s*AzureWebJobsStorage__clientId:\s*identityClientId\s*$/m);
    });

    it("passes the scheduler's endpoint to the app only when the scheduler exists", () => {
        expect(moduleParamsOf(mainBicep, 'functionApp')).toMatch(
            /^\s*durableTaskSchedulerEndpoint:\s*useDurableTaskScheduler \? durableTaskScheduler\.outputs\.endpoint : ''\s*$/m,
        );
        expect(stripComments(schedulerBicep)).toMatch(/^output endpoint string = scheduler\.properties\.endpoint$/m);
        const dependsOn = /module functionApp [^=]+=\s*\{[\s\S]*?dependsOn:\s*\[([^\]]*)\]/.exec(mainCode)?.[1] ?? '';
        expect(dependsOn.split(',').map((name) => name.trim())).toContain('durableTaskScheduler');
    });

    it('keeps host storage and its roles for both backends: the host, function keys and the ledger need them', () => {
        expect(baseSettingsBody).toMatch(/AzureWebJobsStorage__accountName:/);
        for (const symbol of ['appBlobData', 'appQueueData', 'appTableData']) {
            expect(resourceDeclaration(rbacBicep, symbol).condition).toBeUndefined();
        }
        expect(moduleDeclaration(mainBicep, 'storage').condition).toBeUndefined();
        expect(moduleDeclaration(mainBicep, 'rbac').condition).toBeUndefined();
    });

    it('sets none of the settings Flex Consumption rejects, with either backend', () => {
        for (const backend of BACKENDS) {
            expect(siteSettingsFor(backend).filter((name) => /^(FUNCTIONS_|WEBSITE_)/.test(name))).toEqual([]);
        }
    });
});

describe('regions: the scheduler only where it is offered', () => {
    const flexRegions = allowedValues(paramDecorators(mainBicep, 'location')) ?? [];
    const schedulerRegions = stringArrayVariable(mainBicep, 'durableTaskSchedulerRegions') ?? [];

    it("lists the scheduler's regions, each one a Flex Consumption region azd offers", () => {
        expect(schedulerRegions.length).toBeGreaterThan(0);
        expect(new Set(schedulerRegions).size).toBe(schedulerRegions.length);
        expect(schedulerRegions.filter((region) => !flexRegions.includes(region))).toEqual([]);
        // The list is narrower than Flex's: the check below is not a no-op.
        expect(schedulerRegions.length).toBeLessThan(flexRegions.length);
    });

    it('fails the deployment before creating anything when the scheduler is chosen outside them', () => {
        const check = variableExpression(mainBicep, 'durableTaskSchedulerLocation');
        expect(mainCode).toMatch(
            /var durableTaskSchedulerLocation = !useDurableTaskScheduler \|\| contains\(durableTaskSchedulerRegions, location\)\s*\?\s*location\s*:\s*fail\('/,
        );
        expect(check).toBeDefined();
        expect(moduleParamsOf(mainBicep, 'durableTaskScheduler')).toMatch(
            /^\s*location:\s*durableTaskSchedulerLocation\s*$/m,
        );
    });
});

describe('outputs', () => {
    it('tells azd which backend runs and where its dashboard is', () => {
        expect(mainCode).toMatch(/^output DURABLE_BACKEND string = durableBackend$/m);
        expect(mainCode).toMatch(
            /^output DURABLE_TASK_SCHEDULER_ENDPOINT string = useDurableTaskScheduler \? durableTaskScheduler\.outputs\.endpoint : ''$/m,
        );
        expect(stripComments(schedulerBicep)).toMatch(
            /^output dashboardUrl string = 'https:\/\/dashboard\.durabletask\.io\/\?endpoint=\$\{uriComponent\(scheduler\.properties\.endpoint\)\}&taskhub=\$\{taskHub\.name\}'$/m,
        );
    });
});
