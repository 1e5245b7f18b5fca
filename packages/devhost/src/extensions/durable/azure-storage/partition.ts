/**
 * Instance → control queue: 32-bit FNV-1a over the UTF-8 bytes of the instance id, modulo the partition
 * count (DTFx `Fnv1aHashHelper.cs`, docs/protocol.md §6). Must match the provider bit for bit,
 * or a real host sharing the hub would look for an instance's messages on another queue.
 */

const FNV_OFFSET_BASIS = 2166136261;
const FNV_PRIME = 16777619;

export function fnv1a32(text: string): number {
    let hash = FNV_OFFSET_BASIS;
    for (const byte of Buffer.from(text, 'utf8')) {
        hash ^= byte;
        // Math.imul keeps the multiplication in 32 bits, as C#'s unchecked uint arithmetic does.
        hash = Math.imul(hash, FNV_PRIME) >>> 0;
    }
    return hash >>> 0;
}

export function partitionIndex(instanceId: string, partitionCount: number): number {
    return fnv1a32(instanceId) % partitionCount;
}
