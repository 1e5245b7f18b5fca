/**
 * Remembers which blob already holds a large value of an instance, so a checkpoint that writes the same
 * 5 MB input to the history row and then to the instance row (and again on every later checkpoint) uploads it
 * once. The provider does the same by pointing the instance row at the history row's blob. Entries are
 * matched by content, bounded by total size, and dropped when the instance is purged (its blobs are gone).
 */

interface Entry {
    text: string;
    blobName: string;
}

export class LargeValueCache {
    private readonly byInstance = new Map<string, Entry[]>();
    private totalChars = 0;

    constructor(
        private readonly maxChars = 64 * 1024 * 1024,
        private readonly maxPerInstance = 4,
    ) {}

    find(partitionKey: string, text: string): string | undefined {
        const entries = this.byInstance.get(partitionKey);
        const hit = entries?.find((e) => e.text === text);
        if (entries && hit) {
            // Re-insert to mark the instance as recently used.
            this.byInstance.delete(partitionKey);
            this.byInstance.set(partitionKey, entries);
        }
        return hit?.blobName;
    }

    remember(partitionKey: string, text: string, blobName: string): void {
        const entries = this.byInstance.get(partitionKey) ?? [];
        this.byInstance.delete(partitionKey);
        entries.unshift({ text, blobName });
        this.totalChars += text.length;
        while (entries.length > this.maxPerInstance) this.totalChars -= entries.pop()?.text.length ?? 0;
        this.byInstance.set(partitionKey, entries);
        for (const [key, oldest] of this.byInstance) {
            if (this.totalChars <= this.maxChars || key === partitionKey) break;
            this.forget(key, oldest);
        }
    }

    forgetInstance(partitionKey: string): void {
        const entries = this.byInstance.get(partitionKey);
        if (entries) this.forget(partitionKey, entries);
    }

    private forget(key: string, entries: Entry[]): void {
        for (const e of entries) this.totalChars -= e.text.length;
        this.byInstance.delete(key);
    }
}
