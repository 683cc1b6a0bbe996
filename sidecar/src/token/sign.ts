// HS256 signing on the hot path: one HMAC over a precomputed header, no library in between
// (jsonwebtoken.sign re-validates and re-encodes on every call and is several times slower).
import { createHmac, createSecretKey } from 'node:crypto';
import type { JitsiClaims } from './claims';

const HEADER = Buffer.from(JSON.stringify({ alg: 'HS256', typ: 'JWT' })).toString('base64url');

export type Signer = (claims: JitsiClaims) => string;

export function createSigner(secret: string): Signer {
  if (secret === '') throw new Error('createSigner: empty secret');
  const key = createSecretKey(Buffer.from(secret, 'utf8'));
  return (claims) => {
    const signingInput = `${HEADER}.${Buffer.from(JSON.stringify(claims), 'utf8').toString('base64url')}`;
    // The signing input is base64url and '.', pure ASCII: latin1 skips the UTF-8 encoder.
    return `${signingInput}.${createHmac('sha256', key).update(signingInput, 'latin1').digest('base64url')}`;
  };
}
