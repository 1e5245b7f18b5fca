import type { Task } from 'durable-functions';
import { z } from 'zod';
import { parseOrThrow } from '../contracts/boundary';
import { ActivityNames } from '../contracts/names';
import { type ProcessItemInput, type ProcessItemResult, ProcessItemResultSchema } from '../contracts/process-item';
import type { OrchestrationContextLike } from './orchestration-context';

/**
 * One `process_item` per item, all at once, results in order; `offset` is the first item's index in the
 * whole list. Used with `yield*` by both parallel orchestrators. No items means no yield at all: the SDK's
 * Task.all throws on an empty list ("you must specify at least one Task").
 */
export function* fanOutItems(
    context: OrchestrationContextLike,
    orchestrator: string,
    items: readonly unknown[],
    offset: number,
): Generator<Task, ProcessItemResult[], unknown> {
    if (items.length === 0) return [];
    const tasks = items.map((item, position) => {
        const input: ProcessItemInput = { index: offset + position, item };
        return context.df.callActivity(ActivityNames.processItem, input);
    });
    return parseOrThrow(
        z.array(ProcessItemResultSchema).length(tasks.length),
        yield context.df.Task.all(tasks),
        orchestrator,
        `${ActivityNames.processItem} results`,
    );
}
