// When a token expires. Prosody has no clock-skew leeway and the reference issued never-expiring
// tokens by default; we always set exp unless the operator explicitly allows unlimited tokens.
import type { ValidityConfig } from '../config/config';
import { Refusal } from '../refusal';

/** Absolute exp in seconds since the epoch, or undefined for "no exp" (ALLOW_UNLIMITED_TOKENS). */
export function computeExpiry(v: ValidityConfig, requestedExp: number | undefined, now: number): number | undefined {
  if (v.byRequest && requestedExp !== undefined) {
    if (!Number.isSafeInteger(requestedExp)) {
      throw new Refusal('bad_input', 'validity_invalid', 'validity_timestamp must be a whole number of seconds.');
    }
    if (requestedExp <= now) {
      throw new Refusal('bad_input', 'validity_in_past', 'validity_timestamp lies in the past.');
    }
    if (requestedExp > now + v.maxSeconds) {
      throw new Refusal('bad_input', 'validity_beyond_cap', `validity_timestamp lies more than ${v.maxSeconds} s ahead.`);
    }
    return requestedExp;
  }
  if (v.defaultSeconds === 0 && v.allowUnlimited) return undefined;
  return now + Math.min(v.defaultSeconds, v.maxSeconds);
}
