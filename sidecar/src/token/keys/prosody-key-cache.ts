// How long the keys we serve live on in Prosody (token/util.lib.lua, JITSI.md "RS256 and the key
// server"), from the one Cache-Control the key server sends:
// - a key fetched through asap_key_server (/asap/<hex>.pem) stays until Prosody restarts;
// - the JWK set at cache_keys_url is re-read every max-age minus 60 s (every 6 h when the answer
//   has no max-age), and a kid gone from it is deleted from Prosody's table 90 minutes later.
import type { KeyTiming } from './key-schedule';

/** Prosody re-reads a cache_keys_url answer without max-age this often. */
const PROSODY_DEFAULT_REFRESH_SECONDS = 6 * 3600;
/** Prosody re-reads it this long before max-age runs out. */
const PROSODY_REFRESH_EARLY_SECONDS = 60;
/** A kid gone from the document stays in Prosody's table this long. */
export const PROSODY_KID_GRACE_SECONDS = 90 * 60;

/** The key server's answers may be cached for at most the activation delay: a consumer then sees a new key before it signs. */
export function keyServerCacheControl(timing: Pick<KeyTiming, 'activationDelaySeconds'>): string {
  const maxAge = timing.activationDelaySeconds;
  return maxAge > 0 ? `public, max-age=${maxAge}` : 'no-cache';
}

/** Seconds between two reads of our JWK set by a Prosody with cache_keys_url. */
export function prosodyJwksRefreshSeconds(timing: Pick<KeyTiming, 'activationDelaySeconds'>): number {
  const maxAge = timing.activationDelaySeconds;
  return maxAge > 0 ? Math.max(maxAge - PROSODY_REFRESH_EARLY_SECONDS, 0) : PROSODY_DEFAULT_REFRESH_SECONDS;
}

/** The longest a kid dropped from our JWK set stays in the table of a Prosody with cache_keys_url. */
export function prosodyForgetsKidWithinSeconds(timing: Pick<KeyTiming, 'activationDelaySeconds'>): number {
  return prosodyJwksRefreshSeconds(timing) + PROSODY_KID_GRACE_SECONDS;
}
