/**
 * What an orchestration's messages to entities need before they go out: the sender's last request to each
 * entity (the sorter's chain, read from the requests history holds: entity-sorter.ts), the text of each message,
 * and the extension's check that an entity function of that name exists.
 */
import { EventType, type HistoryEvent, type OrchestrationInstanceRef } from '../../../shared/history';
import {
    parseEntityInstanceId,
    parseRequestMessage,
    releaseMessageText,
    requestMessageText,
    type EntityId,
} from './entity-protocol';
import { labelOutgoing, ticksOf, ticksOfDate } from './entity-sorter';
import type { Decision } from './replay';

/**
 * The JSON text of a message an orchestration sends an entity, as history keeps it in EventSent (the SDK reads
 * a request's id there on replay) and as it goes out. Requests, lock requests included, are labelled with the
 * orchestration's current time (SendEntityMessage → MessageSorter.LabelOutgoingMessage); `sentToEntities` is
 * updated. A ReleaseMessage is not labelled.
 */
export function entityEventText(
    decision: Extract<Decision, { kind: 'eventSent' }>,
    instance: OrchestrationInstanceRef,
    sentToEntities: Map<string, string>,
    now: Date,
): string {
    const { message } = decision;
    if (message.kind === 'release') return releaseMessageText(instance.InstanceId, message.lockRequestId);
    const common = {
        id: message.requestId,
        parent: instance.InstanceId,
        parentExecution: instance.ExecutionId,
        label: labelOutgoing(sentToEntities, decision.instanceId, ticksOfDate(now)),
    };
    return message.kind === 'lock'
        ? requestMessageText({ ...common, operation: null, signal: false, input: undefined, lockSet: message.lockSet })
        : requestMessageText({
              ...common,
              operation: message.operation,
              signal: message.signal,
              input: message.input,
          });
}

/**
 * The extension's ThrowIfFunctionDoesNotExist (DurableTaskExtension.cs) for the first new request to an entity
 * no function implements, as its message; undefined when every target exists. The extension fails the
 * orchestration this way for signals; the devhost does for calls too, which the extension would leave waiting
 * for ever (and the request would create an entity row no function can run, Running for ever).
 */
export function unknownEntityFailure(decisions: readonly Decision[], known: ReadonlySet<string>): string | undefined {
    // LockAsync checks every entity of the lock set, a request its target.
    const targets = decisions.flatMap((decision): EntityId[] => {
        if (decision.kind !== 'eventSent') return [];
        if (decision.message.kind === 'lock') return [...decision.message.lockSet];
        const target = parseEntityInstanceId(decision.instanceId);
        return target ? [target] : [];
    });
    for (const entity of targets) {
        if (known.has(entity.name)) continue;
        const names = [...known];
        return (
            `The function '${entity.name}' doesn't exist, is disabled, or is not an entity function. Additional info: ` +
            (names.length > 0
                ? `The following are the known entity functions: '${names.join("', '")}'.`
                : 'No entity functions are currently registered!')
        );
    }
    return undefined;
}

/** The last request this execution sent to each entity (its Timestamp), from the requests its EventSent events hold. */
export function lastSentToEntities(history: readonly HistoryEvent[]): Map<string, string> {
    const sent = new Map<string, string>();
    for (const event of history) {
        if (event.EventType !== EventType.EventSent) continue;
        const timestamp = parseRequestMessage(event.Input)?.['Timestamp'];
        const ticks = ticksOf(timestamp);
        const previous = ticksOf(sent.get(event.InstanceId));
        if (ticks !== undefined && (previous === undefined || ticks > previous))
            sent.set(event.InstanceId, String(timestamp));
    }
    return sent;
}
