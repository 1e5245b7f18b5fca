// What an app's own tests use from the devhost (any test runner; the vitest crash-point suites are
// `devhost/testing/crash-points`): Azurite in memory, the engine driven without a host (replay of
// recorded histories), the Functions SDK as the Node worker loads it, and the task hub's invariants.
export {
    connectionStringFor,
    DEFAULT_AZURITE_PORTS,
    startAzurite,
    type AzuriteOptions,
    type RunningAzurite,
} from '../host/local-storage/azurite';
export { isPortOpen } from '../host/local-storage/dev-storage';
export { EngineHarness, shape, type WorkItem } from './engine-harness';
export { loadDurableFunctions, registeredNames, sdkInvoker } from './sdk-host';
export {
    allRows,
    historyProblems,
    hubProblems,
    poisonBlobs,
    rowProblems,
    undrainedQueues,
    waitForTerminal,
} from './hub-invariants';
export { captureLogger, silentLogger } from './loggers';
export { loggingInto } from './loggers';
export { pollUntil } from './poll-until';
export { uniqueHubName } from './unique-hub-name';
export type { InstanceRecord, TaskHubStorage } from '../extensions/durable/task-hub-port/task-hub-storage';
export type { LoadedApp, LogEntry } from '../shared/host-contracts';
export { provideAzurite } from './azurite-for-tests';
export { createTestHost, type TestHost, type TestHostOptions, type WaitOptions } from './test-host';
export type { ActivityCall, ActivityStub, ActivityStubFunction, ActivityStubOptions } from './activity-stubs';
export { DECISIONS, INPUTS } from './replay-support';
export {
    NonDeterminismError,
    replay,
    type RecordedHistory,
    type ReplayOptions,
    type ReplayReport,
} from './replay-history';
export { MemoryTaskHub } from './memory-task-hub';
export { realClock, virtualClock, type TestClock } from './virtual-clock';
