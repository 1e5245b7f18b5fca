// The devhost's public API for programs that host a v4 app themselves (the CLI is `cli.ts`): start a host on
// an app directory with the extensions of your choice, or load an app and look at what it registers.
// Call installCoreModule() before anything in the process loads @azure/functions (the CLI does it first thing).
export { installCoreModule } from './host/worker/core-module';
export {
    startHost,
    PortInUseError,
    UnsupportedBindingsError,
    type RunningHost,
    type StartHostOptions,
} from './host/start-host';
export { loadApp, type DevhostApp, type LoadAppOptions } from './host/worker/load-app';
export { httpRoutePrefix } from './host/worker/app-manifest';
export { RouteTable } from './host/http/route-table';
export { enabledExtensions } from './default-extensions';
export {
    createDurableExtension,
    type DurableExtension,
    type DurableExtensionOptions,
} from './extensions/durable/extension';
export { createStorageExtension, type StorageExtensionOptions } from './extensions/storage-bindings/extension';
export { createViewerExtension, type ViewerExtensionOptions } from './extensions/viewer/extension';
export type { HostExtension, HostLogger, RegisteredFunction } from './shared/host-contracts';
