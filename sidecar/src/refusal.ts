// Every "no" the sidecar gives is a Refusal. Lower layers throw it; http/ maps it once to a response.
// `reason` is a stable machine code (logged, counted in metrics, shown on the error page);
// `message` is a short human sentence that never contains a token or secret.

export type RefusalKind =
  | 'bad_input' // 400: the request itself is malformed
  | 'untrusted' // 401: identity did not come from our SP (no or wrong proxy secret)
  | 'unauthorized' // 401: backend API key missing or wrong
  | 'forbidden' // 403: identity is fine but policy / private room says no
  | 'not_found' // 404: no such key on the key server
  | 'rate_limited' // 429
  | 'unavailable'; // 503: a dependency we must ask (Jicofo) did not answer; we fail closed

export class Refusal extends Error {
  constructor(
    readonly kind: RefusalKind,
    readonly reason: string,
    message: string,
  ) {
    super(message);
    this.name = 'Refusal';
  }
}

export const statusOfRefusal: Record<RefusalKind, number> = {
  bad_input: 400,
  untrusted: 401,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  rate_limited: 429,
  unavailable: 503,
};
