// fast-check generators for everything a browser, a proxy or an attacker can put into a request
// to the sidecar: room, tenant, Jitsi's {state}, validity_timestamp, jitsi_meet_external_api_id,
// identity headers with Shibboleth's multi-value encoding, and oversized or malformed values.
import fc from 'fast-check';
import { clientBackendSafeRoomName } from '../jitsi-client';
import { API_ID, APP_MARKERS, FUZZ, PREJOIN, type MailClass } from './spec';

/** Attack strings from the known holes of similar projects (REFERENCE.md "Its flaws"). */
export const NASTY = [
  '*', 'a*', '%2A', '{room}', '{state}', '.', '..', '%2e', '%2e%2e', '.%2e', ' ', '\u00a0', '\ufeff',
  '//evil.example', '/\\evil.example', '\\\\evil.example', 'https://evil.example', 'https:evil.example',
  'javascript:alert(1)', '%2F%2Fevil.example', '%252F%252Fevil.example', 'evil\u3002example', 'evil\uff0eexample',
  '\uff0e\uff0e', '\u2025', '\ufe52\ufe52', '@evil.example', 'a@evil.example', 'evil.example#', 'x?jwt=eyJhbGciOiJub25lIn0.e30.',
  '<script>alert(1)</script>', '</script><script>alert(1)</script>', '"><img src=x onerror=alert(1)>',
  "'-alert(1)-'", '<!--', ']]>', '&amp;&lt;', 'a&config.startWithAudioMuted=true', 'a#config.x=1', 'a=b',
  '\u2028\u2029', '\u0000', '\r\nSet-Cookie: x=1', 'A\u0301\u0327', '\u0130stanbul', '\u1e9e', 'r\u00e4um',
  '\ud83d\ude00', 'x'.repeat(128), 'x'.repeat(129), 'y'.repeat(FUZZ.maxValueLength + 1),
];

/** Values with one of < > " ' &, each with a unique tail: if one shows up raw in HTML, it came from us. */
export const markup = fc
  .tuple(
    fc.constantFrom('<', '>', '"', "'", '&', '<b>', '"><svg onload=x>', "'><", '&#x3c;', '</title>', '<a href="'),
    fc.stringMatching(/^[a-z]{6}$/),
  )
  .map(([payload, tail]) => `${payload}${tail}`);

const safeName = fc.stringMatching(/^[A-Za-z0-9_-]{1,24}$/);
const anyText = (max: number): fc.Arbitrary<string> => fc.string({ unit: 'binary', maxLength: max });
const printable = fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)), maxLength: 40 });

/** A room or tenant name: mostly plausible, often hostile, sometimes random Unicode. */
export const meetingName: fc.Arbitrary<string> = fc.oneof(
  { weight: 5, arbitrary: safeName },
  { weight: 3, arbitrary: fc.constantFrom(...NASTY) },
  { weight: 2, arbitrary: fc.tuple(safeName, fc.constantFrom(...NASTY)).map(([a, b]) => a + b) },
  { weight: 2, arbitrary: markup },
  { weight: 2, arbitrary: anyText(40) },
  { weight: 1, arbitrary: printable },
);

/** A name that must pass (for the state's own room and positive controls). */
export const validRoom = fc.oneof(
  safeName,
  fc.constantFrom('Räum 1', 'weekly (team)', 'x'.repeat(128), 'a+b', 'résumé', '\u4f1a\u8b70', 'Réunion équipe', 'a%20b', '100%', '\uff21\uff22\uff23', 'straße', 'wow!~'),
);

/** state.roomSafe: as the client computes it from the room, someone else's, or absent. */
const roomSafeOf = (room: unknown, pick: 'client' | 'other' | 'absent'): string | undefined => {
  if (pick === 'absent') return undefined;
  if (pick === 'other' || typeof room !== 'string') return 'other-room';
  try {
    return clientBackendSafeRoomName(room);
  } catch {
    return 'not-encodable';
  }
};
const roomSafePick = fc.constantFrom<'client' | 'other' | 'absent'>('client', 'client', 'absent', 'other');

const overrideKey = fc.oneof(
  fc.constantFrom(
    'config.startWithAudioMuted', 'config.startWithVideoMuted', 'config.startAudioOnly', 'config.subject',
    'config.startSilent', 'config.hideConferenceSubject',
    'interfaceConfig.SHOW_JITSI_WATERMARK', PREJOIN, 'config.foo&config.bar=1', 'config.a#b', 'config.a=b', 'config.',
    'config', 'interfaceConfig', 'jwt', API_ID, '__proto__', 'constructor', 'room', 'tenant', 'config.a b',
    `config.${'k'.repeat(FUZZ.maxOverrideKeyLength)}`, 'Config.x', 'config.p\u00e4',
  ),
  fc.stringMatching(/^(config|interfaceConfig)\.[A-Za-z0-9_.]{1,20}$/),
  anyText(12),
);

const overrideValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.boolean(),
  fc.constant(null),
  fc.double(),
  fc.integer(),
  fc.constantFrom('x&config.startWithAudioMuted=true', '#jwt=eyJ.e30.x', 'a=b', '"', '%26', '</script>'),
  markup,
  anyText(20),
  fc.array(fc.integer(), { maxLength: 2 }),
  fc.dictionary(safeName, fc.integer(), { maxKeys: 2 }),
);

/** The apps' markers (ios / android / electron): mostly none or one true, sometimes two or not a boolean. */
const appMarkers: fc.Arbitrary<Record<string, unknown>> = fc.oneof(
  { weight: 4, arbitrary: fc.constant({}) },
  { weight: 3, arbitrary: fc.constantFrom(...APP_MARKERS).map((app) => ({ [app]: true })) },
  { weight: 1, arbitrary: fc.dictionary(fc.constantFrom(...APP_MARKERS), fc.constantFrom<unknown>(true, false, null, 'true', 1, {}), { maxKeys: 3 }) },
);

/** Jitsi's inline popup nonce: 64 lower-case hex digits, or something near it. */
export const nonceValue: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: fc.stringMatching(/^[0-9a-f]{64}$/) },
  {
    weight: 2,
    arbitrary: fc.constantFrom('', '{nonce}', 'AB'.repeat(32), 'a'.repeat(63), 'a'.repeat(65), `${'a'.repeat(63)}g`, `${'0'.repeat(64)} `, `${'0'.repeat(32)}&nonce=${'1'.repeat(32)}`),
  },
  { weight: 1, arbitrary: markup },
  { weight: 1, arbitrary: anyText(64) },
);

/** Jitsi's state object, or something that pretends to be one. */
const stateObject = fc
  .record(
    {
      room: fc.oneof({ weight: 4, arbitrary: validRoom }, meetingName, fc.constantFrom<unknown>(null, 5, true, '', '{room}', ['a'])),
      tenant: fc.oneof(meetingName, fc.constantFrom<unknown>('', null, 7)),
      roomSafe: roomSafePick,
      overrides: fc.array(fc.tuple(overrideKey, overrideValue), { maxLength: 6 }),
      many: fc.constantFrom(0, 0, 0, 0, FUZZ.maxOverrides, FUZZ.maxOverrides + 1),
      markers: appMarkers,
    },
    { requiredKeys: ['overrides', 'many', 'markers'] },
  )
  .map(({ overrides, many, roomSafe, markers, ...fields }) => {
    const state: Record<string, unknown> = { ...fields, ...markers };
    const safe = roomSafe === undefined ? undefined : roomSafeOf(fields.room, roomSafe);
    if (safe !== undefined) state.roomSafe = safe;
    for (const [k, v] of overrides) state[k] = v;
    for (let i = 0; i < many; i++) state[`config.flag${i}`] = i % 2 === 0;
    return state;
  });

/** A lone surrogate in the state's room or tenant (JSON carries it as `\udXXX`). */
const loneSurrogateState = fc
  .tuple(safeName, fc.integer({ min: 0xd800, max: 0xdfff }), fc.boolean())
  .map(([name, unit, inTenant]) => {
    const odd = `${name}${String.fromCharCode(unit)}`;
    return inTenant ? { room: name, tenant: odd } : { room: odd };
  });

/** The text the sidecar sees as `state` after one round of query decoding. */
export const stateText: fc.Arbitrary<string> = fc.oneof(
  { weight: 6, arbitrary: stateObject.map((s) => JSON.stringify(s)) },
  // re-encoded by a proxy on the way: one more layer of percent-encoding
  { weight: 1, arbitrary: stateObject.map((s) => encodeURIComponent(JSON.stringify(s))) },
  { weight: 1, arbitrary: fc.constantFrom('{state}', '', '{', '[]', '"room"', 'null', '5', '{"room":', '%7B%ZZ', '%7b"x"', '{"room":"a","room":"*"}') },
  { weight: 1, arbitrary: anyText(30) },
  { weight: 1, arbitrary: loneSurrogateState.map((s) => JSON.stringify(s)) },
);

export const loneSurrogateStateText = loneSurrogateState.map((s) => JSON.stringify(s));

/** validity_timestamp: an offset from now (kept 5 s away from every bound), or text. */
export type Validity = { offset: number } | { text: string };
export const validity: fc.Arbitrary<Validity> = fc.oneof(
  fc.integer({ min: 5, max: FUZZ.maxValidity - 5 }).map((offset) => ({ offset })),
  fc.integer({ min: -10 * 365 * 86400, max: -5 }).map((offset) => ({ offset })),
  fc.integer({ min: FUZZ.maxValidity + 5, max: 10 * 365 * 86400 }).map((offset) => ({ offset })),
  fc.constantFrom('', '0', '-1', '1e10', '9999999999999999', '12.5', '+123', ' 123', '0x10', 'NaN', 'Infinity', '123abc').map((text) => ({ text })),
  anyText(12).map((text) => ({ text })),
);

export const externalApiId = fc.oneof(
  fc.stringMatching(/^[0-9]{1,15}$/),
  fc.constantFrom('', '1&config.foo=bar', '1#jwt=x', '0123', '1'.repeat(16), '-1', '1.5', ' 1', '1%26config.x%3D1'),
  anyText(10),
);

/** One query parameter; `raw` values go into the query as they are (malformed escapes and all). */
export interface Param {
  name: string;
  value: string;
  raw?: boolean;
}

const rawText = fc.string({
  unit: fc.constantFrom('%', '%2', '%zz', '%00', '%0A', '%E3', '%C3%28', '+', '&', '=', '#'.replace('#', '%23'), 'a', 'Z', '9', '*', '/', '\\', '.', ';', '~'),
  maxLength: 12,
});

const extraParam: fc.Arbitrary<Param> = fc.oneof(
  fc.constantFrom<Param>(
    { name: 'affiliation', value: 'owner' },
    { name: 'moderator', value: 'true' },
    { name: 'context.user.affiliation', value: 'owner' },
    { name: 'config.startWithAudioMuted', value: 'true' },
    { name: 'jwt', value: 'eyJhbGciOiJub25lIn0.eyJyb29tIjoiKiJ9.' },
    { name: 'x-saml2jwt-proxy-secret', value: 'guess' },
    { name: 'mail', value: 'boss@uni.example' },
    { name: 'nonce', value: 'c'.repeat(64) },
  ),
  fc.record({ name: fc.oneof(safeName, markup, anyText(8)), value: fc.oneof(anyText(20), markup) }),
  fc.record({ name: safeName, value: rawText, raw: fc.constant(true) }),
  fc.record({ name: fc.constantFrom('room', 'tenant', 'state', 'validity_timestamp', API_ID), value: rawText, raw: fc.constant(true) }),
  fc.constant<Param>({ name: 'pad', value: 'p'.repeat(FUZZ.maxValueLength + 1) }),
);

/** The query of a browser request: the usual parameters, each maybe absent, plus extras. */
export interface MeetingQuery {
  room?: string;
  tenant?: string;
  state?: string;
  validity?: Validity;
  apiId?: string;
  /** Jitsi's inline popup adds it (`&nonce=`). */
  nonce?: string;
  extras: Param[];
  /** Parameters are sent in this order (duplicates of room happen through extras). */
  shuffle: number;
  /** Pad with this many filler parameters before the rest (parsers cap the number of keys). */
  filler: number;
}

const hostileQuery: fc.Arbitrary<MeetingQuery> = fc.record(
  {
    room: meetingName,
    tenant: meetingName,
    state: stateText,
    validity,
    apiId: externalApiId,
    nonce: nonceValue,
    extras: fc.array(extraParam, { maxLength: 3 }),
    shuffle: fc.nat(),
    filler: fc.constantFrom(0, 0, 0, 0, 0, 0, 0, 0, 0, 5, 1200),
  },
  { requiredKeys: ['extras', 'shuffle', 'filler'] },
);

/** What Jitsi's own client sends (room, or {state} with room, tenant and overrides), plus role bait. */
const plausibleState = fc
  .record({
    room: validRoom,
    tenant: fc.oneof(fc.constant(''), safeName),
    overrides: fc.array(fc.tuple(overrideKey, overrideValue), { maxLength: 3 }),
    app: fc.constantFrom(undefined, undefined, undefined, ...APP_MARKERS),
  })
  .map(({ overrides, app, ...fields }) => {
    const state: Record<string, unknown> = { ...fields, roomSafe: clientBackendSafeRoomName(fields.room), [PREJOIN]: false };
    if (app !== undefined) state[app] = true;
    for (const [k, v] of overrides) state[k] = v;
    return JSON.stringify(state);
  });

const plausibleQuery: fc.Arbitrary<MeetingQuery> = fc.record(
  {
    room: validRoom,
    tenant: safeName,
    state: plausibleState,
    validity: fc.integer({ min: 5, max: FUZZ.maxValidity - 5 }).map((offset): Validity => ({ offset })),
    apiId: fc.stringMatching(/^[0-9]{1,15}$/),
    // Mostly none: with an app marker in the state a nonce is a conflict (refused).
    nonce: fc.oneof({ weight: 2, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: fc.stringMatching(/^[0-9a-f]{64}$/) }),
    extras: fc.array(fc.constantFrom<Param>({ name: 'affiliation', value: 'owner' }, { name: 'moderator', value: 'true' }, { name: 'config.startWithAudioMuted', value: 'true' }), { maxLength: 2 }),
    shuffle: fc.nat(),
    filler: fc.constant(0),
  },
  { requiredKeys: ['room', 'extras', 'shuffle', 'filler'] },
);

export const meetingQuery: fc.Arbitrary<MeetingQuery> = fc.oneof({ weight: 1, arbitrary: plausibleQuery }, { weight: 1, arbitrary: hostileQuery });

export function queryParams(q: MeetingQuery, now: number): Param[] {
  const params: Param[] = [];
  for (let i = 0; i < q.filler; i++) params.push({ name: `f${i}`, value: '' });
  const main: Param[] = [];
  if (q.room !== undefined) main.push({ name: 'room', value: q.room });
  if (q.tenant !== undefined) main.push({ name: 'tenant', value: q.tenant });
  if (q.state !== undefined) main.push({ name: 'state', value: q.state });
  if (q.validity !== undefined) main.push({ name: 'validity_timestamp', value: 'text' in q.validity ? q.validity.text : String(now + q.validity.offset) });
  if (q.apiId !== undefined) main.push({ name: API_ID, value: q.apiId });
  if (q.nonce !== undefined) main.push({ name: 'nonce', value: q.nonce });
  main.push(...q.extras);
  // A deterministic rotation: order matters to parsers that stop early.
  const k = main.length === 0 ? 0 : q.shuffle % main.length;
  return [...params, ...main.slice(k), ...main.slice(0, k)];
}

export function queryString(params: Param[]): string {
  return params.map((p) => `${p.raw ? p.name : encodeURIComponent(p.name)}=${p.raw ? p.value : encodeURIComponent(p.value)}`).join('&');
}

// ---------------------------------------------------------------------------------------------
// Identity headers (the SP's), sent as UTF-8 bytes

/** Text a header may carry (node:http refuses C0 controls other than tab, and DEL). */
const headerText = (max: number): fc.Arbitrary<string> =>
  fc.string({ unit: 'binary', maxLength: max }).map((s) => s.replace(/[\u0000-\u0008\u000a-\u001f\u007f]/g, ''));

const mailValue = fc.oneof(
  { weight: 24, arbitrary: fc.tuple(safeName, fc.constantFrom('uni.example', 'partner.example')).map(([l, d]) => `${l}@${d}`) },
  { weight: 2, arbitrary: fc.constantFrom('a@uni.example;b@uni.example', 'a\\;b@uni.example', ';;', ' ; ', '\\;', ';a@uni.example', 'Authorized_By_x@uni.example', 'm\u00fcller@uni.example', 'tab\there@uni.example', 'c1\u0085@uni.example', '\ufffd\u00e9@uni.example', '') },
  { weight: 1, arbitrary: markup },
  { weight: 1, arbitrary: headerText(30) },
);

const affiliationValue = fc.oneof(
  fc.constantFrom(FUZZ.staffAffiliation, `member@uni.example;${FUZZ.staffAffiliation}`, `${FUZZ.staffAffiliation}\\;x`, 'student@uni.example', ` ${FUZZ.staffAffiliation} `, 'STAFF@uni.example', 'owner'),
  headerText(20),
);

export type SecretVariant = 'right' | 'absent' | 'wrong' | 'padded' | 'prefix' | 'upper' | 'doubled' | 'empty';

export interface IdentityHeaders {
  secret: SecretVariant;
  mail?: string;
  displayName?: string;
  eppn?: string;
  'subject-id'?: string;
  affiliation?: string;
  entitlement?: string;
  idp?: string;
}

export const identityHeaders: fc.Arbitrary<IdentityHeaders> = fc.record(
  {
    secret: fc.oneof(
      { weight: 12, arbitrary: fc.constant<SecretVariant>('right') },
      { weight: 3, arbitrary: fc.constantFrom<SecretVariant>('absent', 'wrong', 'padded', 'prefix', 'upper', 'doubled', 'empty') },
    ),
    mail: mailValue,
    displayName: fc.oneof(headerText(30), markup, fc.constantFrom('M\u00fcller, J\u00fcrgen', 'a\\;b;c', ' ')),
    eppn: fc.oneof(safeName.map((n) => `${n}@uni.example`), headerText(20)),
    'subject-id': fc.oneof(safeName.map((n) => `${n}@uni.example`), fc.constant(';')),
    affiliation: affiliationValue,
    entitlement: fc.oneof(
      { weight: 1, arbitrary: fc.constantFrom(FUZZ.deniedEntitlement, `urn:x;${FUZZ.deniedEntitlement}`) },
      { weight: 3, arbitrary: fc.constantFrom(`${FUZZ.deniedEntitlement}\\;x`, 'urn:mace:uni.example:other', ` ${FUZZ.deniedEntitlement}x`) },
    ),
    idp: fc.oneof(
      { weight: 4, arbitrary: fc.constant(FUZZ.trustedIdp) },
      { weight: 1, arbitrary: fc.constantFrom('https://idp.other.example/idp/shibboleth', `${FUZZ.trustedIdp} `, FUZZ.trustedIdp.toUpperCase()) },
    ),
  },
  { requiredKeys: ['secret', 'mail'] },
);

// ---------------------------------------------------------------------------------------------
// The backend API

export interface BackendRequest {
  auth: 'right' | 'absent' | 'wrong' | 'lowercase' | 'spaced' | 'basic' | 'query' | 'proxy-secret';
  method: 'GET' | 'FORM' | 'JSON';
  accept: boolean;
  mail: { value: string; cls: MailClass } | undefined;
  name?: string;
  displayName?: string;
  room?: string;
  tenant?: string;
  validity?: Validity;
  affiliation?: string;
  moderator?: string;
  extras: Param[];
  /** JSON bodies only: one value that is not a string. */
  odd?: { name: string; value: unknown };
}

const backendMail = fc.oneof(
  { weight: 6, arbitrary: fc.tuple(safeName, fc.constantFrom('uni.example', 'partner.example')).map(([l, d]) => ({ value: `${l}@${d}`, cls: 'valid' as MailClass })) },
  { weight: 2, arbitrary: fc.constantFrom('', 'nobody', 'a b@uni.example', '@uni.example', 'a@', 'a@b', `${'l'.repeat(250)}@uni.example`, '<a@uni.example>').map((value) => ({ value, cls: 'invalid' as MailClass })) },
  { weight: 1, arbitrary: fc.oneof(anyText(30), markup).map((value) => ({ value, cls: 'unknown' as MailClass })) },
);

export const backendRequest: fc.Arbitrary<BackendRequest> = fc.record(
  {
    auth: fc.oneof({ weight: 8, arbitrary: fc.constant<BackendRequest['auth']>('right') }, fc.constantFrom<BackendRequest['auth']>('absent', 'wrong', 'lowercase', 'spaced', 'basic', 'query', 'proxy-secret')),
    method: fc.constantFrom<BackendRequest['method']>('GET', 'GET', 'FORM', 'JSON'),
    accept: fc.boolean(),
    mail: fc.option(backendMail, { freq: 12, nil: undefined }),
    name: fc.oneof(anyText(20), markup, fc.constant('  ')),
    displayName: anyText(20),
    room: fc.oneof({ weight: 3, arbitrary: validRoom }, meetingName),
    tenant: fc.oneof(safeName, meetingName),
    validity,
    affiliation: fc.oneof(fc.constantFrom('owner', 'moderator', 'teacher', 'a'.repeat(33), 'own er', 'owner;x'), anyText(10)),
    moderator: fc.constantFrom('true', 'false', '1', '0', '', 'yes', 'TRUE'),
    extras: fc.array(extraParam, { maxLength: 2 }),
    odd: fc.record({ name: fc.constantFrom('room', 'mail', 'moderator', 'validity_timestamp', 'x'), value: fc.constantFrom<unknown>(5, true, null, { a: 1 }, ['r'], 1e21) }),
  },
  { requiredKeys: ['auth', 'method', 'accept', 'mail', 'extras'] },
);
