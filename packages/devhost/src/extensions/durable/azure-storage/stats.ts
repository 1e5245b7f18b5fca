/**
 * Counts storage calls. On Azurite every call costs about 2 ms, so the number of calls is the engine's cost
 * model; benchmarks print these counters. One transaction, one query page or one blob upload is one call.
 */
export class StorageStats {
    tableOps = 0;
    queueOps = 0;
    blobOps = 0;

    get total(): number {
        return this.tableOps + this.queueOps + this.blobOps;
    }

    reset(): void {
        this.tableOps = 0;
        this.queueOps = 0;
        this.blobOps = 0;
    }

    toJSON(): { tableOps: number; queueOps: number; blobOps: number; total: number } {
        return { tableOps: this.tableOps, queueOps: this.queueOps, blobOps: this.blobOps, total: this.total };
    }
}
