import { TableClient } from '@azure/data-tables';
import { DefaultAzureCredential } from '@azure/identity';

/**
 * Table clients on the app's own storage account, from the same `AzureWebJobsStorage` setting the Functions
 * host and the Durable extension use: a connection string (Azurite locally, `UseDevelopmentStorage=true`
 * included), or identity-based with `AzureWebJobsStorage__accountName` (or `__tableServiceUri`) and, for a
 * user-assigned identity, `AzureWebJobsStorage__clientId`, as the host reads it
 * (https://learn.microsoft.com/azure/azure-functions/functions-reference#connecting-to-host-storage-with-an-identity).
 */
export type TableClientFactory = (tableName: string) => TableClient;

/** Azurite's well-known development account (public, documented with the emulator). */
const DEVELOPMENT_STORAGE =
    'DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;' +
    'AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;' +
    'TableEndpoint=http://127.0.0.1:10002/devstoreaccount1;';

const SETTING = 'AzureWebJobsStorage';

export function tableClientFactory(env: NodeJS.ProcessEnv = process.env): TableClientFactory {
    const connection = env[SETTING]?.trim();
    if (connection) {
        // @azure/data-tables does not understand the emulator shorthand; spell it out.
        const full = /^UseDevelopmentStorage\s*=\s*true\s*;?$/i.test(connection) ? DEVELOPMENT_STORAGE : connection;
        const allowInsecureConnection = /DefaultEndpointsProtocol=http;|TableEndpoint=http:/i.test(full);
        return (tableName) => TableClient.fromConnectionString(full, tableName, { allowInsecureConnection });
    }
    const accountName = env[`${SETTING}__accountName`]?.trim();
    const serviceUri =
        env[`${SETTING}__tableServiceUri`]?.trim() ||
        (accountName ? `https://${accountName}.table.core.windows.net` : undefined);
    if (!serviceUri) {
        throw new Error(
            `${SETTING} is not set: give a connection string, or ${SETTING}__accountName for an identity-based connection.`,
        );
    }
    const clientId = env[`${SETTING}__clientId`]?.trim();
    const credential = new DefaultAzureCredential(clientId ? { managedIdentityClientId: clientId } : {});
    return (tableName) => new TableClient(serviceUri, tableName, credential);
}
