// Validate a token the way Prosody would for our deployment (backend /validateToken).
// jsonwebtoken checks the signature with the one algorithm of the signing mode (so alg "none",
// and in RS256 mode an HS256 token made with the public key as its secret, fail): HS256 with
// the shared secret, or RS256 with the published key the header's kid names (a retired key's
// tokens fail, and a revoked key's, as revoked_kid). The claim rules that jsonwebtoken would apply more loosely than Prosody are
// checked here.
import { createSecretKey, type KeyObject } from 'node:crypto';
import jwt from 'jsonwebtoken';
import type { Config } from '../config/config';
import { isBackendSafeRoomName } from '../meeting/backend-safe-room-name';
import type { JitsiClaims } from './claims';
import type { KeyRing } from './keys/key-ring';
import { nowSeconds } from './mint';

export interface Verification {
  valid: boolean;
  /** Short code when !valid: malformed, bad_signature, bad_algorithm, bad_type, no_kid, unknown_kid, revoked_kid, expired, not_yet_valid,
   *  wrong_issuer, wrong_audience, no_subject, no_room, wildcard_room, room_not_backend_safe,
 *  no_expiry. */
  reason?: string;
  claims?: JitsiClaims;
}

const fail = (reason: string): Verification => ({ valid: false, reason });

function reasonOf(err: unknown): string {
  if (err instanceof jwt.TokenExpiredError) return 'expired';
  if (err instanceof jwt.NotBeforeError) return 'not_yet_valid';
  const message = err instanceof Error ? err.message : '';
  if (message === 'invalid signature') return 'bad_signature';
  if (message === 'invalid algorithm' || message === 'jwt signature is required') return 'bad_algorithm';
  return 'malformed';
}

// The secret as a KeyObject, made once per configuration: handed a string, jsonwebtoken would
// try to parse it as a key on every call first (see sign.ts).
const secretKeys = new WeakMap<Config, KeyObject>();
function secretKey(cfg: Config): KeyObject {
  let key = secretKeys.get(cfg);
  if (!key) {
    key = createSecretKey(Buffer.from(cfg.jwt.appSecret ?? '', 'utf8'));
    secretKeys.set(cfg, key);
  }
  return key;
}

/** The key and algorithm this token must be checked with, or why there is none. */
function verificationKey(token: string, cfg: Config, now: number, ring: KeyRing | undefined): { key: KeyObject; algorithm: jwt.Algorithm } | { reason: string } {
  if (cfg.jwt.signing === 'HS256') return { key: secretKey(cfg), algorithm: 'HS256' };
  if (!ring) throw new Error('verifyToken: RS256 needs the key ring');
  const header = jwt.decode(token, { complete: true })?.header;
  if (!header) return { reason: 'malformed' };
  // Prosody's order: kid first, then the RS family; jsonwebtoken then insists on RS256 exactly.
  if (typeof header.kid !== 'string' || header.kid === '') return { reason: 'no_kid' };
  if (header.alg !== 'RS256') return { reason: 'bad_algorithm' };
  // Named apart from unknown_kid: someone may hold the revoked private key and be trying it.
  if (ring.isRevoked(header.kid)) return { reason: 'revoked_kid' };
  const published = ring.publishedKey(header.kid, now);
  return published ? { key: published.publicKey, algorithm: 'RS256' } : { reason: 'unknown_kid' };
}

export function verifyToken(token: string, cfg: Config, now: number = nowSeconds(), ring?: KeyRing): Verification {
  const chosen = verificationKey(token, cfg, now, ring);
  if ('reason' in chosen) return fail(chosen.reason);
  let decoded: jwt.Jwt;
  try {
    decoded = jwt.verify(token, chosen.key, { algorithms: [chosen.algorithm], clockTimestamp: now, clockTolerance: 0, complete: true });
  } catch (err) {
    return fail(reasonOf(err));
  }
  if (decoded.header.typ !== 'JWT') return fail('bad_type');
  const p = decoded.payload;
  if (typeof p !== 'object' || p === null) return fail('malformed');
  // Exact, case-sensitive string equality, as Prosody: an array aud does not pass.
  if (p.iss !== cfg.jwt.appId) return fail('wrong_issuer');
  if (typeof p.aud !== 'string' || p.aud !== cfg.jwt.audience) return fail('wrong_audience');
  if (typeof p.sub !== 'string' || p.sub === '') return fail('no_subject');
  const room: unknown = (p as Record<string, unknown>).room;
  if (typeof room !== 'string' || room === '') return fail('no_room');
  if (room.includes('*') || p.sub.includes('*')) return fail('wildcard_room');
  // Prosody compares the claim with the MUC node the client joins; older versions of this
  // sidecar minted the name as typed (`réunion équipe`), which no client can join.
  if (!isBackendSafeRoomName(room)) return fail('room_not_backend_safe');
  if (p.exp === undefined && !cfg.validity.allowUnlimited) return fail('no_expiry');
  return { valid: true, claims: p as unknown as JitsiClaims };
}
