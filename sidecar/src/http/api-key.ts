// Backend callers prove themselves with `Authorization: Bearer <BACKEND_API_KEY>`.
// Digests have a fixed length, so the constant-time compare leaks neither length nor content.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { Refusal } from '../refusal';

const digest = (s: string): Buffer => createHash('sha256').update(s, 'utf8').digest();

export function createApiKeyCheck(apiKey: string | undefined): (headers: IncomingHttpHeaders) => string {
  const expected = apiKey === undefined || apiKey === '' ? undefined : digest(apiKey);
  return (headers) => {
    const auth = headers.authorization;
    const match = typeof auth === 'string' ? /^Bearer[ ]+(\S+)\s*$/i.exec(auth) : null;
    const presented = match?.[1];
    if (expected === undefined || presented === undefined || !timingSafeEqual(digest(presented), expected)) {
      throw new Refusal('unauthorized', 'bad_api_key', 'A valid API key is required (Authorization: Bearer ...).');
    }
    return presented;
  };
}
