/**
 * Identical events raised in the same millisecond both count. The host's clock is
 * coarsened to whole seconds so the two raises certainly share a millisecond, as two approvers posting the same
 * answer at once may: they must still be two events, not one event and a "redelivery".
 */
import { describe, expect, it } from 'vitest';
import { EventType } from '../../../../src/shared/history';
import { hubStorage } from '../../../support/durable/crash';
import {
    postJson,
    startOrchestration,
    waitForStatus,
    waitUntil,
    WEBHOOK,
    useDurableHost,
} from '../../../support/durable/durable-host';
import { queuedMessages } from '../../../support/durable/exactly-once';

const t = useDurableHost('management', { clock: () => new Date(Math.floor(Date.now() / 1000) * 1000) });

describe('identical events in the same millisecond', () => {
    it('both count', async () => {
        const id = `votes-${Date.now().toString(36)}`;
        const started = await startOrchestration(t.origin, 'twoVotes', undefined, id);
        await waitUntil(started.statusQueryGetUri, (s) => s.runtimeStatus === 'Running');
        const raise = (): Promise<Response> =>
            postJson(`${t.origin}${WEBHOOK}/instances/${id}/raiseEvent/Vote`, { approve: true });
        const answers = await Promise.all([raise(), raise()]);
        expect(answers.map((r) => r.status)).toEqual([202, 202]);
        expect(await waitForStatus(started.statusQueryGetUri, 10_000)).toMatchObject({
            runtimeStatus: 'Completed',
            output: [{ approve: true }, { approve: true }],
        });
        const history = await hubStorage(t.hubName).readHistory(id);
        expect(history.events.filter((e) => e.EventType === EventType.EventRaised)).toHaveLength(2);
        expect(await queuedMessages(t.hubName)).toBe(0);
    });
});
