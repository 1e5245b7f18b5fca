/**
 * `input.storageBlob` / `output.storageBlob`: the blob at the binding's `path` (expressions resolved per
 * invocation). An input whose blob does not exist is null, as in the host; an output creates the container on
 * first use and overwrites the blob.
 */
import { resolveBindingExpression } from '../../host/bindings/binding-expression';
import { bytesFromTypedData } from '../../host/bindings/typed-data';
import { isNotFound } from '../../host/storage-account';
import type { BindingInfo, TypedData } from '../../shared/host-contracts';
import type { StorageAccounts } from './accounts';
import { splitBlobPath } from './blob-path';

function pathOf(binding: BindingInfo): string {
    if (typeof binding.path !== 'string' || binding.path.trim() === '') {
        throw new Error(`Blob binding '${binding.name ?? ''}' has no path.`);
    }
    return binding.path;
}

export async function readBlobInput(
    accounts: StorageAccounts,
    binding: BindingInfo,
    bindingData: Readonly<Record<string, unknown>>,
    env: NodeJS.ProcessEnv,
): Promise<Buffer | null> {
    const { container, blobName } = splitBlobPath(resolveBindingExpression(pathOf(binding), bindingData, env));
    try {
        return await accounts
            .container(accounts.connectionOf(binding), container)
            .getBlobClient(blobName)
            .downloadToBuffer();
    } catch (error) {
        if (isNotFound(error)) return null;
        throw error;
    }
}

export async function writeBlobOutput(
    accounts: StorageAccounts,
    binding: BindingInfo,
    data: TypedData,
    bindingData: Readonly<Record<string, unknown>>,
    env: NodeJS.ProcessEnv,
): Promise<void> {
    const bytes = bytesFromTypedData(data);
    if (!bytes) return;
    const { container, blobName } = splitBlobPath(resolveBindingExpression(pathOf(binding), bindingData, env));
    const client = await accounts.createdContainer(accounts.connectionOf(binding), container);
    await client.getBlockBlobClient(blobName).uploadData(bytes);
}
