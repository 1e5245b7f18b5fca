/**
 * `output.storageQueue`: each value becomes one message on the binding's `queueName` (expressions
 * resolved); an array sets one message per element, as the host does for collections. Objects are sent as
 * JSON text. The queue is created on first use.
 */
import { resolveBindingExpression } from '../../host/bindings/binding-expression';
import { valueFromTypedData } from '../../host/bindings/typed-data';
import type { BindingInfo, TypedData } from '../../shared/host-contracts';
import type { StorageAccounts } from './accounts';
import { encodeQueueMessage, type QueueMessageEncoding } from './queue-messages';

function messageTexts(data: TypedData): string[] {
    const bytes = data.bytes ?? data.stream;
    if (bytes) return [Buffer.from(bytes).toString('utf8')];
    const value = valueFromTypedData(data);
    const values = Array.isArray(value) ? value : [value];
    return values
        .filter((item) => item !== undefined && item !== null)
        .map((item) => (typeof item === 'string' ? item : JSON.stringify(item)));
}

export async function writeQueueOutput(
    accounts: StorageAccounts,
    binding: BindingInfo,
    data: TypedData,
    bindingData: Readonly<Record<string, unknown>>,
    env: NodeJS.ProcessEnv,
    encoding: QueueMessageEncoding,
): Promise<void> {
    if (typeof binding.queueName !== 'string')
        throw new Error(`Queue binding '${binding.name ?? ''}' has no queueName.`);
    const queueName = resolveBindingExpression(binding.queueName, bindingData, env).toLowerCase();
    const queue = await accounts.createdQueue(accounts.connectionOf(binding), queueName);
    for (const text of messageTexts(data)) await queue.sendMessage(encodeQueueMessage(text, encoding));
}
