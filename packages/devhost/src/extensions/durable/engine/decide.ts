/**
 * What each new decision of an episode becomes: its history event and the messages it sends (a work item, a
 * timer message on the control queue, a child's start, a request to an entity), as DTFx's
 * TaskOrchestrationDispatcher and the extension write them.
 */
import type {
    ExecutionStartedEvent,
    HistoryEvent,
    OrchestrationInstanceRef,
    TaskMessage,
} from '../../../shared/history';
import { entityRequestMessage, stableGuid } from './entity-protocol';
import { entityEventText } from './entity-requests';
import { eventSent, subOrchestrationCreated, taskScheduled, timerCreated, timerFired } from './events';
import { addressed, executionStartedEvent } from './messages';
import type { Decision } from './replay';
import type { EpisodeRequest, OutboundMessage } from './types';

export function decide(
    decision: Decision,
    started: ExecutionStartedEvent,
    instance: OrchestrationInstanceRef,
    req: EpisodeRequest,
    sentToEntities: Map<string, string>,
): { event: HistoryEvent; outbound: OutboundMessage[] } {
    switch (decision.kind) {
        case 'eventSent': {
            // History holds the message as sent: the SDK reads a request's id from it on replay, and the next
            // episode its label (entity-requests.ts).
            const text = entityEventText(decision, instance, sentToEntities, req.now);
            const message = entityRequestMessage(decision.instanceId, text, req.now, decision.name);
            return {
                event: eventSent(decision.id, decision.instanceId, decision.name, text, req.now),
                outbound: [{ queue: 'control', message }],
            };
        }
        case 'task': {
            // History keeps the activity input only with storeInputsInOrchestrationHistory; the work item does.
            const message = addressed(taskScheduled(decision.id, decision.name, decision.input, req.now), instance);
            const storedInput = req.options.storeInputsInOrchestrationHistory ? decision.input : null;
            return {
                event: taskScheduled(decision.id, decision.name, storedInput, req.now),
                outbound: [{ queue: 'workItem', message }],
            };
        }
        case 'timer':
            return {
                event: timerCreated(decision.id, decision.fireAt, req.now),
                outbound: [
                    {
                        queue: 'control',
                        message: addressed(timerFired(decision.id, decision.fireAt), instance),
                        visibleAt: decision.fireAt,
                    },
                ],
            };
        case 'subOrchestration': {
            const childExecutionId = childExecutionIdFor(instance, decision.id);
            // The version asked for, else the host's (docs/protocol.md §16); a replay never re-creates this event.
            const version = decision.version || req.options.defaultVersion || '';
            const childStart: ExecutionStartedEvent = {
                ...executionStartedEvent({
                    instanceId: decision.instanceId,
                    executionId: childExecutionId,
                    name: decision.name,
                    version,
                    input: undefined,
                    parent: {
                        Name: started.Name,
                        Version: started.Version,
                        TaskScheduleId: decision.id,
                        OrchestrationInstance: instance,
                    },
                    now: req.now,
                }),
                Input: decision.input,
            };
            return {
                event: subOrchestrationCreated(decision.id, decision.name, decision.instanceId, req.now, version),
                outbound: [
                    {
                        queue: 'control',
                        message: addressed(childStart, {
                            InstanceId: decision.instanceId,
                            ExecutionId: childExecutionId,
                        }),
                    },
                ],
            };
        }
    }
}

/**
 * The child's ExecutionId follows from the parent execution and the step, not from a fresh GUID: when the
 * parent's episode runs again (a lost ETag race, a failed send, a kill before the checkpoint), its start message
 * is the same message, which the child's intake discards instead of taking for a restart.
 */
function childExecutionIdFor(parent: TaskMessage['OrchestrationInstance'], taskScheduleId: number): string {
    return stableGuid([parent.InstanceId, parent.ExecutionId, taskScheduleId]);
}
