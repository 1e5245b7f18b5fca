import type { InvocationContext } from '@azure/functions';
import { parseOrThrow } from '../contracts/boundary';
import { ActivityNames } from '../contracts/names';
import { ProcessItemInputSchema, type ProcessItemResult } from '../contracts/process-item';
import { describeItem } from '../orders/items';

/** Activity `process_item`: processes one value of a parallel_processing input. */
export async function processItem(input: unknown, context: InvocationContext): Promise<ProcessItemResult> {
    const { index, item } = parseOrThrow(ProcessItemInputSchema, input, ActivityNames.processItem, 'input');
    const outcome = describeItem(item);
    if (!outcome.ok) {
        context.log(`Item ${index} not processed: ${outcome.error}`);
        return { status: 'failed', ok: false, index, item: item ?? null, error: outcome.error };
    }
    return { status: 'success', ok: true, index, item, result: `Processed ${outcome.label}` };
}
