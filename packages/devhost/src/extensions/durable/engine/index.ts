/**
 * The Durable orchestration engine core: episodes as the Durable extension + DTFx run them, as a pure
 * module. The runtime (../runtime) brings storage, queues, the clock and the orchestrator
 * invoker; see README.md beside this file for the semantics and the decisions taken.
 */
export type {
    EngineOptions,
    EpisodeRequest,
    EpisodeResult,
    InstanceSnapshot,
    InvokeOrchestrator,
    OrchestrationBindingPayload,
    OrchestratorCallResult,
    OutboundMessage,
} from './types';
export { defaultEngineOptions } from './types';
export { runEpisode } from './episode';
export { activityInput, taskCompleted, taskFailed, timerFired, tryParseJson } from './events';
export {
    addressed,
    eventRaisedMessage,
    executionStartedEvent,
    executionStartedMessage,
    resumeMessage,
    rewindMessage,
    suspendMessage,
    terminateMessage,
    type ExecutionStartedOptions,
} from './messages';
export { rewindHistory, type RewindResult } from './rewind';
export { formatTimeSpan, parseTimeSpan } from '../../../shared/timespan';
export { httpActivityName } from './replay';
export {
    parseOrchestratorState,
    type Action,
    type HttpRequestJson,
    type OrchestratorState,
    type RetryPolicy,
} from './actions';
