import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { objectBodyAfter, params, stringValueOf, topLevelKeys } from '../support/deploy/bicep-text.js';
import { projectRoot, readProjectFile } from '../support/deploy/project-files';
import {
    connectionIsConfigured,
    settingsReadBySource,
    settingsReferencedByHostJson,
    type SettingUse,
} from '../support/deploy/settings-read.js';

const mainBicep = readProjectFile('infra/main.bicep');
const functionAppBicep = readProjectFile('infra/app/function-app.bicep');
const storageBicep = readProjectFile('infra/app/storage.bicep');
const monitoringBicep = readProjectFile('infra/app/monitoring.bicep');

const hostJsonSchema = z
    .object({
        extensions: z
            .object({
                durableTask: z
                    .object({
                        hubName: z.string(),
                        storageProvider: z.object({ maxQueuePollingInterval: z.string().optional() }).passthrough(),
                    })
                    .passthrough(),
            })
            .passthrough(),
    })
    .passthrough();
const hostJson: unknown = JSON.parse(readProjectFile('host.json'));
const hostJsonSamplingSchema = z.object({
    logging: z.object({
        applicationInsights: z.object({
            samplingSettings: z.object({ isEnabled: z.boolean(), excludedTypes: z.string() }),
        }),
    }),
});

const localSettingsSchema = z.object({ Values: z.record(z.string(), z.string()) });

const appSettingsBody = objectBodyAfter(functionAppBicep, /var\s+appSettings\s*=\s*\{/);
const bicepSettings = new Set(topLevelKeys(appSettingsBody));

/** The host's own storage: every Functions app needs it, and the Durable task hub lives in it. */
const HOST_STORAGE_CONNECTION = 'AzureWebJobsStorage';

/** Settings the platform sets on every Flex Consumption instance; code may read them without Bicep. */
const PLATFORM_PROVIDED = new Map([
    ['WEBSITE_SITE_NAME', 'App Service sets the app name on every instance'],
    ['WEBSITE_HOSTNAME', 'App Service sets the default host name on every instance'],
    ['WEBSITE_INSTANCE_ID', 'App Service sets the instance id'],
    ['WEBSITE_OWNER_NAME', 'App Service sets the subscription/resource group owner string'],
    ['FUNCTIONS_EXTENSION_VERSION', 'Flex sets the host version itself'],
]);

/** local.settings.json values that deliberately have no same-named Azure app setting, and why. */
const LOCAL_ONLY = new Map([
    [
        HOST_STORAGE_CONNECTION,
        'Azure uses the identity-based AzureWebJobsStorage__accountName form instead of a connection string',
    ],
    [
        'FUNCTIONS_WORKER_RUNTIME',
        'Flex Consumption takes the runtime from functionAppConfig.runtime.name, not an app setting',
    ],
]);

/** App settings Flex Consumption rejects or ignores: the runtime and package come from functionAppConfig. */
const NOT_SUPPORTED_ON_FLEX = [
    'FUNCTIONS_WORKER_RUNTIME',
    'FUNCTIONS_EXTENSION_VERSION',
    'FUNCTIONS_WORKER_RUNTIME_VERSION',
    'WEBSITE_NODE_DEFAULT_VERSION',
    'WEBSITE_RUN_FROM_PACKAGE',
    'WEBSITE_CONTENTAZUREFILECONNECTIONSTRING',
    'WEBSITE_CONTENTSHARE',
    'SCM_DO_BUILD_DURING_DEPLOYMENT',
    'ENABLE_ORYX_BUILD',
];

function isSatisfied(use: SettingUse): boolean {
    if (use.kind === 'connection' || use.setting === HOST_STORAGE_CONNECTION) {
        return connectionIsConfigured(use.setting, bicepSettings);
    }
    return bicepSettings.has(use.setting) || PLATFORM_PROVIDED.has(use.setting);
}

function durationSeconds(value: string): number {
    const match = /^(?:(\d+)\.)?(\d{1,2}):(\d{2}):(\d{2}(?:\.\d+)?)$/.exec(value);
    if (!match) throw new Error(`'${value}' is not a TimeSpan (d.hh:mm:ss).`);
    const [, days = '0', hours = '0', minutes = '0', seconds = '0'] = match;
    return Number(days) * 86_400 + Number(hours) * 3_600 + Number(minutes) * 60 + Number(seconds);
}

describe('app settings in the Bicep cover what the app reads', () => {
    it('finds the app settings object in the Bicep', () => {
        expect(bicepSettings.size).toBeGreaterThan(0);
    });

    it('sets every setting the code, host.json and the host storage connection read', () => {
        const uses: SettingUse[] = [
            ...settingsReadBySource(projectRoot),
            ...settingsReferencedByHostJson(hostJson),
            { setting: HOST_STORAGE_CONNECTION, kind: 'connection', where: 'Functions host and Durable task hub' },
        ];
        const missing = uses.filter((use) => !isSatisfied(use)).map((use) => `${use.setting} (${use.where})`);
        expect(missing).toEqual([]);
    });

    it('resolves host.json hubName from an app setting the Bicep sets', () => {
        const durable = hostJsonSchema.parse(hostJson).extensions.durableTask;
        const references = [...durable.hubName.matchAll(/%([^%]+)%/g)].map((match) => match[1]);
        expect(references.length).toBeGreaterThan(0);
        for (const reference of references) expect(bicepSettings).toContain(reference);
    });

    it('gives every local.settings.json value an Azure counterpart or a reason it is local only', () => {
        const local = localSettingsSchema.parse(JSON.parse(readProjectFile('local.settings.json'))).Values;
        const unexplained = Object.keys(local).filter((name) => !bicepSettings.has(name) && !LOCAL_ONLY.has(name));
        expect(unexplained).toEqual([]);
    });

    it('sets none of the app settings Flex Consumption replaces with functionAppConfig', () => {
        expect(NOT_SUPPORTED_ON_FLEX.filter((name) => bicepSettings.has(name))).toEqual([]);
    });

    it('connects host storage with the managed identity only, never a connection string', () => {
        expect(bicepSettings).not.toContain(HOST_STORAGE_CONNECTION);
        expect(bicepSettings).toContain(`${HOST_STORAGE_CONNECTION}__accountName`);
        expect(bicepSettings).toContain(`${HOST_STORAGE_CONNECTION}__clientId`);
        expect(stringValueOf(appSettingsBody, `${HOST_STORAGE_CONNECTION}__credential`)).toBe('managedidentity');
    });

    it('authenticates Application Insights ingestion with Entra ID', () => {
        expect(bicepSettings).toContain('APPLICATIONINSIGHTS_CONNECTION_STRING');
        const authentication = /APPLICATIONINSIGHTS_AUTHENTICATION_STRING\s*:\s*'([^']*)'/.exec(appSettingsBody)?.[1];
        expect(authentication).toMatch(/Authorization=AAD/);
        expect(authentication).toMatch(/ClientId=/);
        expect(objectBodyAfter(monitoringBicep, /resource applicationInsights [^=]+=\s*\{/)).toMatch(
            /DisableLocalAuth:\s*true/,
        );
    });
});

describe('the Flex Consumption site matches the app', () => {
    it('keeps one always-ready instance for the durable group', () => {
        const scale = objectBodyAfter(functionAppBicep, /scaleAndConcurrency\s*:\s*\{/);
        const alwaysReady = /alwaysReady\s*:\s*\[([^\]]*)\]/.exec(scale)?.[1] ?? '';
        expect(stringValueOf(alwaysReady, 'name')).toBe('durable');
        expect(alwaysReady).toMatch(/instanceCount:\s*1\b/);
    });

    it("polls idle task hub queues at most every second, the extension's own default on Flex", () => {
        // AzureStorageOptions.MaxQueuePollingInterval (Azure/azure-functions-durable-extension) is 1 s when
        // WEBSITE_SKU is FlexConsumption and 30 s elsewhere. Set explicitly so the devhost, which reads the same
        // host.json, polls alike, and so a later change of the default does not slow Flex down unnoticed.
        const interval = hostJsonSchema.parse(hostJson).extensions.durableTask.storageProvider.maxQueuePollingInterval;
        expect(interval, 'host.json should set maxQueuePollingInterval').toBeDefined();
        expect(durationSeconds(interval ?? '')).toBeGreaterThan(0);
        expect(durationSeconds(interval ?? '')).toBeLessThanOrEqual(1);
    });

    it('samples Application Insights telemetry, never requests or exceptions', () => {
        const sampling = hostJsonSamplingSchema.parse(hostJson).logging.applicationInsights.samplingSettings;
        expect(sampling.isEnabled).toBe(true);
        const excluded = sampling.excludedTypes.split(';').map((type) => type.trim());
        expect(excluded).toEqual(expect.arrayContaining(['Request', 'Exception']));
    });

    it('defaults the task hub to a valid Azure Storage task hub name', () => {
        const taskHub = params(mainBicep).find((param) => param.name === 'taskHubName');
        const name = /^'([^']*)'$/.exec(taskHub?.defaultValue ?? '')?.[1];
        expect(name).toMatch(/^[A-Za-z][A-Za-z0-9]{2,44}$/);
    });

    it('locks the storage account to Entra ID and TLS 1.2 by default', () => {
        const storage = objectBodyAfter(storageBicep, /resource storage [^=]+=\s*\{/);
        expect(storage).toMatch(/minimumTlsVersion:\s*'TLS1_2'/);
        expect(storage).toMatch(/allowBlobPublicAccess:\s*false/);
        expect(storage).toMatch(/allowSharedKeyAccess:\s*false/);
    });

    it('provides every main.bicep parameter without a default in main.parameters.json', () => {
        const parametersFile = z
            .object({ parameters: z.record(z.string(), z.object({ value: z.unknown() })) })
            .parse(JSON.parse(readProjectFile('infra/main.parameters.json')));
        const required = params(mainBicep)
            .filter((param) => param.defaultValue === undefined)
            .map((param) => param.name);
        expect(required.filter((name) => !(name in parametersFile.parameters))).toEqual([]);
        const declared = new Set(params(mainBicep).map((param) => param.name));
        expect(Object.keys(parametersFile.parameters).filter((name) => !declared.has(name))).toEqual([]);
    });
});

describe('the settings scanner', () => {
    it('sees every form of setting read the cross-check relies on', () => {
        const directory = mkdtempSync(join(tmpdir(), 'settings-scan-'));
        try {
            mkdirSync(join(directory, 'src'));
            writeFileSync(
                join(directory, 'src', 'reads.ts'),
                [
                    'const a = process.env.FIRST_SETTING;',
                    "const b = process.env['SECOND_SETTING'];",
                    'const { THIRD_SETTING, FOURTH: renamed = "x" } = process.env;',
                    "app.storageQueue('q', { queueName: 'q', connection: 'OrdersQueue', handler });",
                ].join('\n'),
            );
            const found = settingsReadBySource(directory).map((use) => `${use.kind}:${use.setting}`);
            expect(found.sort()).toEqual(
                [
                    'connection:OrdersQueue',
                    'env:FIRST_SETTING',
                    'env:FOURTH',
                    'env:SECOND_SETTING',
                    'env:THIRD_SETTING',
                ].sort(),
            );
            expect(connectionIsConfigured('OrdersQueue', new Set(['OrdersQueue__accountName']))).toBe(true);
            expect(connectionIsConfigured('OrdersQueue', new Set(['OrdersQueue__credential']))).toBe(false);
        } finally {
            rmSync(directory, { recursive: true, force: true });
        }
    });
});
