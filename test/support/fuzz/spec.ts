// The fuzz oracle: what the sidecar must answer, written from the specification (DESIGN.md,
// JITSI.md, REFERENCE.md "Its flaws", .env_ref and the documented limits in sidecar/src/http),
// not by calling sidecar code. It decides, per generated request, whether a token must be
// issued, must be refused, or (for inputs the spec leaves open) may go either way; and, when a
// token is due, exactly which room, tenant, user, role and hash it must carry.

import { createHash } from 'node:crypto';
import { clientBackendSafeRoomName, safeDecodeURIComponent } from '../jitsi-client';

/** The fixed rules of the fuzzed deployment (see sites.ts). */
export const FUZZ = {
  appId: 'saml2jwt-test',
  xmppDomain: 'meet.jitsi',
  defaultValidity: 3600,
  maxValidity: 86400,
  /** Policy: this entitlement is denied; this affiliation becomes owner + moderator. */
  deniedEntitlement: 'urn:mace:uni.example:suspended',
  /** The IdP the policy believes about entitlements (an unscoped attribute needs an idp condition). */
  trustedIdp: 'https://idp.uni.example/idp/shibboleth',
  staffAffiliation: 'staff@uni.example',
  defaultFeatures: { recording: true, livestreaming: false } as Record<string, unknown>,
  /** Documented limits (sidecar/src/http/query.ts, jitsi-names.ts, jitsi-state.ts). */
  maxValueLength: 4096,
  maxParameters: 64,
  maxNameLength: 128,
  maxOverrides: 32,
  maxOverrideKeyLength: 100,
};

export const PREJOIN = 'config.prejoinConfig.enabled';
/** README "No silent join": the overrides carried back, each only with this value. */
export const HARMLESS: ReadonlyMap<string, unknown> = new Map<string, unknown>([
  ['config.startWithAudioMuted', true],
  ['config.startWithVideoMuted', true],
  ['config.startAudioOnly', true],
  ['config.startSilent', true],
  ['config.hideConferenceSubject', true],
]);
export const API_ID = 'jitsi_meet_external_api_id';

/** The SP's attribute headers the fuzz sends, and the user id order (USER_ID_ATTRIBUTES default). */
export const ID_ORDER = ['pairwise-id', 'subject-id', 'eppn', 'persistent-id', 'mail'] as const;

export type Outcome = 'issue' | 'refuse' | 'either';

export interface ExpectedMeeting {
  room: string;
  delivery?: Delivery;
  tenant?: string;
  /** Absolute exp asked for (already range-checked in `expectFront`). */
  requestedExp?: number;
  externalApiId?: string;
  overrides: [string, unknown][];
}

export interface ExpectedUser {
  id: string;
  name: string;
  /** Only when the IdP released a mail. */
  email?: string;
  affiliation?: string;
  moderator?: boolean;
  lobby_bypass?: true;
}

/** How a token must come back (JITSI.md "Clients"): a 302, the popup's page, or an app's hand-over page. */
export type Delivery = 'redirect' | 'popup' | 'ios' | 'android' | 'electron';
export const APP_MARKERS = ['ios', 'android', 'electron'] as const;
/** jitsi-meet's generateNonce(): 64 lower-case hex digits. */
export const NONCE = /^[0-9a-f]{64}$/;

export interface Expectation {
  outcome: Outcome;
  /** For a token: how it must be delivered. */
  delivery?: Delivery;
  /** 401 / 403 / 400 / 200 / 302, when the spec fixes it. */
  status?: number;
  why: string;
  meeting?: ExpectedMeeting;
  user?: ExpectedUser;
}

// ---------------------------------------------------------------------------------------------
// HTTP and SP transport

/** What a server sees of a header value: HTTP strips leading and trailing spaces and tabs. */
export function overTheWire(value: string): string {
  return value.replace(/^[ \t]+|[ \t]+$/g, '');
}

const C0_C1 = /[\u0000-\u001f\u007f-\u009f]/;

/**
 * An SP attribute header as the sidecar should read it. The SP sends UTF-8; a value that is not
 * clean text (control characters, which Shibboleth never sends) counts as absent.
 * `sent` is the Unicode text we sent as UTF-8 bytes.
 */
export function attributeHeader(sent: string | undefined): string | undefined {
  if (sent === undefined) return undefined;
  let seen = overTheWire(sent);
  // A value holding U+FFFD cannot be told apart from broken UTF-8: it stays as raw bytes.
  if (/[^\u0000-\u007f]/.test(seen) && seen.includes('\ufffd')) seen = Buffer.from(seen, 'utf8').toString('latin1');
  return C0_C1.test(seen) ? undefined : seen;
}

/** Shibboleth's multi-value encoding: `;` separates, `\;` is a literal `;`; blanks dropped. */
export function shibbolethValues(raw: string): string[] {
  const out: string[] = [];
  let current = '';
  for (let i = 0; i < raw.length; i++) {
    if (raw[i] === '\\' && raw[i + 1] === ';') {
      current += ';';
      i++;
    } else if (raw[i] === ';') {
      out.push(current);
      current = '';
    } else current += raw[i];
  }
  out.push(current);
  return out.map((v) => v.trim()).filter((v) => v !== '');
}

// ---------------------------------------------------------------------------------------------
// Query strings (WHATWG URLSearchParams is the reference parser here; the sidecar uses its own)

export type Params = Map<string, string[]>;

export function parseQuery(query: string): Params {
  const params: Params = new Map();
  for (const [k, v] of new URLSearchParams(query)) params.set(k, [...(params.get(k) ?? []), v]);
  return params;
}

class Refused extends Error {
  constructor(readonly status: number, why: string) {
    super(why);
  }
}
const refuse = (status: number, why: string): never => {
  throw new Refused(status, why);
};

/** Every parameter once, not too long, no control characters (a header line can't be smuggled). */
function singleValued(params: Params): Map<string, string> {
  if (params.size > FUZZ.maxParameters) refuse(400, 'too many parameters');
  const out = new Map<string, string>();
  for (const [name, values] of params) {
    if (values.length !== 1) refuse(400, `duplicate ${name}`);
    const v = values[0] as string;
    if (v.length > FUZZ.maxValueLength) refuse(400, `${name} too long`);
    if (/[\u0000-\u001f\u007f]/.test(v)) refuse(400, `${name} has a control character`);
    out.set(name, v);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Meeting names, state, validity

/**
 * A room must be a valid name as sent, and as the client decodes it (`%2a` is `*`); and the MUC
 * node the client joins must hold no `*` and fit XMPP's 1023-byte local part (RFC 7622).
 */
export function validRoomName(room: string): boolean {
  if (!validJitsiName(room)) return false;
  const decoded = safeDecodeURIComponent(room);
  if (decoded !== room && !validJitsiName(decoded)) return false;
  const node = clientBackendSafeRoomName(room);
  return !node.includes('*') && Buffer.byteLength(node) <= 1023;
}

/** Jitsi's tenant charset [^/?&:'"], plus `*` (every room), `#`, `\`, controls and dot segments. */
export function validJitsiName(name: string): boolean {
  if (name.length > FUZZ.maxNameLength) return false;
  if (name.trim() === '' || name === '.' || name === '..') return false;
  try {
    encodeURIComponent(name); // throws on a lone surrogate: not text, cannot go into a URL
  } catch {
    return false;
  }
  return !/[/?#&:'"*\\\u0000-\u001f\u007f]/.test(name);
}

const OVERRIDE_KEY = /^(config|interfaceConfig)\.[A-Za-z0-9_.]+$/;

interface StateModel {
  room?: string;
  roomSafe?: string;
  tenant?: string;
  overrides: [string, unknown][];
  /** App markers that are true. */
  apps: string[];
}

function parseState(raw: string): StateModel {
  let value: unknown;
  try {
    // Jitsi sends encodeURIComponent(JSON); a proxy that re-encoded it leaves one more layer.
    value = JSON.parse(/^%7b/i.test(raw) ? decodeURIComponent(raw) : raw);
  } catch {
    return refuse(400, 'state is not JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return refuse(400, 'state is not an object');
  const fields = value as Record<string, unknown>;
  const state: StateModel = { overrides: [], apps: [] };
  if (fields.room !== undefined) {
    if (typeof fields.room !== 'string') refuse(400, 'state.room not a string');
    state.room = fields.room as string;
  }
  if (fields.roomSafe !== undefined && fields.roomSafe !== null) {
    if (typeof fields.roomSafe !== 'string') refuse(400, 'state.roomSafe not a string');
    state.roomSafe = fields.roomSafe as string;
  }
  if (fields.tenant !== undefined && fields.tenant !== null) {
    if (typeof fields.tenant !== 'string') refuse(400, 'state.tenant not a string');
    state.tenant = fields.tenant as string;
  }
  // The apps mark themselves with true; false or null is no mark; anything else is not Jitsi's.
  for (const app of APP_MARKERS) {
    const v = fields[app];
    if (v === true) state.apps.push(app);
    else if (v !== undefined && v !== null && v !== false) refuse(400, `state.${app} not a boolean`);
  }
  // Only Jitsi's own "the user passed pre-join" skips it; only quieter-join overrides come back.
  if (fields[PREJOIN] === false) state.overrides.push([PREJOIN, false]);
  const candidates = Object.keys(fields).filter((key) => key !== PREJOIN && key.length <= FUZZ.maxOverrideKeyLength && OVERRIDE_KEY.test(key));
  if (candidates.length > FUZZ.maxOverrides) refuse(400, 'too many overrides');
  for (const key of candidates) if (HARMLESS.has(key) && fields[key] === HARMLESS.get(key)) state.overrides.push([key, fields[key]]);
  return state;
}

const placeholder = (v: string | undefined, p: string): string | undefined => (v === undefined || v === '' || v === p ? undefined : v);

export function validityFormat(raw: string | undefined): number | undefined {
  if (raw === undefined || raw === '') return undefined;
  if (!/^-?[0-9]{1,15}$/.test(raw)) return refuse(400, 'validity_timestamp not an integer');
  return Number(raw);
}

/** validity_timestamp range: in the future, at most MAX_VALIDITY ahead. */
function validityRange(exp: number, now: number): void {
  if (exp <= now) refuse(400, 'validity in the past');
  if (exp > now + FUZZ.maxValidity) refuse(400, 'validity beyond the cap');
}

/** Who asked, so how the token comes back: at most one app marker or a nonce, never both. */
function deliveryOf(q: Map<string, string>, apps: string[]): Delivery {
  const nonce = q.get('nonce');
  const popup = nonce !== undefined && nonce !== '';
  if (popup && !NONCE.test(nonce)) refuse(400, 'nonce not 64 hex digits');
  if (apps.length + (popup ? 1 : 0) > 1) refuse(400, 'more than one client');
  return popup ? 'popup' : ((apps[0] as Delivery | undefined) ?? 'redirect');
}

/** Jitsi's popup, known by exactly one well-formed nonce: its refusals are answered in place (oauth-error). */
export function popupOpener(query: string): boolean {
  const nonces = new URLSearchParams(query).getAll('nonce');
  return nonces.length === 1 && NONCE.test(nonces[0] as string);
}

function meetingOf(q: Map<string, string>): ExpectedMeeting {
  const stateRaw = placeholder(q.get('state'), '{state}');
  const state = stateRaw === undefined ? undefined : parseState(stateRaw);
  const room = placeholder(state?.room, '{room}') ?? placeholder(q.get('room'), '{room}');
  if (room === undefined) return refuse(400, 'no room');
  if (!validRoomName(room)) refuse(400, 'invalid room');
  // roomSafe is the client's own backend-safe name of the room: it must name the same MUC room.
  if (state?.roomSafe !== undefined && state.roomSafe !== clientBackendSafeRoomName(room)) refuse(400, 'roomSafe names another room');
  const delivery = deliveryOf(q, state?.apps ?? []);
  const tenant = state && state.tenant !== undefined ? state.tenant : q.get('tenant');
  const meeting: ExpectedMeeting = { room, overrides: state?.overrides ?? [], delivery };
  if (tenant !== undefined && tenant !== '') {
    if (!validJitsiName(tenant)) refuse(400, 'invalid tenant');
    meeting.tenant = tenant;
  }
  const exp = validityFormat(q.get('validity_timestamp'));
  if (exp !== undefined) meeting.requestedExp = exp;
  const apiId = q.get(API_ID);
  if (apiId !== undefined && apiId !== '') {
    if (!/^[0-9]{1,15}$/.test(apiId)) refuse(400, 'external api id not a number');
    meeting.externalApiId = apiId;
  }
  return meeting;
}

// ---------------------------------------------------------------------------------------------
// The front surface

export interface FrontInput {
  route: 'token' | 'escape';
  /** The proxy secret header as the server sees it (undefined: absent). */
  proxySecretSeen?: string;
  proxySecret: string;
  /** Attribute headers as sent (Unicode), by attribute name. */
  attributes: Partial<Record<'mail' | 'displayName' | 'eppn' | 'affiliation' | 'entitlement' | 'subject-id' | 'idp', string>>;
  query: string;
  /** Seconds since the epoch at the sidecar (validity is never generated within 5 s of a bound). */
  now: number;
  /** AUTH_ERROR_PAGE set: refusals other than 401 become a redirect to it. */
  authErrorPage: boolean;
}

export function expectFront(input: FrontInput): Expectation {
  try {
    if (input.route === 'escape') {
      const meeting = meetingOf(singleValued(parseQuery(input.query)));
      return { outcome: 'refuse', status: 200, why: 'escape page: never a token', meeting };
    }
    if (input.proxySecretSeen !== input.proxySecret) return refuse(401, 'untrusted');
    const values = (name: keyof FrontInput['attributes']): string[] => {
      const seen = attributeHeader(input.attributes[name]);
      return seen === undefined ? [] : shibbolethValues(seen);
    };
    // A mail is optional (REFEDS Pseudonymous Access); a user id is not.
    const mail = values('mail')[0];
    let id: string | undefined;
    for (const name of ID_ORDER) {
      id = name === 'pairwise-id' || name === 'persistent-id' ? undefined : values(name)[0];
      if (id !== undefined) break;
    }
    if (id === undefined) refuse(403, 'no user id');
    const q = singleValued(parseQuery(input.query));
    const meeting = meetingOf(q);
    // Shib-Identity-Provider is single-valued: the header as a whole names the IdP.
    const fromTrustedIdp = attributeHeader(input.attributes.idp) === FUZZ.trustedIdp;
    if (fromTrustedIdp && values('entitlement').includes(FUZZ.deniedEntitlement)) refuse(403, 'policy denies');
    if (meeting.requestedExp !== undefined) validityRange(meeting.requestedExp, input.now);
    // displayName, else the mail's local part, else "Guest" and 6 hex of sha256(id) (no givenName or sn is sent here).
    const name = values('displayName')[0] || mail?.split('@')[0] || `Guest ${createHash('sha256').update(id as string).digest('hex').slice(0, 6)}`;
    const user: ExpectedUser = { id: id as string, name };
    if (mail !== undefined) user.email = mail;
    if (values('affiliation').includes(FUZZ.staffAffiliation)) {
      user.affiliation = 'owner';
      user.moderator = true;
      user.lobby_bypass = true; // a moderator's token lets them past their own lobby
    }
    const delivery = meeting.delivery ?? 'redirect';
    return { outcome: 'issue', status: delivery === 'redirect' ? 302 : 200, delivery, why: 'trusted and valid', meeting, user };
  } catch (err) {
    if (!(err instanceof Refused)) throw err;
    // Only the token route sends refused browsers to AUTH_ERROR_PAGE; a 401 never goes there,
    // nor a refusal in Jitsi's popup, which its opener must hear about.
    const redirected = input.authErrorPage && input.route === 'token' && err.status !== 401 && !popupOpener(input.query);
    const status = redirected ? 302 : err.status;
    return { outcome: 'refuse', status, why: err.message };
  }
}

// ---------------------------------------------------------------------------------------------
// The backend surface (/getToken)

/** How the generator made a mail: the spec says "an e-mail address" and leaves odd ones open. */
export type MailClass = 'valid' | 'invalid' | 'unknown';

export interface BackendInput {
  authorizationSeen?: string;
  apiKey: string;
  /** Parameters after body/query decoding; undefined = the body itself is unacceptable. */
  params: Params | undefined;
  mailClass: MailClass;
  now: number;
}

export function expectBackend(input: BackendInput): Expectation {
  try {
    const m = /^Bearer[ ]+(\S+)\s*$/i.exec(input.authorizationSeen ?? '');
    if (m?.[1] !== input.apiKey) refuse(401, 'bad api key');
    if (input.params === undefined) refuse(400, 'unacceptable body');
    const q = singleValued(input.params as Params);
    const mail = q.get('mail');
    if (mail === undefined || input.mailClass === 'invalid') refuse(400, 'bad mail');
    const room = q.get('room');
    if (room === undefined || room === '') refuse(400, 'no room');
    const name = q.get('name') || q.get('displayName') || (mail as string);
    if (name.trim() === '') refuse(400, 'blank name');
    const tenant = q.get('tenant');
    if (tenant !== undefined && tenant !== '' && !validJitsiName(tenant)) refuse(400, 'bad tenant');
    if (!validRoomName(room as string)) refuse(400, 'bad room');
    const exp = validityFormat(q.get('validity_timestamp'));
    if (exp !== undefined) validityRange(exp, input.now);
    const user: ExpectedUser = { id: mail as string, name, email: mail as string };
    const affiliation = q.get('affiliation');
    if (affiliation !== undefined && affiliation !== '') {
      if (!/^[A-Za-z0-9_-]{1,32}$/.test(affiliation)) refuse(400, 'bad affiliation');
      user.affiliation = affiliation;
    }
    const moderator = q.get('moderator');
    if (moderator !== undefined && moderator !== '') {
      // The project's one boolean rule (README: configuration), case-insensitive, spaces trimmed.
      const spelled = moderator.trim().toLowerCase();
      if (!['true', '1', 'yes', 'on', 'false', '0', 'no', 'off'].includes(spelled)) refuse(400, 'bad moderator');
      user.moderator = ['true', '1', 'yes', 'on'].includes(spelled);
    }
    // token_affiliation's rule (JITSI.md): the token carries an owner as affiliation "owner" +
    // moderator true, and anyone else with neither field.
    const owner = ['owner', 'moderator', 'teacher'].includes(user.affiliation ?? '') || user.moderator === true;
    delete user.affiliation;
    delete user.moderator;
    // And an owner's token lets them past their own lobby (token_lobby_bypass, JITSI.md).
    if (owner) Object.assign(user, { affiliation: 'owner', moderator: true, lobby_bypass: true });
    const meeting: ExpectedMeeting = { room: room as string, overrides: [] };
    if (tenant !== undefined && tenant !== '') meeting.tenant = tenant;
    if (exp !== undefined) meeting.requestedExp = exp;
    return { outcome: input.mailClass === 'unknown' ? 'either' : 'issue', status: 200, why: 'authorised and valid', meeting, user };
  } catch (err) {
    if (!(err instanceof Refused)) throw err;
    return { outcome: 'refuse', status: err.status, why: err.message };
  }
}
