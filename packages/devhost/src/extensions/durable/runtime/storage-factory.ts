/**
 * How the extension gets its task hub storage: from AzureWebJobsStorage and the resolved hub name, through the
 * storage module. Injectable so tests can wrap the real storage (e.g. to count or fail calls).
 */
import type { TaskHubStorage } from '../task-hub-port/task-hub-storage';

export interface StorageRequest {
    env: NodeJS.ProcessEnv;
    /** host.json hubName with settings resolved, or undefined for the extension's default. */
    hubName: string | undefined;
    partitionCount: number;
}

export type StorageFactory = (request: StorageRequest) => Promise<TaskHubStorage>;
