import { describe, expect, it } from 'vitest';
import { controlQueueName, hubResourceNames } from '../../../../src/extensions/durable/azure-storage/hub-resources';
import {
    InvalidTaskHubNameError,
    sanitizeDefaultHubName,
    taskHubName,
    validateTaskHubName,
} from '../../../../src/extensions/durable/azure-storage/task-hub-settings';
import { durableConfigFromHostJson } from '../../../../src/extensions/durable/runtime/durable-config';

const hostJson = (durableTask: Record<string, unknown>) => ({ version: '2.0', extensions: { durableTask } });
/** host.json to hub name the way the extension gets there: the durable config resolves settings, then the hub. */
const resolveTaskHubName = (json: unknown, env: NodeJS.ProcessEnv): string =>
    taskHubName(durableConfigFromHostJson(json, env).hubName, env);

describe('task hub name and partitions from host.json', () => {
    it('uses hubName with %Setting% references resolved from the environment', () => {
        expect(resolveTaskHubName(hostJson({ hubName: '%TASKHUB_NAME%' }), { TASKHUB_NAME: 'OrdersHub' })).toBe(
            'OrdersHub',
        );
        expect(resolveTaskHubName(hostJson({ hubName: 'Plain1' }), {})).toBe('Plain1');
        expect(() => resolveTaskHubName(hostJson({ hubName: '%MISSING%' }), {})).toThrow(/MISSING/);
    });

    it('rejects an explicit name that storage cannot use, with the rule in the message', () => {
        for (const bad of ['ab', '1hub', 'my-hub', 'a'.repeat(46), 'hub name']) {
            expect(() => validateTaskHubName(bad)).toThrow(InvalidTaskHubNameError);
        }
        expect(() => resolveTaskHubName(hostJson({ hubName: 'my-hub' }), {})).toThrow(
            /alphanumeric.*start with a letter.*3 and 45/,
        );
        expect(validateTaskHubName('abc')).toBe('abc');
        expect(validateTaskHubName('A'.repeat(45))).toBe('A'.repeat(45));
    });

    it('defaults to TestHubName locally and to the sanitized site name on Azure', () => {
        expect(resolveTaskHubName({}, {})).toBe('TestHubName');
        expect(resolveTaskHubName({}, { WEBSITE_SITE_NAME: 'func-orders-prod' })).toBe('funcordersprod');
        expect(sanitizeDefaultHubName('1app')).toBe('t1app');
        expect(sanitizeDefaultHubName('a-b')).toBe('abHub');
        expect(sanitizeDefaultHubName('---')).toBe('DefaultTaskHub');
        expect(sanitizeDefaultHubName('x'.repeat(60))).toHaveLength(45);
    });

    it('names resources as the provider does: tables keep case, queues and containers are lowercase', () => {
        const names = hubResourceNames('MyHub', 3);
        expect(names).toEqual({
            instancesTable: 'MyHubInstances',
            historyTable: 'MyHubHistory',
            controlQueues: ['myhub-control-00', 'myhub-control-01', 'myhub-control-02'],
            workItemQueue: 'myhub-workitems',
            largeMessagesContainer: 'myhub-largemessages',
            leasesContainer: 'myhub-leases',
            partitionsTable: 'MyHubPartitions',
            appLeaseContainer: 'myhub-applease',
        });
        expect(controlQueueName('MyHub', 15)).toBe('myhub-control-15');
        expect(() => hubResourceNames('MyHub', 0)).toThrow(RangeError);
    });
});
