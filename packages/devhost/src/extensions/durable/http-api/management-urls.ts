/**
 * URLs the extension hands out: the durableClient binding JSON (BindingHelper), the management payload of a
 * check-status response (HttpApiHandler.GetClientResponseLinks) and the creation URL templates. They point at
 * the public webhook path; `rpcBaseUrl` points back at this server's local RPC base.
 */
export const WEBHOOK_BASE_PATH = '/runtime/webhooks/durabletask';
export const RPC_BASE_PATH = '/durabletask';
/** The extension's default connection name for AzureWebJobsStorage. */
export const DEFAULT_CONNECTION_NAME = 'Storage';

export interface ManagementUrls {
    id: string;
    statusQueryGetUri: string;
    sendEventPostUri: string;
    terminatePostUri: string;
    rewindPostUri: string;
    purgeHistoryDeleteUri: string;
    restartPostUri: string;
    suspendPostUri: string;
    resumePostUri: string;
}

export function managementUrls(
    origin: string,
    taskHubName: string,
    instanceId: string,
    encodeId = true,
): ManagementUrls {
    const instancePrefix = `${origin}${WEBHOOK_BASE_PATH}/instances/${encodeId ? encodeURIComponent(instanceId) : instanceId}`;
    const query = `taskHub=${encodeURIComponent(taskHubName)}&connection=${DEFAULT_CONNECTION_NAME}`;
    return {
        id: instanceId,
        statusQueryGetUri: `${instancePrefix}?${query}`,
        sendEventPostUri: `${instancePrefix}/raiseEvent/{eventName}?${query}`,
        terminatePostUri: `${instancePrefix}/terminate?reason={text}&${query}`,
        rewindPostUri: `${instancePrefix}/rewind?reason={text}&${query}`,
        purgeHistoryDeleteUri: `${instancePrefix}?${query}`,
        restartPostUri: `${instancePrefix}/restart?${query}`,
        suspendPostUri: `${instancePrefix}/suspend?reason={text}&${query}`,
        resumePostUri: `${instancePrefix}/resume?reason={text}&${query}`,
    };
}

/** The server-side check-status body: the management URLs without rewindPostUri (CreateCheckStatusResponseMessage). */
export function checkStatusBody(urls: ManagementUrls): Omit<ManagementUrls, 'rewindPostUri'> {
    const { rewindPostUri: _omitted, ...rest } = urls;
    return rest;
}

export interface DurableClientBinding {
    taskHubName: string;
    creationUrls: { createNewInstancePostUri: string; createAndWaitOnNewInstancePostUri: string };
    managementUrls: ManagementUrls;
    baseUrl: string;
    requiredQueryStringParameters: string;
    rpcBaseUrl: string;
    httpBaseUrl: null;
}

/** The `durableClient` input value, with the INSTANCEID placeholder the SDK substitutes. */
export function durableClientBinding(origin: string, taskHubName: string): DurableClientBinding {
    const baseUrl = `${origin}${WEBHOOK_BASE_PATH}`;
    const instancePrefix = `${baseUrl}/orchestrators/{functionName}[/{instanceId}]`;
    return {
        taskHubName,
        creationUrls: {
            createNewInstancePostUri: `${instancePrefix}?`,
            createAndWaitOnNewInstancePostUri: `${instancePrefix}?timeout={timeoutInSeconds}&pollingInterval={intervalInSeconds}&`,
        },
        managementUrls: managementUrls(origin, taskHubName, 'INSTANCEID', false),
        baseUrl,
        requiredQueryStringParameters: '',
        rpcBaseUrl: `${origin}${RPC_BASE_PATH}/`,
        httpBaseUrl: null,
    };
}
