/**
 * The task hub storage with some of its methods replaced (a fault, a stand-in): every other member is the
 * real storage's, bound to it. The replacements call the real storage themselves when they mean to.
 */
import type { TaskHubStorage } from '../../../src/extensions/durable/task-hub-port/task-hub-storage';

export function withOverrides(inner: TaskHubStorage, overrides: Partial<TaskHubStorage>): TaskHubStorage {
    return new Proxy(inner, {
        get(target, property, receiver) {
            if (Object.hasOwn(overrides, property)) return Reflect.get(overrides, property) as unknown;
            const value: unknown = Reflect.get(target, property, receiver);
            return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
        },
    });
}
