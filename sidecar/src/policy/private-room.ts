// Advanced mode, as the reference: in a tenant whose name contains "private", a room named
// `<name>__<uid>_xxxxxx-xxxxxx-xxxxxx` belongs to the user whose generateId(name + id, 12) is uid.
// Unlike the reference, the id is the user's scoped id (subject-id, pairwise-id or eppn), never
// the mail: any IdP of a federation may assert any mail, and so own anyone's room.
import { createHash } from 'node:crypto';
import type { Room } from '../meeting/room';

const PRIVATE_ROOM = /^(.*)__(.*)_[0-9a-f]{6}-[0-9a-f]{6}-[0-9a-f]{6}$/;
const AUTHORIZED_BY = 'Authorized_By_';

/** The reference's id: lower-case; SHA-256; base64; `+` and `/` to `-`; no `=`; lower-case; n chars. */
export function generateId(input: string, n: number): string {
  return createHash('sha256')
    .update(input.toLowerCase(), 'utf8')
    .digest('base64')
    .replace(/[+/]/g, '-')
    .replace(/=/g, '')
    .toLowerCase()
    .slice(0, n);
}

// Read from the normalised name (decoded, NFKC, lower-cased): the one name behind the backend-safe
// room that the token will carry. So no spelling of a private room (`%63` for `c`, `%5f` for `_`,
// a full-width letter, capitals) escapes the pattern or changes the owner's uid.
export function parsePrivateRoomName(room: Room): { name: string; uid: string } | undefined {
  const m = PRIVATE_ROOM.exec(room.normalized);
  if (!m) return undefined;
  return { name: m[1] as string, uid: m[2] as string };
}

/** `ownerId` is the user's scoped id; without one, the user owns no private room. */
export function privateRoomEntitled(room: Room, ownerId: string | undefined): boolean {
  const parsed = parsePrivateRoomName(room);
  if (!parsed) return true;
  if (ownerId === undefined) return false;
  const owner = ownerId.startsWith(AUTHORIZED_BY) ? ownerId.slice(AUTHORIZED_BY.length) : ownerId;
  return generateId(parsed.name + owner, 12) === parsed.uid;
}

export function isPrivateTenant(tenant?: string): boolean {
  return tenant !== undefined && tenant.toLowerCase().includes('private');
}
