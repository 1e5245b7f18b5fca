/**
 * A deterministic 128-bit hash of a string, as 32 hex digits, for ids and keys derived from history (the engine
 * does no I/O, so no node:crypto). Four FNV-1a lanes over the UTF-16 code units, each with its own offset basis
 * and a final avalanche step. Not for secrets; collisions among a few thousand keys are out of reach.
 */
const OFFSETS = [0x811c9dc5, 0x050c5d1f, 0x2f8fa43b, 0x6b43a9b5] as const;
const FNV_PRIME = 0x01000193;

function avalanche(h: number): number {
    let x = h;
    x ^= x >>> 16;
    x = Math.imul(x, 0x85ebca6b);
    x ^= x >>> 13;
    x = Math.imul(x, 0xc2b2ae35);
    x ^= x >>> 16;
    return x >>> 0;
}

export function stableHash128(text: string): string {
    return OFFSETS.map((offset, lane) => {
        let h: number = offset;
        for (let i = 0; i < text.length; i++) {
            h ^= text.charCodeAt(i) + lane;
            h = Math.imul(h, FNV_PRIME);
        }
        return avalanche(h ^ text.length)
            .toString(16)
            .padStart(8, '0');
    }).join('');
}
