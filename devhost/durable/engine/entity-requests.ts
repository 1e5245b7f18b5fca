/**
 * What an orchestration's requests to entities need before they go out: the sender's last request to each
 * entity (the sorter's chain, read from the requests history holds: entity-sorter.ts), and the extension's
 * check that an entity function of that name exists.
 */
import { EventType, type HistoryEvent } from '../../protocol/history';
import { parseEntityInstanceId, parseRequestMessage } from './entity-protocol';
import { ticksOf } from './entity-sorter';
import type { Decision } from './replay';

/**
 * The extension's ThrowIfFunctionDoesNotExist (DurableTaskExtension.cs) for the first new request to an entity
 * no function implements, as its message; undefined when every target exists. The extension fails the
 * orchestration this way for signals; the devhost does for calls too, which the extension would leave waiting
 * for ever (and the request would create an entity row no function can run, Running for ever).
 */
export function unknownEntityFailure(decisions: readonly Decision[], known: ReadonlySet<string>): string | undefined {
    for (const decision of decisions) {
        if (decision.kind !== 'eventSent') continue;
        const entity = parseEntityInstanceId(decision.instanceId);
        if (!entity || known.has(entity.name)) continue;
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
