// autocannon as a promise, with request errors counted by their code (ECONNREFUSED, ECONNRESET,
// ...) so tests can tell "refused a new connection" from "broke a request in flight".
import autocannon from 'autocannon';

export interface Load {
  instance: autocannon.Instance;
  done: Promise<autocannon.Result>;
  errorCodes: Record<string, number>;
}

export function startLoad(options: autocannon.Options): Load {
  const errorCodes: Record<string, number> = {};
  let instance!: autocannon.Instance;
  const done = new Promise<autocannon.Result>((resolve, reject) => {
    instance = autocannon(options, (err, result) => (err ? reject(err) : resolve(result)));
  });
  instance.on('reqError', (err: { code?: string; message?: string }) => {
    const code = err.code ?? err.message ?? 'unknown';
    errorCodes[code] = (errorCodes[code] ?? 0) + 1;
  });
  return { instance, done, errorCodes };
}

/** Count per status code, from autocannon's result. */
export function statusCounts(result: autocannon.Result): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [code, stat] of Object.entries(result.statusCodeStats ?? {})) out[code] = stat.count ?? 0;
  return out;
}
