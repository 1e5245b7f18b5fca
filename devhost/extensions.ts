import type { HostExtension } from './host/contracts';

/**
 * The trigger extensions `devhost start` enables, in the order they see HTTP requests. The one place to add
 * one (the Durable extension goes here).
 */
export function enabledExtensions(): HostExtension[] {
    return [];
}
