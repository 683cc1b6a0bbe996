// One room, one value. A room is parsed once, when a request names it, into the forms that Jitsi
// itself uses, and every later step takes this value: the `*` refusal, the private-room owner, the
// Jicofo question, the token's claim, the meeting URL. A step that re-derived "the room" from a
// string in its own way could judge one room and sign another (issue 19: `%63` for `c` passed the
// private-room check while the claim named the victim's room).
import { Refusal } from '../refusal';
import { backendSafeFormOf, decodedRoomName, normalizedRoomName } from './backend-safe-room-name';
import { checkJitsiName } from './jitsi-names';

/** RFC 7622: a JID's local part (the MUC room node) is at most 1023 bytes. */
export const MAX_BACKEND_ROOM_BYTES = 1023;

export interface Room {
  /** The name as the request gave it: the meeting URL and the pages show it. */
  readonly given: string;
  /** `given` URI-decoded (kept as it is when that fails): what the meeting URL's segment encodes. */
  readonly decoded: string;
  /** Decoded, NFKC, lower-cased (the client's getNormalizedRoomName): the name a person means. */
  readonly normalized: string;
  /** The MUC node the client joins and Prosody enforces (getBackendSafeRoomName): the `room` claim. */
  readonly backendSafe: string;
}

/**
 * A room name as given, or a Refusal. Callers decide before whether the room is present at all.
 * The client decodes the name before it joins, so the decoded form must be a valid name too
 * (`%2a` is `*`, `%2e` a dot segment), and a long name of accented or CJK letters can outgrow
 * the XMPP node once percent-encoded.
 */
export function parseRoom(raw: string): Room {
  const given = checkJitsiName('room', raw);
  const decoded = decodedRoomName(given);
  if (decoded !== given) checkJitsiName('room', decoded);
  const normalized = normalizedRoomName(given);
  const backendSafe = backendSafeFormOf(normalized);
  // NFKC can make `*` of a full-width `＊`: the form Prosody enforces decides.
  if (backendSafe.includes('*') || backendSafe.includes('%2a')) {
    throw new Refusal('bad_input', 'invalid_room', 'The room name is not a valid Jitsi room name.');
  }
  if (Buffer.byteLength(backendSafe) > MAX_BACKEND_ROOM_BYTES) {
    throw new Refusal('bad_input', 'invalid_room', 'The room name is too long once encoded for the meeting server.');
  }
  return Object.freeze({ given, decoded, normalized, backendSafe });
}
