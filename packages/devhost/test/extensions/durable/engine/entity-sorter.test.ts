/**
 * Entity message order (engine/entity-sorter.ts), the extension's MessageSorter: what a sender stamps on its
 * requests, and in which order an entity applies a sender's requests whatever order they arrive in.
 */
import { describe, expect, it } from 'vitest';
import type { RequestMessage, SorterState } from '../../../../src/extensions/durable/engine/entity-protocol';
import {
    dateTimeText,
    labelOutgoing,
    receiveInOrder,
    REORDER_WINDOW,
    ticksOf,
    ticksOfDate,
    type Ticks,
} from '../../../../src/extensions/durable/engine/entity-sorter';

const t0 = ticksOfDate(new Date('2026-12-07T10:00:00.000Z'));

/** The requests one sender sends to one entity at the given times, labelled as the sender labels them. */
function chain(sender: string, times: readonly Ticks[], execution = 'e1'): RequestMessage[] {
    const sent = new Map<string, string>();
    return times.map((now, i) => ({
        id: `${sender}-${i}`,
        op: 'add',
        parent: sender,
        parentExecution: execution,
        ...labelOutgoing(sent, '@counter@k', now),
    }));
}

const ids = (messages: readonly RequestMessage[]): string[] => messages.map((m) => m.id);

describe('the sender stamps each request with its time and its predecessor', () => {
    it('writes DateTimes as Newtonsoft does, and reads them back to the tick', () => {
        expect(dateTimeText(t0, true)).toBe('2026-12-07T10:00:00Z');
        expect(dateTimeText(t0 + 1n, false)).toBe('2026-12-07T10:00:00.0000001');
        expect(ticksOf('2026-12-07T10:00:00.1234567Z')).toBe(t0 + 1_234_567n);
        expect(ticksOf('0001-01-01T00:00:00')).toBe(0n);
        expect(ticksOf('not a date')).toBeUndefined();
    });

    it('chains requests to one target, one tick apart when sent at the same time (one episode)', () => {
        const [first, second, third] = chain('orch', [t0, t0, t0 + 5n]);
        expect(first).not.toHaveProperty('Predecessor');
        expect(second?.['Predecessor']).toBe(first?.['Timestamp']);
        expect(ticksOf(second?.['Timestamp'])).toBe(t0 + 1n);
        expect(third?.['Predecessor']).toBe(second?.['Timestamp']);
        expect(ticksOf(third?.['Timestamp'])).toBe(t0 + 5n);
    });

    it('starts a new chain once the last send to the target is older than the reorder window', () => {
        const sent = new Map<string, string>();
        labelOutgoing(sent, '@counter@k', t0);
        expect(labelOutgoing(sent, '@counter@k', t0 + REORDER_WINDOW + 1n)).not.toHaveProperty('Predecessor');
    });
});

describe('the entity applies a sender’s requests in the order it sent them', () => {
    it('holds back a request whose predecessor has not arrived, and releases both in order when it does', () => {
        const sorter: SorterState = {};
        const [add5, add2, get] = chain('orch', [t0, t0 + 10n, t0 + 20n]);
        if (!add5 || !add2 || !get) throw new Error('chain');
        expect(receiveInOrder(sorter, add2)).toEqual([]);
        expect(receiveInOrder(sorter, get)).toEqual([]);
        expect(ids(receiveInOrder(sorter, add5))).toEqual(['orch-0', 'orch-1', 'orch-2']);
        expect(sorter.ReceivedFromInstance?.['orch']?.Buffered).toBeUndefined();
    });

    it('drops a request it applied before (a redelivery), by its timestamp', () => {
        const sorter: SorterState = {};
        const [first, second] = chain('orch', [t0, t0 + 10n]);
        if (!first || !second) throw new Error('chain');
        expect(ids(receiveInOrder(sorter, first))).toEqual(['orch-0']);
        expect(ids(receiveInOrder(sorter, second))).toEqual(['orch-1']);
        expect(receiveInOrder(sorter, first)).toEqual([]);
        expect(receiveInOrder(sorter, second)).toEqual([]);
    });

    it('keeps senders apart, and passes client signals (no sender) straight through', () => {
        const sorter: SorterState = {};
        const [a0, a1] = chain('a', [t0, t0 + 10n]);
        const [b0] = chain('b', [t0 + 5n]);
        if (!a0 || !a1 || !b0) throw new Error('chain');
        expect(receiveInOrder(sorter, a1)).toEqual([]);
        expect(ids(receiveInOrder(sorter, b0))).toEqual(['b-0']);
        const client: RequestMessage = { id: 'client', op: 'add' };
        expect(ids(receiveInOrder(sorter, client))).toEqual(['client']);
        expect(ids(receiveInOrder(sorter, a0))).toEqual(['a-0', 'a-1']);
    });

    it('releases what waited when the sender starts a new execution', () => {
        const sorter: SorterState = {};
        const [, waiting] = chain('orch', [t0, t0 + 10n], 'e1');
        const [fresh] = chain('orch', [t0 + 20n], 'e2');
        if (!waiting || !fresh) throw new Error('chain');
        expect(receiveInOrder(sorter, waiting)).toEqual([]);
        expect(ids(receiveInOrder(sorter, fresh))).toEqual(['orch-1', 'orch-0']);
    });

    it('stops waiting for a predecessor that never came once the reorder window has passed', () => {
        const sorter: SorterState = {};
        const [, orphan] = chain('orch', [t0, t0 + 10n]);
        if (!orphan) throw new Error('chain');
        expect(receiveInOrder(sorter, orphan)).toEqual([]);
        const [later] = chain('other', [t0 + 10n + REORDER_WINDOW + 20n * 10_000_000n]);
        if (!later) throw new Error('chain');
        expect(ids(receiveInOrder(sorter, later))).toEqual(['orch-1', 'other-0']);
    });
});
