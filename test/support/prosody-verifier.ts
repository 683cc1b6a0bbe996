// An independent model of what Prosody (token/util.lib.lua + luajwtjitsi) accepts, written from
// /work/shared/JITSI.md "What Prosody checks in a token" and "RS256 and the key server". It
// deliberately shares no code with sidecar/src/token: decoding, the HMAC check, the key server
// path and the RSA check are done here by hand with node:crypto and fetch, so a bug in our
// signer, claim builder or key server cannot hide itself in the tests.
//
// Not modelled: `context.room.regex` (Lua patterns): a token asking for a regex room is
// reported as `regex_room_not_modelled` (we never issue one).
import { createHash, createHmac, createPublicKey, timingSafeEqual, verify as verifySignature } from 'node:crypto';
import { clientBackendSafeRoomName } from './jitsi-client';

export interface ProsodyOptions {
  secret: string;
  /** asap_accepted_issuers (JWT_ACCEPTED_ISSUERS); `*` accepts any. */
  acceptedIssuers: string[];
  /** asap_accepted_audiences (JWT_ACCEPTED_AUDIENCES); `*` accepts any, including an array aud. */
  acceptedAudiences: string[];
  /** The room as the client has it (typed, or from the URL). It joins getBackendSafeRoomName(room). */
  room: string;
  /** The tenant in the meeting URL, if any. */
  tenant?: string;
  /** XMPP_DOMAIN: the muc domain base; plain rooms live at room@muc.<xmppDomain>. */
  xmppDomain: string;
  /** JWT_ENABLE_DOMAIN_VERIFICATION. */
  domainVerification: boolean;
  /** Seconds since the epoch; default: now. */
  now?: number;
}

export type ProsodyVerdict = { ok: true; claims: Record<string, unknown> } | { ok: false; reason: string };

const MUC_PREFIX = 'muc';

function decodeSegment(segment: string): unknown {
  if (!/^[A-Za-z0-9_-]*$/.test(segment)) throw new Error('not base64url');
  return JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'));
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function accepted(value: unknown, list: string[]): boolean {
  if (list.includes('*')) return true;
  return typeof value === 'string' && list.includes(value);
}

/** The room-JID rules of util.lib.lua verify_room(). */
function roomAllowed(claims: Record<string, unknown>, opts: Omit<ProsodyOptions, 'secret'>): boolean {
  const authRoom = String(claims.room).toLowerCase();
  // The MUC node the client joins: the backend-safe name, never the name as typed.
  const roomName = clientBackendSafeRoomName(opts.room);
  const tenant = opts.tenant ? opts.tenant.toLowerCase() : undefined;
  const roomNode = tenant ? `[${tenant}]${roomName}` : roomName;
  const mucDomain = `${MUC_PREFIX}.${opts.xmppDomain}`;
  const roomJid = `${roomNode}@${mucDomain}`;

  if (!opts.domainVerification) {
    if (authRoom === '*') return true;
    return roomNode === authRoom || roomNode.endsWith(`]${authRoom}`);
  }
  const roomToCheck = authRoom === '*' ? roomName : authRoom;
  const authDomain = String(claims.sub).toLowerCase();
  if (tenant !== undefined) {
    const subdomain = authDomain === '*' ? tenant : authDomain;
    return roomJid === `[${subdomain}]${roomToCheck}@${mucDomain}`;
  }
  const domain = authDomain === '*' ? opts.xmppDomain : authDomain;
  return roomJid === `${roomToCheck}@${MUC_PREFIX}.${domain}`;
}

const no = (reason: string): ProsodyVerdict => ({ ok: false, reason });

interface SplitToken {
  header: Record<string, unknown>;
  claims: Record<string, unknown>;
  signedPart: string;
  signature: Buffer;
}

function splitToken(token: string): SplitToken | undefined {
  const parts = token.split('.');
  if (parts.length !== 3) return undefined;
  const [h, p, s] = parts as [string, string, string];
  try {
    const header = decodeSegment(h);
    const claims = decodeSegment(p);
    if (!isObject(header) || !isObject(claims)) return undefined;
    const signature = /^[A-Za-z0-9_-]+$/.test(s) ? Buffer.from(s, 'base64url') : Buffer.alloc(0);
    return { header, claims, signedPart: `${h}.${p}`, signature };
  } catch {
    return undefined;
  }
}

/** HS256 with app_secret (no asap_key_server). */
export function prosodyAccepts(token: string, opts: ProsodyOptions): ProsodyVerdict {
  const t = splitToken(token);
  if (!t) return no('malformed');
  if (t.header.typ !== 'JWT') return no('bad_typ');
  if (t.header.alg !== 'HS256') return no('alg_mismatch');
  const expected = createHmac('sha256', opts.secret).update(t.signedPart).digest();
  if (t.signature.length !== expected.length || !timingSafeEqual(t.signature, expected)) return no('bad_signature');
  return claimsAccepted(t.claims, opts);
}

export interface AsapOptions extends Omit<ProsodyOptions, 'secret'> {
  /** asap_key_server (JWT_ASAP_KEYSERVER), e.g. http://saml2jwt.meet.jitsi:8081/asap */
  keyServer: string;
  /** Prosody caches each fetched key per kid; pass one map across calls to model that. */
  cache?: Map<string, string>;
}

/** path.join(asap_key_server, hex(sha256(kid)) .. '.pem'): Prosody's util.paths.join puts one "/"
 *  between the parts and cleans nothing (a trailing "/" on the key server gives "//"). */
export function asapKeyUrl(keyServer: string, kid: string): string {
  const hex = createHash('sha256').update(kid, 'utf8').digest('hex');
  return `${keyServer}/${hex}.pem`;
}

/** RS256 with asap_key_server: kid required, alg of the RS family, the key fetched over HTTP by kid. */
export async function prosodyAcceptsAsap(token: string, opts: AsapOptions): Promise<ProsodyVerdict> {
  const t = splitToken(token);
  if (!t) return no('malformed');
  if (t.header.typ !== 'JWT') return no('bad_typ');
  const kid = t.header.kid;
  if (typeof kid !== 'string' || kid === '') return no('kid_missing');
  if (typeof t.header.alg !== 'string' || !t.header.alg.startsWith('RS')) return no('kid_only_rs_family');
  if (t.header.alg !== 'RS256') return no('alg_mismatch'); // signature_algorithm (JWT_SIGN_TYPE=RS256)
  let pem = opts.cache?.get(kid);
  if (pem === undefined) {
    const response = await fetch(asapKeyUrl(opts.keyServer, kid));
    if (response.status !== 200) return no(`key_server_${response.status}`);
    pem = await response.text();
    opts.cache?.set(kid, pem);
  }
  let key;
  try {
    key = createPublicKey({ key: pem, format: 'pem' });
  } catch {
    return no('key_not_pem');
  }
  if (!verifySignature('sha256', Buffer.from(t.signedPart), key, t.signature)) return no('bad_signature');
  return claimsAccepted(t.claims, opts);
}

function claimsAccepted(claims: Record<string, unknown>, opts: Omit<ProsodyOptions, 'secret'>): ProsodyVerdict {
  for (const claim of ['iss', 'aud', 'sub', 'room']) {
    if (claims[claim] === undefined || claims[claim] === null) return no(`missing_${claim}`);
  }
  if (!accepted(claims.iss, opts.acceptedIssuers)) return no('issuer_not_accepted');
  if (!accepted(claims.aud, opts.acceptedAudiences)) return no('audience_not_accepted');

  const now = opts.now ?? Math.floor(Date.now() / 1000);
  if (claims.exp !== undefined) {
    if (typeof claims.exp !== 'number') return no('exp_not_number');
    if (now >= claims.exp) return no('expired');
  }
  if (claims.nbf !== undefined) {
    if (typeof claims.nbf !== 'number') return no('nbf_not_number');
    if (now < claims.nbf) return no('not_yet_valid');
  }

  const context = claims.context;
  if (context !== undefined) {
    if (!isObject(context)) return no('context_not_object');
    if (context.user !== undefined) {
      if (!isObject(context.user)) return no('user_not_object');
      for (const [key, value] of Object.entries(context.user)) {
        // token_affiliation reads a boolean `moderator`, token_lobby_bypass a boolean
        // `lobby_bypass`; everything else must be a string.
        const ok = typeof value === 'string' || ((key === 'moderator' || key === 'lobby_bypass') && typeof value === 'boolean');
        if (!ok) return no(`user_${key}_not_string`);
      }
    }
    if (context.features !== undefined) {
      if (!isObject(context.features)) return no('features_not_object');
      for (const [key, value] of Object.entries(context.features)) {
        if (typeof value !== 'string' && typeof value !== 'boolean') return no(`feature_${key}_bad_type`);
      }
    }
    if (isObject(context.room) && context.room.regex === true) return no('regex_room_not_modelled');
  }
  if (typeof claims.room !== 'string') return no('room_not_string');
  if (typeof claims.sub !== 'string') return no('sub_not_string');
  if (!roomAllowed(claims, opts)) return no('room_not_allowed');
  return { ok: true, claims };
}

/**
 * What Prosody's modules make of a token user (JITSI.md "Moderators and the lobby"):
 * token_affiliation makes them owner when affiliation is owner, moderator or teacher, or when
 * moderator is true or "true", and member otherwise; token_lobby_bypass lets them skip the lobby
 * when lobby_bypass is true.
 */
export function prosodyRole(user: Record<string, unknown>): { affiliation: 'owner' | 'member'; lobbyBypass: boolean } {
  const a = user.affiliation;
  const owner = a === 'owner' || a === 'moderator' || a === 'teacher' || user.moderator === true || user.moderator === 'true';
  return { affiliation: owner ? 'owner' : 'member', lobbyBypass: user.lobby_bypass === true };
}
