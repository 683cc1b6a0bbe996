// What the Jitsi web client does with a room name before it joins, transcribed from jitsi-meet
// react/features/base/util/uri.ts (read at Pie-D/jitsi-meet 1884111a912d4f126d8920628bacdc95cdae4329)
// and /work/shared/JITSI.md "Which room name a token must carry". Written independently of
// sidecar/src/meeting on purpose: the tests compare the two.

/** uri.ts _ROOM_EXCLUDE_PATTERN: characters parseURIString removes from every path part. */
const ROOM_EXCLUDE = /[\\:?#[\]@!$&'()*+,;=></"]/g;

/** uri.ts safeDecodeURIComponent: decoded, or the text as it is when it was not encoded. */
export function safeDecodeURIComponent(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** getBackendSafeRoomName: decode (if it can), NFKC, lower-case, encodeURIComponent, lower-case. */
export function clientBackendSafeRoomName(room: string): string {
  return encodeURIComponent(safeDecodeURIComponent(room).normalize('NFKC').toLowerCase()).toLowerCase();
}

/** parseURIString's room and tenant: the last path part is the room, the rest the tenant. */
export function clientMeetingFromPath(pathname: string): { room?: string; tenant?: string } {
  const fixed = pathname
    .split('/')
    .map((part) => part.replace(ROOM_EXCLUDE, ''))
    .join('/');
  const end = fixed.lastIndexOf('/');
  const meeting: { room?: string; tenant?: string } = {};
  const room = fixed.substring(end + 1);
  if (room !== '') meeting.room = room;
  if (end > 1) meeting.tenant = fixed.substring(1, end);
  return meeting;
}

/** The MUC room node the client joins from a meeting URL's path (below any context root). */
export function clientRoomNodeFromPath(pathname: string): string | undefined {
  const { room } = clientMeetingFromPath(pathname);
  return room === undefined ? undefined : clientBackendSafeRoomName(room);
}
