// The sidecar's request latency histogram (saml2jwt_http_request_duration_seconds, by route), as
// its /metrics page shows it: read for one route, the difference over a load turn, and quantiles
// estimated the way Prometheus' histogram_quantile does (linear within a bucket).

export interface Histogram {
  /** Cumulative counts by upper bound (seconds), ascending; the last bound is Infinity. */
  buckets: Array<{ le: number; count: number }>;
  sum: number;
  count: number;
}

function labelsOf(text: string): Map<string, string> {
  const labels = new Map<string, string>();
  for (const m of text.matchAll(/([a-zA-Z_]\w*)="((?:[^"\\]|\\.)*)"/g)) labels.set(m[1] as string, (m[2] as string).replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c)));
  return labels;
}

/** Histogram `name` restricted to the samples whose labels include every one of `match`. */
export function readHistogram(exposition: string, name: string, match: Record<string, string>): Histogram {
  const buckets = new Map<number, number>();
  let sum = 0;
  let count = 0;
  for (const line of exposition.split('\n')) {
    const m = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})?\s+(\S+)/.exec(line);
    if (!m) continue;
    const labels = labelsOf(m[2] ?? '');
    if (!Object.entries(match).every(([k, v]) => labels.get(k) === v)) continue;
    const value = Number(m[3]);
    if (m[1] === `${name}_bucket`) {
      const le = labels.get('le') === '+Inf' ? Infinity : Number(labels.get('le'));
      buckets.set(le, (buckets.get(le) ?? 0) + value);
    } else if (m[1] === `${name}_sum`) sum += value;
    else if (m[1] === `${name}_count`) count += value;
  }
  return { buckets: [...buckets].map(([le, c]) => ({ le, count: c })).sort((a, b) => a.le - b.le), sum, count };
}

/** What was observed between two readings of the same histogram. */
export function histogramDelta(after: Histogram, before: Histogram): Histogram {
  const earlier = new Map(before.buckets.map((b) => [b.le, b.count]));
  return {
    buckets: after.buckets.map((b) => ({ le: b.le, count: b.count - (earlier.get(b.le) ?? 0) })),
    sum: after.sum - before.sum,
    count: after.count - before.count,
  };
}

/**
 * The q-quantile (0 < q < 1) by Prometheus' rule: find the bucket holding rank q × count and
 * interpolate linearly within it (from 0 for the first bucket); in the +Inf bucket, the highest
 * finite bound. NaN without observations.
 */
export function histogramQuantile(h: Histogram, q: number): number {
  const total = h.buckets.at(-1)?.count ?? 0;
  if (total === 0) return NaN;
  const rank = q * total;
  let lowerBound = 0;
  let lowerCount = 0;
  for (const b of h.buckets) {
    if (b.count >= rank) {
      if (b.le === Infinity) return lowerBound;
      return b.count === lowerCount ? b.le : lowerBound + ((b.le - lowerBound) * (rank - lowerCount)) / (b.count - lowerCount);
    }
    lowerBound = b.le;
    lowerCount = b.count;
  }
  return lowerBound;
}
