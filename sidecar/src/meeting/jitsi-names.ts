// Room and tenant names that Jitsi itself could produce. Jitsi's tenant location matches
// [^/?&:'"]+; we refuse the same characters in rooms too, and `*`, which Prosody treats as
// "every room" and must never reach a token.
import { Refusal } from '../refusal';
import { backendSafeRoomName, decodedRoomName } from './backend-safe-room-name';

export const MAX_NAME_LENGTH = 128;
/** RFC 7622: a JID's local part (the MUC room node) is at most 1023 bytes. */
export const MAX_BACKEND_ROOM_BYTES = 1023;

const ILLEGAL = /[/?#&:'"*\u0000-\u001f\u007f\\]/;
// A lone UTF-16 surrogate (JSON's "\ud800" in state can make one) is not text: it cannot be
// percent-encoded into the meeting URL, so it must be refused here, before anything is signed.
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

function checkName(kind: 'room' | 'tenant', raw: string): string {
  if (raw.length > MAX_NAME_LENGTH) {
    throw new Refusal('bad_input', `invalid_${kind}`, `The ${kind} name is longer than ${MAX_NAME_LENGTH} characters.`);
  }
  if (raw.trim() === '' || ILLEGAL.test(raw) || LONE_SURROGATE.test(raw) || raw === '.' || raw === '..') {
    throw new Refusal('bad_input', `invalid_${kind}`, `The ${kind} name is not a valid Jitsi ${kind} name.`);
  }
  return raw;
}

/**
 * A room name as typed, or a Refusal. Callers decide before whether the room is present at all.
 * The client decodes the name before it joins, so the decoded form must be a valid name too
 * (`%2a` is `*`, `%2e` a dot segment), and a long name of accented or CJK letters can outgrow
 * the XMPP node once percent-encoded.
 */
export function roomName(raw: string): string {
  const room = checkName('room', raw);
  const decoded = decodedRoomName(room);
  if (decoded !== room) checkName('room', decoded);
  const safe = backendSafeRoomName(room);
  if (safe.includes('*') || safe.includes('%2a')) {
    throw new Refusal('bad_input', 'invalid_room', 'The room name is not a valid Jitsi room name.');
  }
  if (Buffer.byteLength(safe) > MAX_BACKEND_ROOM_BYTES) {
    throw new Refusal('bad_input', 'invalid_room', 'The room name is too long once encoded for the meeting server.');
  }
  return room;
}

/** A tenant name, or a Refusal. */
export function tenantName(raw: string): string {
  return checkName('tenant', raw);
}
