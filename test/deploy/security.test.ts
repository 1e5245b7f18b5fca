import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
    allowedValues,
    moduleParamsOf,
    objectBodyAfter,
    paramDecorators,
    params,
    resourceDeclaration,
    stringValueOf,
    stripComments,
    variableExpression,
} from '../support/deploy/bicep-text';
import { readProjectFile } from '../support/deploy/project-files';

/**
 * The lock-down around the app, read from the Bicep as text: publishing credentials, the Log Analytics keys, the
 * network with VNET_ENABLED, who may write the package, what the deployer reads, soft delete and the names
 * checked before anything is created.
 */

const mainBicep = readProjectFile('infra/main.bicep');
const functionAppBicep = readProjectFile('infra/app/function-app.bicep');
const rbacBicep = readProjectFile('infra/app/rbac.bicep');
const storageBicep = readProjectFile('infra/app/storage.bicep');
const monitoringBicep = readProjectFile('infra/app/monitoring.bicep');
const mainCode = stripComments(mainBicep);

const STORAGE_BLOB_DATA_CONTRIBUTOR = 'ba92f5b4-2d11-453d-a403-e96b0029c9fe';
const BLOB = 'Microsoft.Storage/storageAccounts/blobServices/containers/blobs';

const parametersFile = z
    .object({ parameters: z.record(z.string(), z.object({ value: z.unknown() })) })
    .parse(JSON.parse(readProjectFile('infra/main.parameters.json')));
const defaultOf = (name: string): string | undefined => params(mainBicep).find((p) => p.name === name)?.defaultValue;
const site = resourceDeclaration(functionAppBicep, 'site');
const siteConfig = objectBodyAfter(site.body, /siteConfig\s*:\s*\{/);

/** A Bicep string literal's value, with `\'` unescaped (interpolations left as written). */
function bicepString(expression: string | undefined): string {
    const literal = /^'((?:[^'\\]|\\.)*)'$/.exec(expression ?? '')?.[1];
    if (literal === undefined) throw new Error(`not a string literal: ${expression}`);
    return literal.replace(/\\'/g, "'");
}

describe('publishing credentials', () => {
    it('turns basic-auth publishing off for SCM and FTP: deployments need an Entra ID token', () => {
        for (const [symbol, name] of [
            ['scmBasicAuth', 'scm'],
            ['ftpBasicAuth', 'ftp'],
        ] as const) {
            const policy = resourceDeclaration(functionAppBicep, symbol);
            expect(policy.type).toBe('Microsoft.Web/sites/basicPublishingCredentialsPolicies@2024-04-01');
            expect(policy.condition).toBeUndefined();
            expect(policy.body).toMatch(/^\s*parent:\s*site\s*$/m);
            expect(stringValueOf(policy.body, 'name')).toBe(name);
            expect(objectBodyAfter(policy.body, /properties\s*:\s*\{/)).toMatch(/^\s*allow:\s*false\s*$/m);
        }
        expect(siteConfig).toMatch(/ftpsState:\s*'Disabled'/);
    });
});

describe('monitoring without shared keys', () => {
    it('refuses the Log Analytics workspace keys, and the Application Insights instrumentation key', () => {
        const workspace = resourceDeclaration(monitoringBicep, 'workspace');
        expect(workspace.type).toMatch(/^Microsoft\.OperationalInsights\/workspaces@/);
        const features = objectBodyAfter(objectBodyAfter(workspace.body, /properties\s*:\s*\{/), /features\s*:\s*\{/);
        expect(features).toMatch(/^\s*disableLocalAuth:\s*true\s*$/m);
        expect(resourceDeclaration(monitoringBicep, 'applicationInsights').body).toMatch(/DisableLocalAuth:\s*true/);
    });

    it('still ingests telemetry: the app identity publishes metrics to the component with an Entra token', () => {
        const telemetry = resourceDeclaration(rbacBicep, 'appTelemetry');
        expect(telemetry.body).toMatch(/^\s*scope:\s*applicationInsights\s*$/m);
        expect(telemetry.body).toMatch(/roles\.monitoringMetricsPublisher/);
        expect(telemetry.body).toMatch(/^\s*principalId:\s*appPrincipalId\s*$/m);
        const settings = objectBodyAfter(functionAppBicep, /var\s+appSettings\s*=\s*\{/);
        expect(settings).toMatch(/APPLICATIONINSIGHTS_AUTHENTICATION_STRING:\s*'ClientId=\$\{identityClientId\};/);
    });
});

describe('VNET_ENABLED closes the site and its SCM endpoint to all but the allowed addresses', () => {
    it('denies by default on both when restricted, and restricts exactly when the network is on', () => {
        expect(siteConfig).toMatch(
            /^\s*ipSecurityRestrictionsDefaultAction:\s*restrictPublicAccess \? 'Deny' : 'Allow'$/m,
        );
        expect(siteConfig).toMatch(
            /^\s*scmIpSecurityRestrictionsDefaultAction:\s*restrictPublicAccess \? 'Deny' : 'Allow'$/m,
        );
        expect(siteConfig).toMatch(/^\s*scmIpSecurityRestrictionsUseMain:\s*true$/m);
        expect(params(functionAppBicep).find((p) => p.name === 'restrictPublicAccess')?.defaultValue).toBe('false');
        expect(moduleParamsOf(mainBicep, 'functionApp')).toMatch(/^\s*restrictPublicAccess:\s*vnetEnabled\s*$/m);
    });

    it('allows each ALLOWED_IP_RANGES entry, and requires at least one with the network', () => {
        expect(parametersFile.parameters.allowedIpRanges?.value).toBe('${ALLOWED_IP_RANGES}');
        expect(defaultOf('allowedIpRanges')).toBe("''");
        expect(variableExpression(mainBicep, 'allowedIpRangeList')).toBe(
            "filter(map(split(allowedIpRanges, ','), cidr => trim(cidr)), cidr => !empty(cidr))",
        );
        expect(mainCode).toMatch(
            /var siteAllowedIpRanges = !vnetEnabled \|\| !empty\(allowedIpRangeList\)\s*\?\s*allowedIpRangeList\s*:\s*fail\('/,
        );
        expect(moduleParamsOf(mainBicep, 'functionApp')).toMatch(/^\s*allowedIpRanges:\s*siteAllowedIpRanges\s*$/m);
        const rules = /ipSecurityRestrictions:\s*\[([\s\S]*?)\n\s*\]/.exec(siteConfig)?.[1] ?? '';
        expect(rules).toMatch(/for \(cidr, i\) in \(restrictPublicAccess \? allowedIpRanges : \[\]\)/);
        expect(rules).toMatch(/ipAddress:\s*cidr/);
        expect(rules).toMatch(/action:\s*'Allow'/);
    });
});

describe('the package is written by its own identity', () => {
    const storageAuth = objectBodyAfter(objectBodyAfter(site.body, /deployment\s*:\s*\{/), /authentication\s*:\s*\{/);

    it('deploys with a second identity, attached to the site, that is not the one the app code uses', () => {
        expect(stringValueOf(storageAuth, 'type')).toBe('UserAssignedIdentity');
        expect(storageAuth).toMatch(/^\s*userAssignedIdentityResourceId:\s*deploymentIdentityId\s*$/m);
        const identities = objectBodyAfter(site.body, /userAssignedIdentities\s*:\s*\{/);
        expect(identities).toMatch(/'\$\{identityId\}': \{\}/);
        expect(identities).toMatch(/'\$\{deploymentIdentityId\}': \{\}/);
        const functionApp = moduleParamsOf(mainBicep, 'functionApp');
        expect(functionApp).toMatch(/^\s*identityId:\s*identity\.outputs\.id\s*$/m);
        expect(functionApp).toMatch(/^\s*deploymentIdentityId:\s*deploymentIdentity\.outputs\.id\s*$/m);
        expect(mainCode).toMatch(/^module deploymentIdentity 'app\/identity\.bicep' = \{/m);
        expect(moduleParamsOf(mainBicep, 'deploymentIdentity')).not.toMatch(/name:\s*'id-\$\{validAppName\}'/);
    });

    it('lets the deployment identity write the deployment container and nothing else', () => {
        const assignment = resourceDeclaration(rbacBicep, 'deploymentBlobData');
        expect(assignment.body).toMatch(/^\s*scope:\s*storage::blobService::deploymentContainer\s*$/m);
        expect(assignment.body).toMatch(/roles\.storageBlobDataContributor/);
        expect(assignment.body).toMatch(/^\s*principalId:\s*deploymentPrincipalId\s*$/m);
        expect(stringValueOf(objectBodyAfter(rbacBicep, /var roles = \{/), 'storageBlobDataContributor')).toBe(
            STORAGE_BLOB_DATA_CONTRIBUTOR,
        );
        const assignments = [...stripComments(rbacBicep).matchAll(/principalId:\s*deploymentPrincipalId/g)];
        expect(assignments).toHaveLength(1);
        expect(moduleParamsOf(mainBicep, 'rbac')).toMatch(
            /^\s*deploymentPrincipalId:\s*deploymentIdentity\.outputs\.principalId\s*$/m,
        );
    });

    it("bars the app identity's blob role, by a condition, from writing or deleting in the deployment container", () => {
        const assignment = resourceDeclaration(rbacBicep, 'appBlobData');
        expect(assignment.body).toMatch(/^\s*condition:\s*appBlobCondition\s*$/m);
        expect(assignment.body).toMatch(/^\s*conditionVersion:\s*'2\.0'\s*$/m);
        const barred = /var deploymentContainerWriteActions = \[([^\]]*)\]/.exec(stripComments(rbacBicep))?.[1] ?? '';
        const actions = [...barred.matchAll(/'([^']+)'/g)].map((match) => match[1]);
        expect(actions).toEqual(expect.arrayContaining([`${BLOB}/write`, `${BLOB}/add/action`, `${BLOB}/delete`]));
        expect(actions).not.toContain(`${BLOB}/read`);
        const condition = bicepString(variableExpression(rbacBicep, 'appBlobCondition'));
        expect(condition).toBe(
            "((${notDeploymentContainerWrite}) OR (@Resource[Microsoft.Storage/storageAccounts/blobServices/containers:name] StringNotEquals '${deploymentContainerName}'))",
        );
        expect(variableExpression(rbacBicep, 'notDeploymentContainerWrite')).toBe(
            "join(map(deploymentContainerWriteActions, action => '!(ActionMatches{\\'${action}\\'})'), ' AND ')",
        );
        expect(moduleParamsOf(mainBicep, 'rbac')).toMatch(
            /^\s*deploymentContainerName:\s*storage\.outputs\.deploymentContainerName\s*$/m,
        );
    });
});

describe("the deployer's data access", () => {
    it('offers none, read and readWrite, read by default', () => {
        expect(allowedValues(paramDecorators(mainBicep, 'principalStorageAccess'))).toEqual([
            'none',
            'read',
            'readWrite',
        ]);
        expect(allowedValues(paramDecorators(rbacBicep, 'deployerStorageAccess'))).toEqual([
            'none',
            'read',
            'readWrite',
        ]);
        expect(defaultOf('principalStorageAccess')).toBe("'read'");
        expect(variableExpression(rbacBicep, 'deployerRoles')).toBe("deployerStorageAccess == 'readWrite'");
        expect(stripComments(rbacBicep)).toMatch(/:\s*deployerStorageAccess == 'read' \? deployerReadRoles : \[\]/);
    });

    it('reads blobs only in the task hub containers: not function keys, host locks or the package', () => {
        const readRoles = /var deployerReadRoles = \[([\s\S]*?)\n\]/.exec(stripComments(rbacBicep))?.[1] ?? '';
        expect(readRoles).toMatch(/\{ id: roles\.storageBlobDataReader, condition: taskHubContainersOnly \}/);
        expect(readRoles).not.toMatch(/roles\.storageBlobDataReader, condition: ''/);
        const condition = bicepString(variableExpression(rbacBicep, 'taskHubContainersOnly'));
        expect(condition).toBe(
            `((!(ActionMatches{'${BLOB}/read'})) OR (@Resource[Microsoft.Storage/storageAccounts/blobServices/containers:name] StringStartsWith '\${toLower(taskHubName)}-'))`,
        );
        const deployer = { body: objectBodyAfter(rbacBicep, /resource deployerData [^=]+=\s*\[/) };
        expect(deployer.body).toMatch(/condition: empty\(role\.condition\) \? null : role\.condition/);
        expect(deployer.body).toMatch(/conditionVersion: empty\(role\.condition\) \? null : '2\.0'/);
        expect(moduleParamsOf(mainBicep, 'rbac')).toMatch(/^\s*taskHubName:\s*validTaskHubName\s*$/m);
    });
});

describe('soft delete', () => {
    it('keeps deleted or overwritten blobs and deleted containers restorable for a week', () => {
        const blobService = objectBodyAfter(
            resourceDeclaration(storageBicep, 'blobService').body,
            /properties\s*:\s*\{/,
        );
        const days = Number(/^var softDeleteRetentionDays = (\d+)$/m.exec(stripComments(storageBicep))?.[1]);
        expect(days).toBeGreaterThanOrEqual(7);
        for (const policy of ['deleteRetentionPolicy', 'containerDeleteRetentionPolicy']) {
            const body = objectBodyAfter(blobService, new RegExp(`${policy}\\s*:\\s*\\{`));
            expect(body).toMatch(/^\s*enabled:\s*true\s*$/m);
            expect(body).toMatch(/^\s*days:\s*softDeleteRetentionDays\s*$/m);
        }
    });
});

describe('names checked before anything is created', () => {
    const charsets = {
        letters: bicepString(variableExpression(mainBicep, 'lowercaseLetters')),
        lettersAndDigits: variableExpression(mainBicep, 'lowercaseLettersAndDigits'),
    };

    it('checks the task hub name a character at a time: letters and digits, starting with a letter', () => {
        expect(charsets.letters).toBe('abcdefghijklmnopqrstuvwxyz');
        expect(charsets.lettersAndDigits).toBe("'${lowercaseLetters}0123456789'");
        const decorators = paramDecorators(mainBicep, 'taskHubName');
        expect(decorators).toMatch(/@minLength\(3\)/);
        expect(decorators).toMatch(/@maxLength\(45\)/);
        expect(variableExpression(mainBicep, 'taskHubNameIsValid')).toBe(
            'contains(lowercaseLetters, toLower(first(taskHubName))) && empty(filter(range(0, length(taskHubName)), i => !contains(lowercaseLettersAndDigits, toLower(substring(taskHubName, i, 1)))))',
        );
        expect(variableExpression(mainBicep, 'validTaskHubName')).toMatch(
            /^taskHubNameIsValid \? taskHubName : fail\('/,
        );
        // Everything downstream takes the checked name.
        expect(mainCode).not.toMatch(/:\s*taskHubName\s*$/m);
        expect(mainCode).toMatch(/^output TASKHUB_NAME string = validTaskHubName$/m);
    });

    it('lowercases the function app name and checks it before it names the site and the package container', () => {
        expect(paramDecorators(mainBicep, 'functionAppName')).toMatch(/@maxLength\(60\)/);
        expect(variableExpression(mainBicep, 'appName')).toBe(
            "toLower(!empty(functionAppName) ? functionAppName : 'func-${resourceToken}')",
        );
        const check = variableExpression(mainBicep, 'appNameIsValid') ?? '';
        expect(check).toMatch(/!contains\(appName, '--'\)/);
        expect(check).toMatch(/!startsWith\(appName, '-'\) && !endsWith\(appName, '-'\)/);
        expect(check).toMatch(/contains\('\$\{lowercaseLettersAndDigits\}-', substring\(appName, i, 1\)\)/);
        expect(variableExpression(mainBicep, 'validAppName')).toMatch(/^appNameIsValid \? appName : fail\('/);
        expect(moduleParamsOf(mainBicep, 'functionApp')).toMatch(/^\s*name:\s*validAppName\s*$/m);
        expect(variableExpression(mainBicep, 'deploymentContainerName')).toMatch(/^'app-package-\$\{appNamePrefix\}-/);
        expect(variableExpression(mainBicep, 'appNamePrefix')).toBe(
            "endsWith(take(validAppName, 32), '-') ? take(validAppName, 31) : take(validAppName, 32)",
        );
    });
});
