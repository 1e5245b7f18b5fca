import { describe, expect, it } from 'vitest';
import {
    checkStatusBody,
    durableClientBinding,
    managementUrls,
} from '../../../../src/extensions/durable/http-api/management-urls';

describe('management URLs and the durableClient binding', () => {
    it('builds the binding JSON the extension sends, with INSTANCEID placeholders and the RPC base', () => {
        const binding = durableClientBinding('http://127.0.0.1:7071', 'MyHub');
        expect(binding.taskHubName).toBe('MyHub');
        expect(binding.baseUrl).toBe('http://127.0.0.1:7071/runtime/webhooks/durabletask');
        expect(binding.rpcBaseUrl).toBe('http://127.0.0.1:7071/durabletask/');
        expect(binding.requiredQueryStringParameters).toBe('');
        expect(binding.httpBaseUrl).toBeNull();
        expect(binding.creationUrls.createNewInstancePostUri).toBe(
            'http://127.0.0.1:7071/runtime/webhooks/durabletask/orchestrators/{functionName}[/{instanceId}]?',
        );
        expect(Object.keys(binding.managementUrls).sort()).toEqual(
            [
                'id',
                'statusQueryGetUri',
                'sendEventPostUri',
                'terminatePostUri',
                'rewindPostUri',
                'purgeHistoryDeleteUri',
                'restartPostUri',
                'suspendPostUri',
                'resumePostUri',
            ].sort(),
        );
        expect(binding.managementUrls.id).toBe('INSTANCEID');
        expect(binding.managementUrls.terminatePostUri).toBe(
            'http://127.0.0.1:7071/runtime/webhooks/durabletask/instances/INSTANCEID/terminate?reason={text}&taskHub=MyHub&connection=Storage',
        );
    });

    it('escapes the instance id in check-status URLs and leaves rewind out of the server body', () => {
        const urls = managementUrls('http://h:1', 'Hub', 'a b');
        expect(urls.statusQueryGetUri).toBe(
            'http://h:1/runtime/webhooks/durabletask/instances/a%20b?taskHub=Hub&connection=Storage',
        );
        expect(urls.sendEventPostUri).toContain('/instances/a%20b/raiseEvent/{eventName}?');
        expect(checkStatusBody(urls)).not.toHaveProperty('rewindPostUri');
        expect(Object.keys(checkStatusBody(urls))).toHaveLength(8);
    });
});
