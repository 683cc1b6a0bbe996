// What must hold for every response, whatever was asked. Each check returns the problems it
// found (empty: fine), so a failing fuzz run names every broken rule of the counterexample.
import { createHash } from 'node:crypto';
import { renderErrorPage } from '../../../sidecar/src/http/error-page';
import { renderEscapePage } from '../../../sidecar/src/http/escape-page';
import { renderAppHandoverPage } from '../../../sidecar/src/http/app-handover-page';
import { renderPopupSuccessPage } from '../../../sidecar/src/http/popup-page';
import { cspProblems, jsonBlock } from '../page-script';
import { everyLanguageView } from '../page-views';
import { clientBackendSafeRoomName, clientJwtFromUrl, clientMeetingFromPath, safeDecodeURIComponent } from '../jitsi-client';
import { prosodyAccepts, type ProsodyOptions } from '../prosody-verifier';
import type { Answer } from './client';
import { API_ID, FUZZ, type Delivery, type ExpectedMeeting, type ExpectedUser } from './spec';

/** Anything shaped like a compact JWT (an unsigned one too). */
export const JWT_LIKE = /eyJ[\w-]+\.[\w-]+\.[\w-]*/g;

export function tokensIn(text: string): string[] {
  return text.match(JWT_LIKE) ?? [];
}

/** The pages' own markup: a generated value that happens to be part of it proves nothing. */
const PAGE_SKELETON = everyLanguageView()
  .flatMap((view) => [
    renderEscapePage('')(view),
    renderAppHandoverPage('')(view),
    renderPopupSuccessPage('', '', '')(view),
    ...[400, 401, 403, 404, 429, 500, 503].map((status) => renderErrorPage({ status, reason: '', message: '' })(view)),
  ])
  .join('\n');

/** Values carrying markup characters must never appear as they are in an HTML body. */
export function reflectionProblems(answer: Answer, sentValues: readonly string[]): string[] {
  if (!/html/i.test(answer.headers['content-type'] ?? '')) return [];
  const problems: string[] = [];
  for (const v of sentValues) {
    if (v.length < 4 || !/[<>"'&]/.test(v) || PAGE_SKELETON.includes(v)) continue;
    if (answer.body.includes(v)) problems.push(`HTML reflects ${JSON.stringify(v)} unescaped`);
  }
  return problems;
}

export interface PublicUrl {
  origin: string;
  /** '' (PUBLIC_URL has no path). */
  prefix: string;
}

/** A browser must only ever be sent under the public URL (origin and path prefix), as a browser parses it. */
export function locationProblems(location: string | undefined, site: PublicUrl): string[] {
  if (location === undefined) return [];
  let url: URL;
  try {
    url = new URL(location);
  } catch {
    return [`Location is not an absolute URL: ${location}`];
  }
  const problems: string[] = [];
  if (url.origin !== site.origin) problems.push(`Location leaves the public origin: ${location}`);
  if (!url.pathname.startsWith(`${site.prefix}/`)) problems.push(`Location leaves the path prefix: ${location}`);
  return problems;
}

const DV_ON = (secret: string): Omit<ProsodyOptions, 'room'> => ({
  secret,
  acceptedIssuers: [FUZZ.appId],
  acceptedAudiences: [FUZZ.appId],
  xmppDomain: FUZZ.xmppDomain,
  domainVerification: true,
});

const withTenant = (o: Omit<ProsodyOptions, 'room'>, room: string, tenant: string | undefined): ProsodyOptions =>
  tenant === undefined ? { ...o, room } : { ...o, room, tenant };

/** An issued token: Prosody (domain verification on) takes it for exactly this room and tenant. */
export function tokenProblems(token: string, secret: string, meeting: ExpectedMeeting, user: ExpectedUser, now: number): string[] {
  const problems: string[] = [];
  const base = DV_ON(secret);
  const verdict = prosodyAccepts(token, withTenant(base, meeting.room, meeting.tenant));
  if (!verdict.ok) return [`Prosody refuses the token for its own room: ${verdict.reason}`];
  if (prosodyAccepts(token, withTenant(base, `${meeting.room}x`, meeting.tenant)).ok) problems.push('token also opens another room');
  if (meeting.tenant === undefined) {
    if (prosodyAccepts(token, withTenant(base, meeting.room, 'other')).ok) problems.push('root-room token opens a tenant room');
  } else {
    if (prosodyAccepts(token, withTenant(base, meeting.room, `${meeting.tenant}x`)).ok) problems.push('token opens the room in another tenant');
    if (prosodyAccepts(token, withTenant(base, meeting.room, undefined)).ok) problems.push('tenant token opens the root room');
  }
  const c = verdict.claims as { room: string; sub: string; exp?: number; nbf?: number; context: { user: unknown; features: unknown } };
  if (c.room.includes('*') || c.sub.includes('*')) problems.push(`wildcard in room or sub: ${c.room} / ${c.sub}`);
  if (JSON.stringify(c.context.user) !== JSON.stringify(sortedLike(c.context.user, user))) {
    problems.push(`user ${JSON.stringify(c.context.user)} is not ${JSON.stringify(user)}`);
  }
  if (JSON.stringify(c.context.features) !== JSON.stringify(FUZZ.defaultFeatures)) problems.push(`features ${JSON.stringify(c.context.features)}`);
  if (typeof c.exp !== 'number') problems.push('token without exp');
  else if (meeting.requestedExp !== undefined) {
    if (c.exp !== meeting.requestedExp) problems.push(`exp ${c.exp} is not the requested ${meeting.requestedExp}`);
  } else if (Math.abs(c.exp - (now + FUZZ.defaultValidity)) > 10) problems.push(`exp ${c.exp} is not now + DEFAULT_VALIDITY`);
  if (typeof c.exp === 'number' && c.exp > now + FUZZ.maxValidity + 10) problems.push('exp beyond MAX_VALIDITY');
  return problems;
}

/** The expected user with the token's key order (key order is not part of the contract). */
function sortedLike(actual: unknown, expected: ExpectedUser): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const keys = typeof actual === 'object' && actual !== null ? Object.keys(actual) : [];
  for (const k of keys) if (k in expected) out[k] = (expected as unknown as Record<string, unknown>)[k];
  for (const [k, v] of Object.entries(expected)) if (!(k in out)) out[k] = v;
  return out;
}

/**
 * The meeting URL of a 302 with a token: path, query and the Jitsi hash, parsed as Jitsi does. The
 * token is read as the client reads it, from `#jwt="…"` first in the hash; only Android's intent
 * link (`tokenIn: 'search'`) carries it in the query, and then nothing else travels.
 */
export function meetingUrlProblems(location: string, site: PublicUrl, meeting: ExpectedMeeting, tokenIn: 'hash' | 'search' = 'hash'): { problems: string[]; token?: string } {
  const problems: string[] = [];
  const url = new URL(location);
  const segments = url.pathname.slice(site.prefix.length + 1).split('/').map((s) => decodeURIComponent(s));
  // The room travels as the user typed it, decoded once: the client decodes it again itself.
  const want = meeting.tenant === undefined ? [safeDecodeURIComponent(meeting.room)] : [meeting.tenant, safeDecodeURIComponent(meeting.room)];
  if (JSON.stringify(segments) !== JSON.stringify(want)) problems.push(`path ${url.pathname} is not ${JSON.stringify(want)}`);
  // And the client, parsing that path as Jitsi does, joins the room the token names.
  const landed = clientMeetingFromPath(url.pathname.slice(site.prefix.length)).room;
  if (landed === undefined || clientBackendSafeRoomName(landed) !== clientBackendSafeRoomName(meeting.room)) {
    problems.push(`the client reads room ${landed} from ${url.pathname}, not ${meeting.room}`);
  }
  const names = [...url.searchParams.keys()];
  if (JSON.stringify(names) !== (tokenIn === 'search' ? '["jwt"]' : '[]')) problems.push(`query carries ${JSON.stringify(names)}`);
  const read = clientJwtFromUrl(location);
  if (read.from !== tokenIn) problems.push(`the client reads the token from ${read.from ?? 'nowhere'}, not from the ${tokenIn}`);
  const token = read.jwt;

  // Jitsi's hash: `&`-joined key=value, values URI-decoded then JSON-parsed; the token's pair first.
  const hashWanted = meeting.overrides.length > 0 || meeting.externalApiId !== undefined;
  if (!hashWanted && tokenIn === 'search') {
    if (location.includes('#')) problems.push(`a hash nobody asked for: ${location.slice(location.indexOf('#'))}`);
    return token === undefined ? { problems } : { problems, token };
  }
  const fragment = location.slice(location.indexOf('#') + 1);
  if (location.indexOf('#') < 0) problems.push('no hash');
  if (fragment.includes('#')) problems.push('a second # in the hash');
  const pairs = fragment.split('&');
  if (tokenIn === 'hash' && !(pairs.shift() ?? '').startsWith('jwt=%22')) problems.push(`the hash does not start with the token: ${fragment.slice(0, 40)}`);
  if (!hashWanted && pairs.length > 0) problems.push(`a hash nobody asked for: ${pairs.join('&')}`);
  const seen = new Map<string, string>();
  for (const pair of hashWanted ? pairs : []) {
    const eq = pair.indexOf('=');
    const key = decodeURIComponent(eq < 0 ? pair : pair.slice(0, eq));
    const value = eq < 0 ? '' : decodeURIComponent(pair.slice(eq + 1));
    if (seen.has(key)) problems.push(`hash repeats ${key}`);
    seen.set(key, value);
  }
  if (seen.get(API_ID) !== meeting.externalApiId) problems.push(`hash ${API_ID}=${seen.get(API_ID)}, asked ${meeting.externalApiId}`);
  const expected = new Map(meeting.overrides.map(([k, v]) => [k, JSON.stringify(v)]));
  for (const [key, value] of seen) {
    if (key === API_ID) continue;
    if (!/^(config|interfaceConfig)\./.test(key)) problems.push(`hash carries a non-config key ${JSON.stringify(key)}`);
    let parsed: unknown;
    try {
      parsed = JSON.parse(value);
    } catch {
      problems.push(`hash value of ${key} is not JSON`);
      continue;
    }
    if (expected.get(key) !== JSON.stringify(parsed)) problems.push(`hash ${key}=${value}, asked ${expected.get(key)}`);
  }
  for (const key of expected.keys()) if (!seen.has(key)) problems.push(`override ${key} dropped`);
  return token === undefined ? { problems } : { problems, token };
}

/** The escape page: one script (the one its CSP hash allows), and a target on our own origin. */
export function escapePageProblems(answer: Answer, meeting: ExpectedMeeting): string[] {
  const problems: string[] = [];
  const csp = answer.headers['content-security-policy'] ?? '';
  const scripts = [...answer.body.matchAll(/<script>([\s\S]*?)<\/script>/g)].map((m) => m[1] as string);
  if (answer.body.match(/<script/gi)?.length !== 2 || scripts.length !== 1) problems.push('escape page has other than one executable script');
  else if (!csp.includes(`'sha256-${createHash('sha256').update(scripts[0] as string).digest('base64')}'`)) problems.push('script not allowed by its CSP hash');
  if (/unsafe-inline'[^;]*;?\s*$/.test(csp.split('script-src')[1]?.split(';')[0] ?? '')) problems.push('CSP allows inline scripts');
  const json = /<script type="application\/json" id="target">([\s\S]*?)<\/script>/.exec(answer.body)?.[1];
  if (json === undefined) return [...problems, 'no target block'];
  const target = new URL(JSON.parse(json) as string, 'https://meet.example.org/saml2jwt/redirectWithTokenEscape');
  if (target.origin !== 'https://meet.example.org' || target.pathname !== '/saml2jwt/redirectWithToken') problems.push(`target ${target.href}`);
  const p = target.searchParams;
  // URLSearchParams carries USV strings: a lone surrogate becomes U+FFFD.
  const wf = (s: string | undefined): string | undefined =>
    s === undefined ? undefined : s.replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd');
  if (p.get('room') !== wf(meeting.room)) problems.push(`target room ${p.get('room')}`);
  if ((p.get('tenant') ?? undefined) !== wf(meeting.tenant)) problems.push(`target tenant ${p.get('tenant')}`);
  if ((p.get(API_ID) ?? undefined) !== meeting.externalApiId) problems.push(`target ${API_ID} ${p.get(API_ID)}`);
  if ((p.get('validity_timestamp') ?? undefined) !== (meeting.requestedExp === undefined ? undefined : String(meeting.requestedExp))) problems.push('target validity');
  return problems;
}

/** Jitsi's own apps (the fuzzed sites keep the defaults): the scheme each link must use. */
const APP_SCHEME: Record<'ios' | 'electron', string> = { ios: 'org.jitsi.meet', electron: 'jitsi-meet' };
const ANDROID_INTENT = '#Intent;scheme=org.jitsi.meet;package=org.jitsi.meet;end';

/**
 * A token delivered on a page (the inline popup's, an app's hand-over): the page's CSP allows its
 * one script by hash only, it is never cached, and the token goes to exactly one place: the
 * PUBLIC_URL origin (popup: postMessage's targetOrigin and the fallback URL) or the app's own
 * scheme for this meeting. Returns the meeting URL as the browser would open it, for the caller's
 * meeting and token checks.
 */
export function pageDeliveryProblems(
  answer: Answer,
  site: PublicUrl,
  delivery: Exclude<Delivery, 'redirect'>,
  meeting: ExpectedMeeting,
): { problems: string[]; meetingUrl?: string; meeting: ExpectedMeeting; tokenIn?: 'search' } {
  const problems = cspProblems(answer.body, answer.headers['content-security-policy'] ?? '');
  if (answer.headers['cache-control'] !== 'no-store') problems.push('page may be cached');
  if (answer.headers['referrer-policy'] !== 'no-referrer') problems.push('page sends a referrer');
  try {
    if (delivery === 'popup') {
      const d = jsonBlock(answer.body, 'popup-message') as { message?: { type?: string; accessToken?: string }; origin?: unknown; fallback?: string };
      if (d.origin !== site.origin) problems.push(`popup posts to ${JSON.stringify(d.origin)}, not the public origin`);
      if (d.message?.type !== 'oauth-success') problems.push(`popup message ${JSON.stringify(d.message?.type)}`);
      if (d.fallback === undefined || clientJwtFromUrl(d.fallback).jwt !== d.message?.accessToken) problems.push('popup fallback does not carry the posted token');
      return { problems, meetingUrl: d.fallback, meeting };
    }
    const link = jsonBlock(answer.body, 'app-link') as string;
    if (delivery === 'android') {
      if (!link.startsWith('intent://') || !link.endsWith(ANDROID_INTENT)) return { problems: [...problems, `not Jitsi's intent link: ${link.slice(0, 80)}`], meeting };
      // The intent's one '#' is its own: the hash cannot travel, and the token rides in the query.
      return { problems, meetingUrl: `https://${link.slice('intent://'.length, -ANDROID_INTENT.length)}`, meeting: { ...meeting, overrides: [], externalApiId: undefined }, tokenIn: 'search' };
    }
    const prefix = `${APP_SCHEME[delivery]}://`;
    if (!link.startsWith(prefix)) return { problems: [...problems, `not the ${delivery} scheme: ${link.slice(0, 80)}`], meeting };
    return { problems, meetingUrl: `https://${link.slice(prefix.length)}`, meeting };
  } catch (err) {
    return { problems: [...problems, `no delivery block: ${String(err)}`], meeting };
  }
}

/** A refusal in Jitsi's popup: the error page also tells the opener, on the public origin only. */
export function popupRefusalProblems(answer: Answer, site: PublicUrl): string[] {
  try {
    const d = jsonBlock(answer.body, 'popup-message') as { message?: { type?: string; error?: unknown }; origin?: unknown };
    const problems = cspProblems(answer.body, answer.headers['content-security-policy'] ?? '');
    if (d.origin !== site.origin) problems.push(`oauth-error posted to ${JSON.stringify(d.origin)}`);
    if (d.message?.type !== 'oauth-error' || typeof d.message.error !== 'string') problems.push(`popup refusal message ${JSON.stringify(d.message)}`);
    return problems;
  } catch (err) {
    return [`a refused popup gets no oauth-error: ${String(err)}`];
  }
}
