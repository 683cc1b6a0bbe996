// Names of a signing key. The kid is the key's RFC 7638 JWK thumbprint (SHA-256, base64url) of its
// public key: derived from the key alone, so renaming or copying the file never changes it, and
// two different keys can never share a kid (Prosody caches a key per kid forever, JITSI.md).
// The key server's file name is Prosody's rule: hex(sha256(kid)) .. '.pem', lower-case hex.
import { createHash, type KeyObject } from 'node:crypto';

export function keyIdOf(publicKey: KeyObject): string {
  const jwk = publicKey.export({ format: 'jwk' });
  if (jwk.kty !== 'RSA' || typeof jwk.n !== 'string' || typeof jwk.e !== 'string') throw new Error('keyIdOf: not an RSA public key');
  // RFC 7638 3.2: the required members only, in lexicographic order, no white space.
  const canonical = JSON.stringify({ e: jwk.e, kty: 'RSA', n: jwk.n });
  return createHash('sha256').update(canonical, 'utf8').digest('base64url');
}

/** The file Prosody asks the key server for: `<hex(sha256(kid))>.pem`. */
export function asapFileName(kid: string): string {
  return `${createHash('sha256').update(kid, 'utf8').digest('hex')}.pem`;
}

/** Exactly what asapFileName() makes: 64 lower-case hex digits and `.pem`. */
export const ASAP_FILE_NAME = /^[0-9a-f]{64}\.pem$/;
