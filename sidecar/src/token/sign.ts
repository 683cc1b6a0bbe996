// Signing with jsonwebtoken and a KeyObject made once at start: handed a string, jsonwebtoken
// would try to parse it as a private key on every call first.
//   HS256: the shared JWT_APP_SECRET.
//   RS256: the key ring's signing key; Prosody requires its kid in the header (JITSI.md).
import { createSecretKey } from 'node:crypto';
import jwt from 'jsonwebtoken';
import type { JitsiClaims } from './claims';
import type { KeyRing } from './keys/key-ring';

export type Signer = (claims: JitsiClaims) => string;

// Exactly what Prosody checks (alg, typ "JWT"), in this order, and nothing else (no kid).
const HS256_OPTIONS: jwt.SignOptions = { algorithm: 'HS256', header: { alg: 'HS256', typ: 'JWT' } };

// The claims are the payload as they are: they always carry our iat, which jsonwebtoken keeps
// (noTimestamp would delete it); no option here adds exp, nbf, aud, iss, sub or jti.
export function createSigner(secret: string): Signer {
  if (secret === '') throw new Error('createSigner: empty secret');
  const key = createSecretKey(Buffer.from(secret, 'utf8'));
  return (claims) => jwt.sign(claims, key, HS256_OPTIONS);
}

/** RS256 with whichever key signs at this moment (token/keys/key-schedule.ts). */
export function createKeyRingSigner(ring: KeyRing): Signer {
  return (claims) => {
    const { kid, privateKey } = ring.signingKey();
    return jwt.sign(claims, privateKey, { algorithm: 'RS256', header: { alg: 'RS256', typ: 'JWT', kid } });
  };
}
