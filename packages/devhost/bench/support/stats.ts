/** Percentiles the way the peer's benchmark reports them: nearest rank over the sorted samples. */
function percentile(sorted: readonly number[], p: number): number {
    const index = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
    return Number((sorted[Math.max(0, index)] ?? NaN).toFixed(1));
}

export interface Summary {
    n: number;
    mean: number;
    p50: number;
    p95: number;
    p99: number;
    max: number;
}

export function summary(samples: readonly number[]): Summary {
    const sorted = [...samples].sort((a, b) => a - b);
    const mean = samples.reduce((a, b) => a + b, 0) / Math.max(1, samples.length);
    return {
        n: samples.length,
        mean: Number(mean.toFixed(1)),
        p50: percentile(sorted, 50),
        p95: percentile(sorted, 95),
        p99: percentile(sorted, 99),
        max: percentile(sorted, 100),
    };
}
