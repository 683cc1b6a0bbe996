// Backend callers prove themselves with `Authorization: Bearer <BACKEND_API_KEY>`.
// Constant-time compare of the bytes, as for the proxy secret (identity/read-identity.ts): no
// hash per request, and a length mismatch still runs one full compare, so timing says nothing
// about where the keys differ. The key's length (a checked strong secret) is not worth hiding.
import { timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { Refusal } from '../refusal';

const BEARER = /^Bearer[ ]+(\S+)\s*$/i;

function matches(presented: string, expected: Buffer): boolean {
  const given = Buffer.from(presented, 'utf8');
  if (given.length !== expected.length) {
    timingSafeEqual(expected, expected);
    return false;
  }
  return timingSafeEqual(given, expected);
}

export function createApiKeyCheck(apiKey: string | undefined): (headers: IncomingHttpHeaders) => string {
  const expected = apiKey === undefined || apiKey === '' ? undefined : Buffer.from(apiKey, 'utf8');
  return (headers) => {
    const auth = headers.authorization;
    const match = typeof auth === 'string' ? BEARER.exec(auth) : null;
    const presented = match?.[1];
    if (expected === undefined || presented === undefined || !matches(presented, expected)) {
      throw new Refusal('unauthorized', 'bad_api_key', 'A valid API key is required (Authorization: Bearer ...).');
    }
    return presented;
  };
}
