// Every URL we send a browser to is built here, under cfg.publicUrl and nowhere else.
// Meeting URLs stay under it by construction (each name is one percent-encoded segment, dot
// segments refused; property-tested); AUTH_ERROR_PAGE targets are parsed and checked. App links
// are the same meeting under the app's scheme (jitsi-meet's own deep links replace `https:` the
// same way: react/features/deep-linking/functions.web.ts).
//
// The token travels in the fragment, `#jwt=%22<token>%22`: a fragment never leaves the browser,
// while a query string reaches every proxy and access log on the way. The client reads the hash
// first and JSON-parses its values (jitsi-meet react/features/base/jwt/functions.ts
// parseJWTFromURLParams, base/util/parseURLParams.ts), so the token is a JSON string there; a
// bare `#jwt=eyJ…` would be silently ignored. Only Android's intent link keeps `?jwt=`: its one `#`
// belongs to the intent.
import { DEFAULT_APP_LINKS, type AppLinkConfig } from '../config/app-links';
import type { Override } from './jitsi-state';
import type { AppMarker } from './login-client';
import type { Room } from './room';

export interface MeetingUrls {
  /** `<publicUrl>/[<tenant>/]<room>#jwt=%22<token>%22[&jitsi_meet_external_api_id=…&<override>=…]` */
  meeting(room: Room, tenant: string | undefined, token: string, hash: MeetingHash): string;
  /**
   * The same meeting in an app: `<scheme>://<host>/[<tenant>/]<room>#jwt=%22…%22[&…]` for iOS and
   * Electron; for Android `intent://<host>/[<tenant>/]<room>?jwt=…#Intent;scheme=…;package=…;end`,
   * whose one `#` belongs to the intent, so the token rides in the query and the hash (overrides,
   * external API id) is dropped.
   */
  appLink(app: AppMarker, room: Room, tenant: string | undefined, token: string, hash: MeetingHash): string;
  /** `<publicUrl>/<page>?domain=..&tenant=..&room=..&reason=..` */
  authError(page: string, fields: { tenant?: string; room?: string; reason: string }): string | undefined;
  /** True when `url` is on the public origin and under its path prefix. */
  isUnderPublicUrl(url: string): boolean;
}

export interface MeetingHash {
  externalApiId?: string;
  overrides: readonly Override[];
}

const JWT_CHARS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;

export function createMeetingUrls(publicUrl: URL, apps: AppLinkConfig = DEFAULT_APP_LINKS): MeetingUrls {
  const origin = publicUrl.origin;
  const prefix = publicUrl.pathname.replace(/\/+$/, ''); // '' or '/jitsi'
  const hostBase = publicUrl.host + prefix + '/'; // what follows `scheme://` in every link
  const base = origin + prefix + '/'; // computed once: the hot path only concatenates
  const domain = publicUrl.host;

  function isUnderPublicUrl(url: string): boolean {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      return false;
    }
    return parsed.origin === origin && parsed.pathname.startsWith(prefix + '/');
  }

  // encodeURIComponent leaves no '/', '?', '#' or '%2e' in a segment, so the only way out of the
  // prefix is a dot segment. Checked structurally: a URL parse per token would cost more than the HMAC.
  function segment(name: string): string {
    const encoded = encodeURIComponent(name);
    if (encoded === '' || encoded === '.' || encoded === '..') throw new Error('refusing a dot segment in a meeting URL');
    return encoded;
  }

  // The room as the user typed it, capitals and accents kept. Its decoded form: the client decodes
  // the segment before it computes the backend-safe name, so `a%20b` must travel as `a%20b`,
  // not `a%2520b`. Its URI parser also strips `!'()*` from the path (jitsi-meet uri.ts
  // _fixPathPart), so those travel percent-encoded; the client's decoding restores them.
  function roomSegment(room: Room): string {
    return segment(room.decoded).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  }

  // `<host>/[<tenant>/]<room>`: everything after the scheme, shared by all links.
  function hostAndPath(room: Room, tenant: string | undefined): string {
    return `${hostBase}${tenant === undefined ? roomSegment(room) : `${segment(tenant)}/${roomSegment(room)}`}`;
  }

  // A compact JWT is base64url segments and dots, all URL-safe (and JSON-safe): encoding ~700
  // characters per token showed up in profiles for nothing.
  function checkedToken(token: string): string {
    if (!JWT_CHARS.test(token)) throw new Error('a token must be a compact JWT');
    return token;
  }

  // `#jwt=%22<token>%22` first (a JSON string once the client decodes it), then the external API
  // id and the overrides, each value JSON as the client parses it.
  function fragment(token: string, hash: MeetingHash): string {
    const pairs = hash.overrides.map(([key, value]) => `${encodeURIComponent(key)}=${encodeURIComponent(JSON.stringify(value))}`);
    if (hash.externalApiId !== undefined) pairs.unshift(`jitsi_meet_external_api_id=${encodeURIComponent(hash.externalApiId)}`);
    pairs.unshift(`jwt=%22${checkedToken(token)}%22`);
    return `#${pairs.join('&')}`;
  }

  const schemeOf: Record<Exclude<AppMarker, 'android'>, string> = { ios: apps.iosScheme, electron: apps.electronScheme };
  const androidIntent = `#Intent;scheme=${apps.androidScheme};package=${apps.androidPackage};end`;

  return {
    meeting(room, tenant, token, hash) {
      return `${publicUrl.protocol}//${hostAndPath(room, tenant)}${fragment(token, hash)}`;
    },
    appLink(app, room, tenant, token, hash) {
      const where = hostAndPath(room, tenant);
      return app === 'android'
        ? `intent://${where}?jwt=${checkedToken(token)}${androidIntent}`
        : `${schemeOf[app]}://${where}${fragment(token, hash)}`;
    },
    authError(page, fields) {
      const target = /^https?:\/\//i.test(page) ? page : base + page.replace(/^\/+/, '');
      const query = new URLSearchParams({ domain });
      if (fields.tenant !== undefined) query.set('tenant', fields.tenant);
      if (fields.room !== undefined) query.set('room', fields.room);
      query.set('reason', fields.reason);
      const url = `${target}${target.includes('?') ? '&' : '?'}${query.toString()}`;
      // A page elsewhere would make us an open redirect: the caller falls back to our own page.
      return isUnderPublicUrl(url) ? url : undefined;
    },
    isUnderPublicUrl,
  };
}
