import { createDurableExtension } from '../durable/extension';
import type { HostExtension } from '../contracts/host';

/**
 * The trigger extensions `devhost start` enables, in the order they see HTTP requests. The one place to add
 * one. The Durable extension serves orchestration/activity triggers, the durableClient input and the
 * `/runtime/webhooks/durabletask/` API.
 */
export function enabledExtensions(): HostExtension[] {
    return [createDurableExtension()];
}
