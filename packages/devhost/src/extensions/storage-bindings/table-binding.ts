/**
 * `input.table` / `output.table` (Microsoft's Azure Tables binding reference): an input reads one entity
 * (`partitionKey` + `rowKey`, null when absent) or a query (`partitionKey` and/or `filter`, at most `take`
 * rows); entities come back with `PartitionKey`, `RowKey` and `Timestamp` as the host returns them. An output
 * only creates entities (an existing key fails the invocation, as documented); `partitionKey` / `rowKey` on
 * the binding fill in keys the value leaves out.
 */
import { odata, type TableEntityResult } from '@azure/data-tables';
import { resolveBindingExpression } from '../../host/bindings/binding-expression';
import { valueFromTypedData } from '../../host/bindings/typed-data';
import { isNotFound } from '../../host/storage-account';
import type { BindingInfo, TypedData } from '../../shared/host-contracts';
import type { StorageAccounts } from './accounts';

type Entity = Record<string, unknown>;

function option(
    binding: BindingInfo,
    key: string,
    bindingData: Readonly<Record<string, unknown>>,
    env: NodeJS.ProcessEnv,
) {
    const value = binding[key];
    return typeof value === 'string' && value !== '' ? resolveBindingExpression(value, bindingData, env) : undefined;
}

function tableName(
    binding: BindingInfo,
    bindingData: Readonly<Record<string, unknown>>,
    env: NodeJS.ProcessEnv,
): string {
    const name = option(binding, 'tableName', bindingData, env);
    if (!name) throw new Error(`Table binding '${binding.name ?? ''}' has no tableName.`);
    return name;
}

function asHostEntity(entity: TableEntityResult<Entity>): Entity {
    const { partitionKey, rowKey, timestamp, etag: _etag, ...rest } = entity;
    for (const key of Object.keys(rest)) if (key.startsWith('odata.')) delete rest[key];
    return { PartitionKey: partitionKey, RowKey: rowKey, Timestamp: timestamp, ...rest };
}

export async function readTableInput(
    accounts: StorageAccounts,
    binding: BindingInfo,
    bindingData: Readonly<Record<string, unknown>>,
    env: NodeJS.ProcessEnv,
): Promise<Entity | Entity[] | null> {
    const table = accounts.table(accounts.connectionOf(binding), tableName(binding, bindingData, env));
    const partitionKey = option(binding, 'partitionKey', bindingData, env);
    const rowKey = option(binding, 'rowKey', bindingData, env);
    if (partitionKey !== undefined && rowKey !== undefined) {
        try {
            return asHostEntity(await table.getEntity<Entity>(partitionKey, rowKey));
        } catch (error) {
            if (isNotFound(error)) return null;
            throw error;
        }
    }
    const filters: string[] = [];
    if (partitionKey !== undefined) filters.push(odata`PartitionKey eq ${partitionKey}`);
    const filter = option(binding, 'filter', bindingData, env);
    if (filter) filters.push(`(${filter})`);
    const take = typeof binding.take === 'number' && binding.take > 0 ? binding.take : Number.POSITIVE_INFINITY;
    const rows: Entity[] = [];
    const query = table.listEntities<Entity>(
        filters.length > 0 ? { queryOptions: { filter: filters.join(' and ') } } : {},
    );
    try {
        for await (const entity of query) {
            rows.push(asHostEntity(entity));
            if (rows.length >= take) break;
        }
    } catch (error) {
        if (isNotFound(error)) return rows; // no table yet: nothing to read
        throw error;
    }
    return rows;
}

export async function writeTableOutput(
    accounts: StorageAccounts,
    binding: BindingInfo,
    data: TypedData,
    bindingData: Readonly<Record<string, unknown>>,
    env: NodeJS.ProcessEnv,
): Promise<void> {
    const value = valueFromTypedData(data);
    const entities = (Array.isArray(value) ? value : [value]).filter((item) => item !== undefined && item !== null);
    const name = tableName(binding, bindingData, env);
    const table = await accounts.createdTable(accounts.connectionOf(binding), name);
    for (const item of entities) {
        if (typeof item !== 'object' || Array.isArray(item))
            throw new Error(`Table binding '${binding.name ?? ''}' needs objects.`);
        const { PartitionKey, RowKey, ...properties } = item as Entity;
        const partitionKey = PartitionKey ?? option(binding, 'partitionKey', bindingData, env);
        const rowKey = RowKey ?? option(binding, 'rowKey', bindingData, env);
        if (typeof partitionKey !== 'string' || typeof rowKey !== 'string') {
            throw new Error(`Table binding '${binding.name ?? ''}': an entity needs string PartitionKey and RowKey.`);
        }
        await table.createEntity({ partitionKey, rowKey, ...properties });
    }
}
