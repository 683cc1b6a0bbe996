// Constant-time comparison of a presented secret (proxy secret, API key) with the configured one.
// No hash per request (bench/README.md says what it cost). A length mismatch still runs one full
// compare, so timing says nothing about where the secrets differ; the length of a checked,
// random secret (>= 32 characters) is not worth hiding.
import { timingSafeEqual } from 'node:crypto';

export function secretMatches(presented: string, expected: Buffer): boolean {
  const given = Buffer.from(presented, 'utf8');
  if (given.length !== expected.length) {
    timingSafeEqual(expected, expected);
    return false;
  }
  return timingSafeEqual(given, expected);
}
