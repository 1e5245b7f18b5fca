import { describe, expect, it } from 'vitest';
import { fnv1a32, partitionIndex } from '../../../../src/extensions/durable/azure-storage/partition';

/** An independent FNV-1a: BigInt arithmetic instead of Math.imul, TextEncoder instead of Buffer. */
function referenceFnv1a(text: string): number {
    let hash = 0x811c9dc5n;
    for (const byte of new TextEncoder().encode(text)) {
        hash ^= BigInt(byte);
        hash = (hash * 0x01000193n) & 0xffffffffn;
    }
    return Number(hash);
}

describe('FNV-1a partitioning', () => {
    it('matches the published FNV-1a 32-bit test vectors', () => {
        expect(fnv1a32('')).toBe(0x811c9dc5);
        expect(fnv1a32('a')).toBe(0xe40c292c);
        expect(fnv1a32('foobar')).toBe(0xbf9cf968);
    });

    it('hashes the UTF-8 bytes, not UTF-16 code units', () => {
        // "é" is two UTF-8 bytes (C3 A9): hash them by hand.
        let h = 0x811c9dc5;
        for (const b of [0xc3, 0xa9]) h = Math.imul(h ^ b, 0x01000193) >>> 0;
        expect(fnv1a32('é')).toBe(h);
        expect(fnv1a32('é')).not.toBe(fnv1a32('\u00e9'.normalize('NFD')));
    });

    it('agrees with an independent implementation on many ids', () => {
        const ids = [
            'order-1',
            'b8f7c1d2e3f4',
            'ünïcödé',
            '😀',
            'x'.repeat(300),
            ...Array.from({ length: 200 }, (_, i) => `instance-${i}`),
        ];
        for (const id of ids) expect(fnv1a32(id)).toBe(referenceFnv1a(id));
    });

    it('maps ids onto partitions by hash modulo the count, spreading them over all queues', () => {
        const seen = new Set<number>();
        for (let i = 0; i < 200; i++) {
            const id = `instance-${i}`;
            const p = partitionIndex(id, 4);
            expect(p).toBe(referenceFnv1a(id) % 4);
            seen.add(p);
        }
        expect([...seen].sort()).toEqual([0, 1, 2, 3]);
        expect(partitionIndex('anything', 1)).toBe(0);
    });
});
