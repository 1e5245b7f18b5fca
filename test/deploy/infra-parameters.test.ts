import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { DEFAULT_PUBLIC_ROUTE_AUTH_LEVEL } from '../../src/http/auth-level';
import {
    allowedValues,
    numericDecorator,
    objectBodyAfter,
    paramDecorators,
    params,
    stringValueOf,
    stripComments,
} from '../support/deploy/bicep-text';
import { readProjectFile } from '../support/deploy/project-files';

const mainBicep = readProjectFile('infra/main.bicep');
const functionAppBicep = readProjectFile('infra/app/function-app.bicep');
const storageBicep = readProjectFile('infra/app/storage.bicep');
const networkBicep = readProjectFile('infra/app/network.bicep');
const privateEndpointsBicep = readProjectFile('infra/app/storage-private-endpoints.bicep');
const rbacBicep = readProjectFile('infra/app/rbac.bicep');
const mainCode = stripComments(mainBicep);

const parametersFile = z
    .object({ parameters: z.record(z.string(), z.object({ value: z.unknown() })) })
    .parse(JSON.parse(readProjectFile('infra/main.parameters.json')));

const defaultOf = (name: string): string | undefined => params(mainBicep).find((p) => p.name === name)?.defaultValue;

/** The `params: { ... }` body of `module <symbol> ...` in main.bicep. */
function moduleParams(symbol: string): string {
    return objectBodyAfter(
        objectBodyAfter(mainBicep, new RegExp(`module ${symbol} [^=]+=[^{]*\\{`)),
        /params\s*:\s*\{/,
    );
}

describe('region', () => {
    const regions = allowedValues(paramDecorators(mainBicep, 'location'));

    it('allows only regions that offer Flex Consumption, so azd offers no other', () => {
        expect(regions?.length).toBeGreaterThan(10);
        for (const region of regions ?? []) expect(region).toMatch(/^[a-z0-9]+$/);
        expect(regions).toEqual(expect.arrayContaining(['eastus', 'westeurope', 'northeurope', 'swedencentral']));
        expect(new Set(regions).size).toBe(regions?.length);
    });

    it('leaves out the canary region, which ordinary subscriptions cannot use', () => {
        expect(regions).not.toContain('eastus2euap');
    });
});

describe('scale', () => {
    it('keeps maximumInstanceCount between 40 (the lowest Flex accepts) and 1000, default inside', () => {
        const decorators = paramDecorators(mainBicep, 'maximumInstanceCount');
        expect(numericDecorator(decorators, 'minValue')).toBe(40);
        expect(numericDecorator(decorators, 'maxValue')).toBe(1000);
        const fallback = Number(defaultOf('maximumInstanceCount'));
        expect(fallback).toBeGreaterThanOrEqual(40);
        expect(fallback).toBeLessThanOrEqual(1000);
    });
});

describe('keys on the public routes', () => {
    it('offers function and anonymous, defaulting to the same level the code falls back to', () => {
        expect(allowedValues(paramDecorators(mainBicep, 'httpAuthLevel'))).toEqual(['function', 'anonymous']);
        expect(defaultOf('httpAuthLevel')).toBe(`'${DEFAULT_PUBLIC_ROUTE_AUTH_LEVEL}'`);
        expect(DEFAULT_PUBLIC_ROUTE_AUTH_LEVEL).toBe('function');
        expect(parametersFile.parameters.httpAuthLevel?.value).toBe('${HTTP_AUTH_LEVEL=function}');
    });

    it('hands the parameter to the app as the HTTP_AUTH_LEVEL setting the code reads', () => {
        expect(moduleParams('functionApp')).toMatch(/^\s*httpAuthLevel:\s*httpAuthLevel\s*$/m);
        const settings = objectBodyAfter(functionAppBicep, /var\s+appSettings\s*=\s*\{/);
        expect(settings).toMatch(/^\s*HTTP_AUTH_LEVEL:\s*httpAuthLevel\s*$/m);
        expect(allowedValues(paramDecorators(functionAppBicep, 'httpAuthLevel'))).toEqual(['function', 'anonymous']);
    });
});

describe('optional virtual network (vnetEnabled)', () => {
    it('is off unless asked for, through VNET_ENABLED', () => {
        expect(params(mainBicep).find((p) => p.name === 'vnetEnabled')).toMatchObject({
            type: 'bool',
            defaultValue: 'false',
        });
        expect(parametersFile.parameters.vnetEnabled?.value).toBe('${VNET_ENABLED=false}');
    });

    it('creates the network and the storage private endpoints only when enabled', () => {
        expect(mainCode).toMatch(/module network 'app\/network\.bicep' = if \(vnetEnabled\)/);
        expect(mainCode).toMatch(
            /module storagePrivateEndpoints 'app\/storage-private-endpoints\.bicep' = if \(vnetEnabled\)/,
        );
    });

    it('integrates the app into a subnet delegated to Microsoft.App/environments', () => {
        expect(moduleParams('functionApp')).toMatch(
            /virtualNetworkSubnetId:\s*vnetEnabled \? network\.outputs\.appSubnetId : ''/,
        );
        const site = objectBodyAfter(functionAppBicep, /resource site [^=]+=\s*\{/);
        expect(objectBodyAfter(site, /properties\s*:\s*\{/)).toMatch(
            /virtualNetworkSubnetId:\s*empty\(virtualNetworkSubnetId\) \? null : virtualNetworkSubnetId/,
        );
        expect(stripComments(networkBicep)).toMatch(/serviceName:\s*'Microsoft\.App\/environments'/);
        expect(stripComments(networkBicep)).toMatch(/output appSubnetId string = vnet::appSubnet\.id/);
    });

    it('gives blob, queue and table each a private endpoint with its privatelink DNS zone linked to the network', () => {
        const code = stripComments(privateEndpointsBicep);
        const services = /var services = \[([^\]]*)\]/.exec(code)?.[1] ?? '';
        expect([...services.matchAll(/'(\w+)'/g)].map((m) => m[1]).sort()).toEqual(['blob', 'queue', 'table']);
        expect(code).toMatch(/name: 'privatelink\.\$\{service\}\.\$\{environment\(\)\.suffixes\.storage\}'/);
        expect(code).toMatch(/groupIds: \[service\]/);
        expect(code).toMatch(/virtualNetwork: \{\s*id: vnet\.id\s*\}/);
        expect(code).toMatch(/privateDnsZoneId: dnsZones\[i\]\.id/);
    });

    it('turns public network access off on the storage account when enabled, and keeps it on otherwise', () => {
        expect(moduleParams('storage')).toMatch(/publicNetworkAccess:\s*!vnetEnabled/);
        const account = objectBodyAfter(storageBicep, /resource storage [^=]+=\s*\{/);
        expect(account).toMatch(/publicNetworkAccess:\s*publicNetworkAccess \? 'Enabled' : 'Disabled'/);
        expect(account).toMatch(/defaultAction:\s*'Deny'/);
        expect(params(storageBicep).find((p) => p.name === 'publicNetworkAccess')?.defaultValue).toBe('true');
    });

    it('starts the function app after the private endpoints, so the host finds storage reachable', () => {
        const dependsOn = /module functionApp [^=]+=\s*\{[\s\S]*?dependsOn:\s*\[([^\]]*)\]/.exec(mainCode)?.[1] ?? '';
        expect(dependsOn.split(',').map((name) => name.trim())).toEqual(
            expect.arrayContaining(['rbac', 'storagePrivateEndpoints']),
        );
    });
});

describe('roles', () => {
    it('never grants Storage Blob Data Owner: Contributor is enough for the host and Durable', () => {
        expect(stripComments(rbacBicep)).not.toContain('b7e6dc6d-f1e8-4753-8033-0f276bb0955b');
        expect(stringValueOf(objectBodyAfter(rbacBicep, /var roles = \{/), 'storageBlobDataContributor')).toBe(
            'ba92f5b4-2d11-453d-a403-e96b0029c9fe',
        );
    });
});
