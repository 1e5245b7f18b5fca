/**
 * Sends an episode's outbound messages in parallel across targets, one after another to each entity: two
 * requests one episode sends to the same entity (a signal, then a call) must reach it in that order, as the
 * extension's MessageSorter guarantees. Work items and other instances' messages keep their parallel sends.
 */
import type { OutboundMessage } from '../engine';
import { isEntityInstanceId } from '../engine/entity-protocol';

export async function sendInOrderPerTarget(
    outbound: readonly OutboundMessage[],
    send: (out: OutboundMessage) => Promise<unknown>,
): Promise<void> {
    const lanes = new Map<string, OutboundMessage[]>();
    const parallel: OutboundMessage[] = [];
    for (const out of outbound) {
        const target = out.message.OrchestrationInstance.InstanceId;
        if (out.queue !== 'control' || !isEntityInstanceId(target)) {
            parallel.push(out);
            continue;
        }
        const lane = lanes.get(target);
        if (lane) lane.push(out);
        else lanes.set(target, [out]);
    }
    await Promise.all([
        ...parallel.map(send),
        ...[...lanes.values()].map(async (lane) => {
            for (const out of lane) await send(out);
        }),
    ]);
}
