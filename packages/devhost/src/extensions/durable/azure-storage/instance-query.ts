/**
 * The OData filter of an instance listing. Every value goes through the SDK's `odata` template tag, which
 * quotes and escapes it, so an instance-id prefix like `x' or 'a' eq 'a` is data, never query syntax.
 */
import { odata } from '@azure/data-tables';
import type { InstanceQuery } from '../task-hub-port/task-hub-storage';
import { escapePartitionKey } from './key-sanitation';

/** The smallest string greater than every string that starts with `prefix`. */
function prefixUpperBound(prefix: string): string {
    const last = prefix.charCodeAt(prefix.length - 1);
    return prefix.slice(0, -1) + String.fromCharCode(last + 1);
}

export function instanceQueryFilter(query: InstanceQuery): string | undefined {
    const clauses: string[] = [];
    if (query.instanceIdPrefix) {
        // Escaping preserves prefixes (each character maps to a fixed string), so a key range on the escaped
        // prefix finds exactly the ids that start with the prefix.
        const low = escapePartitionKey(query.instanceIdPrefix);
        clauses.push(odata`PartitionKey ge ${low} and PartitionKey lt ${prefixUpperBound(low)}`);
    }
    if (query.createdTimeFrom) clauses.push(odata`CreatedTime ge ${query.createdTimeFrom}`);
    if (query.createdTimeTo) clauses.push(odata`CreatedTime le ${query.createdTimeTo}`);
    if (query.runtimeStatus && query.runtimeStatus.length > 0) {
        clauses.push(`(${query.runtimeStatus.map((status) => odata`RuntimeStatus eq ${status}`).join(' or ')})`);
    }
    return clauses.length > 0 ? clauses.join(' and ') : undefined;
}
