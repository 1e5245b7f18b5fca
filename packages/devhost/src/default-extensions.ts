import { createDurableExtension } from './extensions/durable/extension';
import { createStorageExtension } from './extensions/storage-bindings/extension';
import { createViewerExtension } from './extensions/viewer/extension';
import type { HostExtension } from './shared/host-contracts';

/**
 * The trigger extensions `devhost start` enables, in the order they see HTTP requests. The one place to add
 * one. The Durable extension serves orchestration/activity triggers, the durableClient input and the
 * `/runtime/webhooks/durabletask/` API; the storage extension serves blob, queue and table bindings and the
 * timer, queue and blob triggers; the viewer serves `/_devhost/` from the Durable extension's task hub.
 */
export function enabledExtensions(): HostExtension[] {
    const durable = createDurableExtension();
    return [durable, createStorageExtension(), createViewerExtension({ durable })];
}
