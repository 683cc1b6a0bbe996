// A closed-loop load: `concurrency` clients, each sending its next request as soon as the last
// one answered, for a fixed time. Every request's latency is kept (no sampling).

export interface LoadResult {
  latenciesMs: number[];
  errors: number;
  /** The first error's message, to say what went wrong. */
  firstError?: string;
  seconds: number;
}

export async function closedLoop(concurrency: number, seconds: number, once: (client: number) => Promise<void>): Promise<LoadResult> {
  const result: LoadResult = { latenciesMs: [], errors: 0, seconds: 0 };
  const started = performance.now();
  const deadline = started + seconds * 1000;
  const client = async (i: number): Promise<void> => {
    while (performance.now() < deadline) {
      const t0 = performance.now();
      try {
        await once(i);
        result.latenciesMs.push(performance.now() - t0);
      } catch (err) {
        result.errors++;
        result.firstError ??= err instanceof Error ? err.message : String(err);
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, (_, i) => client(i)));
  result.seconds = (performance.now() - started) / 1000;
  return result;
}
