// Backend callers prove themselves with `Authorization: Bearer <BACKEND_API_KEY>`, compared in
// constant time like the proxy secret.
import type { IncomingHttpHeaders } from 'node:http';
import { Refusal } from '../refusal';
import { secretMatches } from '../secret-match';

const BEARER = /^Bearer[ ]+(\S+)\s*$/i;

export function createApiKeyCheck(apiKey: string | undefined): (headers: IncomingHttpHeaders) => string {
  const expected = apiKey === undefined || apiKey === '' ? undefined : Buffer.from(apiKey, 'utf8');
  return (headers) => {
    const auth = headers.authorization;
    const match = typeof auth === 'string' ? BEARER.exec(auth) : null;
    const presented = match?.[1];
    if (expected === undefined || presented === undefined || !secretMatches(presented, expected)) {
      throw new Refusal('unauthorized', 'bad_api_key', 'A valid API key is required (Authorization: Bearer ...).');
    }
    return presented;
  };
}
