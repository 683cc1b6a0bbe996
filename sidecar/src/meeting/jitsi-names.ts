// Room and tenant names that Jitsi itself could produce. Jitsi's tenant location matches
// [^/?&:'"]+; we refuse the same characters in rooms too, and `*`, which Prosody treats as
// "every room" and must never reach a token. A room's other forms are checked in room.ts.
import { Refusal } from '../refusal';

export const MAX_NAME_LENGTH = 128;

const ILLEGAL = /[/?#&:'"*\u0000-\u001f\u007f\\]/;
// A lone UTF-16 surrogate (JSON's "\ud800" in state can make one) is not text: it cannot be
// percent-encoded into the meeting URL, so it must be refused here, before anything is signed.
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** `raw` when it is a name Jitsi could produce, else a Refusal naming the kind. */
export function checkJitsiName(kind: 'room' | 'tenant', raw: string): string {
  if (raw.length > MAX_NAME_LENGTH) {
    throw new Refusal('bad_input', `invalid_${kind}`, `The ${kind} name is longer than ${MAX_NAME_LENGTH} characters.`);
  }
  if (raw.trim() === '' || ILLEGAL.test(raw) || LONE_SURROGATE.test(raw) || raw === '.' || raw === '..') {
    throw new Refusal('bad_input', `invalid_${kind}`, `The ${kind} name is not a valid Jitsi ${kind} name.`);
  }
  return raw;
}

/** A tenant name, or a Refusal. */
export function tenantName(raw: string): string {
  return checkJitsiName('tenant', raw);
}
