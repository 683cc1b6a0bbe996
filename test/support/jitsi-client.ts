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

// Where the client finds its token in the URL it lands on, transcribed from jitsi-meet
// react/features/base/jwt/functions.ts parseJWTFromURLParams and
// react/features/base/util/parseURLParams.ts (read at Pie-D/jitsi-meet abf901a4565da6f4822bc2fca17f1f967aff99f7).

const BLACKLISTED_KEYS = ['__proto__', 'constructor', 'prototype'];

/**
 * parseURLParams: `&`-split `key=value` pairs of the hash (or the search); a value is the text up
 * to the next `=`. Unless `dontParse`, it is URI-decoded and JSON-parsed, and a pair whose value
 * fails either is dropped (so a bare `#jwt=eyJ…` is ignored: it is not JSON).
 */
export function clientUrlParams(url: URL, source: 'hash' | 'search', dontParse: boolean): Record<string, unknown> {
  const params: Record<string, unknown> = {};
  const text = source === 'search' ? url.search : url.hash;
  const parts = text.substring(1).split('&');
  if (source === 'hash' && parts.length === 1 && (parts[0] as string).startsWith('/')) return params; // hash routers
  for (const part of parts) {
    const [key, value] = part.split('=');
    if (!key || key.split('.').some((k) => BLACKLISTED_KEYS.includes(k))) continue;
    if (dontParse) {
      params[key] = value;
      continue;
    }
    try {
      const decoded = decodeURIComponent(value as string).replace(/\\&/, '&').replace(/[\u2018\u2019]/g, "'").replace(/[\u201C\u201D]/g, '"');
      params[key] = decoded === 'undefined' ? undefined : JSON.parse(decoded);
    } catch {
      // reportError, and the parameter is left out
    }
  }
  return params;
}

/**
 * parseJWTFromURLParams: the hash's `jwt` first, then `?jwt=` (upstream: "TODO: eventually remove
 * the search param"). An app link is read as the apps read it: its scheme becomes https: first
 * (uri.ts _fixURIStringScheme keeps the hash).
 */
export function clientJwtFromUrl(link: string): { jwt?: string; from?: 'hash' | 'search' } {
  const url = new URL(link.replace(/^[a-z][a-z0-9+.-]*:\/\//i, 'https://'));
  const fromHash = clientUrlParams(url, 'hash', false).jwt;
  if (fromHash) return { jwt: String(fromHash), from: 'hash' };
  const fromSearch = clientUrlParams(url, 'search', true).jwt;
  return fromSearch ? { jwt: String(fromSearch), from: 'search' } : {};
}

/** The token the client takes from `link`; throws when it finds none (a test expected one). */
export function clientTokenOf(link: string | null | undefined): string {
  const { jwt } = link ? clientJwtFromUrl(link) : {};
  if (jwt === undefined) throw new Error(`the client finds no token in ${link}`);
  return jwt;
}
