import { createDurableExtension } from '../durable/extension';
import type { HostExtension } from '../contracts/host';
import { createStorageExtension } from '../storage-bindings/extension';

/**
 * The trigger extensions `devhost start` enables, in the order they see HTTP requests. The one place to add
 * one. The Durable extension serves orchestration/activity triggers, the durableClient input and the
 * `/runtime/webhooks/durabletask/` API; the storage extension serves blob, queue and table bindings and the
 * timer, queue and blob triggers.
 */
export function enabledExtensions(): HostExtension[] {
    return [createDurableExtension(), createStorageExtension()];
}
