// Latency summaries for the benchmarks: nearest-rank percentiles over every measured request
// (no sampling, no interpolation: each figure is a latency some request really had).

/** The p-th percentile (0 < p ≤ 100) of `values` by the nearest-rank rule; NaN when empty. */
export function percentile(values: readonly number[], p: number): number {
  if (!(p > 0 && p <= 100)) throw new RangeError(`percentile: p must be in (0, 100], got ${p}`);
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.ceil((p / 100) * sorted.length) - 1] as number;
}

export const median = (values: readonly number[]): number => percentile(values, 50);

export interface LatencySummary {
  count: number;
  mean: number;
  p50: number;
  p99: number;
}

export function summarize(values: readonly number[]): LatencySummary {
  const sum = values.reduce((a, b) => a + b, 0);
  return { count: values.length, mean: values.length ? sum / values.length : NaN, p50: percentile(values, 50), p99: percentile(values, 99) };
}
