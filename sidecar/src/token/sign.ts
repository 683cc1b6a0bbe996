// HS256 signing with jsonwebtoken. The key is a KeyObject made once at start: handed a string,
// jsonwebtoken would try to parse it as a private key on every call first.
import { createSecretKey } from 'node:crypto';
import jwt from 'jsonwebtoken';
import type { JitsiClaims } from './claims';

export type Signer = (claims: JitsiClaims) => string;

// Exactly what Prosody checks (alg, typ "JWT"), in this order, and nothing else (no kid).
const OPTIONS: jwt.SignOptions = { algorithm: 'HS256', header: { alg: 'HS256', typ: 'JWT' } };

export function createSigner(secret: string): Signer {
  if (secret === '') throw new Error('createSigner: empty secret');
  const key = createSecretKey(Buffer.from(secret, 'utf8'));
  // The claims are the payload as they are: they always carry our iat, which jsonwebtoken keeps
  // (noTimestamp would delete it); no option here adds exp, nbf, aud, iss, sub or jti.
  return (claims) => jwt.sign(claims, key, OPTIONS);
}
