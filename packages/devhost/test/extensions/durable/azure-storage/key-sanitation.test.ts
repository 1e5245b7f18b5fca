import { describe, expect, it } from 'vitest';
import {
    escapePartitionKey,
    unescapePartitionKey,
} from '../../../../src/extensions/durable/azure-storage/key-sanitation';

describe('escapePartitionKey / unescapePartitionKey', () => {
    it('escapes the characters table keys forbid, and the escape character itself', () => {
        expect(escapePartitionKey('a/b\\c#d?e^f')).toBe('a^0b^1c^2d^3e^^f');
    });

    it('shifts control characters (C0 and C1) by 0xC0 behind the escape character', () => {
        expect(escapePartitionKey('x\u0000y\u001fz\u007f\u009f')).toBe('x^\u00c0y^\u00dfz^\u013f^\u015f');
    });

    it('leaves ordinary ids, Unicode included, unchanged', () => {
        for (const id of ['order-42', 'A_b.C~d', 'ünïcödé', '😀 emoji', '']) expect(escapePartitionKey(id)).toBe(id);
    });

    it('round-trips every awkward id both ways', () => {
        const ids = ['^', '^^0', '/\\#?', '^0', 'a^1b', '\u0001\u0002', 'tab\tnewline\n', '??//', 'x^'];
        for (const id of ids) {
            const escaped = escapePartitionKey(id);
            // eslint-disable-next-line no-control-regex -- control characters are exactly what must not appear
            expect(escaped).not.toMatch(/[/\\#?\u0000-\u001f\u007f-\u009f]/);
            expect(unescapePartitionKey(escaped)).toBe(id);
        }
    });

    it('reads keys the provider wrote', () => {
        expect(unescapePartitionKey('a^0b^2^^')).toBe('a/b#^');
        expect(unescapePartitionKey('^\u00c9')).toBe('\u0009');
    });
});
