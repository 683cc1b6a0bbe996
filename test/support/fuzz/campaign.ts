// One fuzz campaign: four fast-check properties (front, backend /getToken, /validateToken, raw
// sockets) against the real sidecars of sites.ts, every response checked by invariants.ts against
// the oracle of spec.ts. A failing property throws fast-check's report (seed, path, shrunk case).
import fc from 'fast-check';
import { createHmac, randomBytes } from 'node:crypto';
import {
  backendRequest,
  identityHeaders,
  meetingQuery,
  queryParams,
  queryString,
  type BackendRequest,
  type IdentityHeaders,
  type MeetingQuery,
  type Param,
} from './arbitraries';
import { send, sendRaw, utf8Bytes, type Answer } from './client';
import { escapePageProblems, locationProblems, meetingUrlProblems, pageDeliveryProblems, popupRefusalProblems, reflectionProblems, tokenProblems, tokensIn } from './invariants';
import { rawCase, type RawCase } from './raw-requests';
import { TEST_API_KEY, TEST_APP_SECRET, TEST_PROXY_SECRET, type Site } from './sites';
import { expectBackend, expectFront, parseQuery, popupOpener, type Delivery, type Expectation, type FrontInput, type MailClass, type Params } from './spec';

export const DEFAULT_SEED = 20260807;

export function fuzzSeed(): number {
  const raw = process.env.FUZZ_SEED;
  if (raw === undefined || raw === '') return DEFAULT_SEED;
  if (!/^-?[0-9]+$/.test(raw)) throw new Error(`FUZZ_SEED must be an integer, got "${raw}"`);
  return Number(raw);
}

export interface Budget {
  front: number;
  backend: number;
  validate: number;
  raw: number;
}

export interface FuzzStats {
  seed: number;
  requests: number;
  perSurface: Record<keyof Budget, number>;
  tokensIssued: number;
  /** Tokens in answers that the oracle says must be refused (must stay 0). */
  tokensWronglyIssued: number;
  status5xx: number;
  refusals: number;
  /** Tokens delivered, per way of delivery (302, popup page, app hand-over pages). */
  deliveries: Record<Delivery, number>;
  /** Refusals answered to Jitsi's popup (oauth-error). */
  popupRefusals: number;
  /** Problems found (each also fails its property). */
  violations: number;
  seconds: number;
}

const nowSeconds = (): number => Math.floor(Date.now() / 1000);

function newStats(seed: number): FuzzStats {
  return { seed, requests: 0, perSurface: { front: 0, backend: 0, validate: 0, raw: 0 }, tokensIssued: 0, tokensWronglyIssued: 0, status5xx: 0, refusals: 0, deliveries: { redirect: 0, popup: 0, ios: 0, android: 0, electron: 0 }, popupRefusals: 0, violations: 0, seconds: 0 };
}

function fail(stats: FuzzStats, problems: string[], context: unknown): void {
  if (problems.length === 0) return;
  stats.violations++;
  throw new Error(`${problems.join('\n')}\n  request: ${JSON.stringify(context).slice(0, 1500)}`);
}

// ---------------------------------------------------------------------------------------------
// front: /redirectWithToken, /generateToken, /redirectWithTokenEscape

type FrontRoute = 'redirectWithToken' | 'generateToken' | 'saml2jwt/redirectWithToken' | 'redirectWithTokenEscape' | 'saml2jwt/redirectWithTokenEscape';

interface FrontCase {
  site: number;
  route: FrontRoute;
  identity: IdentityHeaders;
  query: MeetingQuery;
}

const frontCase: fc.Arbitrary<FrontCase> = fc.record({
  site: fc.nat(1),
  route: fc.constantFrom<FrontRoute>('redirectWithToken', 'redirectWithToken', 'redirectWithToken', 'generateToken', 'saml2jwt/redirectWithToken', 'redirectWithTokenEscape', 'saml2jwt/redirectWithTokenEscape'),
  identity: identityHeaders,
  query: meetingQuery,
});

const ATTRIBUTE_HEADER = { mail: 'mail', displayName: 'displayname', eppn: 'eppn', 'subject-id': 'subject-id', affiliation: 'affiliation', entitlement: 'entitlement', idp: 'shib-identity-provider' } as const;

function secretHeader(variant: IdentityHeaders['secret']): { sent?: string | string[]; seen?: string } {
  const s = TEST_PROXY_SECRET;
  switch (variant) {
    case 'right':
      return { sent: s, seen: s };
    case 'absent':
      return {};
    case 'wrong': {
      const other = randomBytes(32).toString('hex');
      return { sent: other, seen: other };
    }
    case 'padded':
      return { sent: ` ${s}\t`, seen: s };
    case 'prefix':
      return { sent: s.slice(0, -1), seen: s.slice(0, -1) };
    case 'upper':
      return { sent: s.toUpperCase(), seen: s.toUpperCase() };
    case 'doubled':
      return { sent: [s, s], seen: `${s}, ${s}` };
    case 'empty':
      return { sent: '', seen: '' };
  }
}

/** Every string we put into the request, and the strings inside the state JSON. */
function sentValues(params: Param[], identity: IdentityHeaders): string[] {
  const out: string[] = [];
  const walk = (v: unknown): void => {
    if (typeof v === 'string') out.push(v);
    else if (Array.isArray(v)) v.forEach(walk);
    else if (typeof v === 'object' && v !== null) for (const [k, x] of Object.entries(v)) (out.push(k), walk(x));
  };
  for (const p of params) {
    out.push(p.name, p.value);
    if (p.name === 'state') {
      try {
        walk(JSON.parse(p.value));
      } catch {
        /* not JSON: the text itself is checked */
      }
    }
  }
  for (const [k, v] of Object.entries(identity)) if (k !== 'secret' && typeof v === 'string') out.push(v);
  return out;
}

async function frontOnce(sites: Site[], stats: FuzzStats, c: FrontCase): Promise<void> {
  const site = sites[c.site] as Site;
  const now = nowSeconds();
  const params = queryParams(c.query, now);
  const query = queryString(params);
  const headers: Record<string, string | string[]> = {};
  const secret = secretHeader(c.identity.secret);
  if (secret.sent !== undefined) headers['x-saml2jwt-proxy-secret'] = secret.sent;
  const attributes: FrontInput['attributes'] = {};
  for (const [name, header] of Object.entries(ATTRIBUTE_HEADER) as [keyof typeof ATTRIBUTE_HEADER, string][]) {
    const value = c.identity[name];
    if (value === undefined) continue;
    headers[header] = utf8Bytes(value);
    attributes[name] = value;
  }
  const escape = c.route.endsWith('Escape');
  const input: FrontInput = { route: escape ? 'escape' : 'token', proxySecret: TEST_PROXY_SECRET, attributes, query, now, authErrorPage: site.authErrorPage };
  if (secret.seen !== undefined) input.proxySecretSeen = secret.seen;
  // Past Node's 16 kB header limit the request is refused before the sidecar sees it (431).
  const e: Expectation = query.length > 14_000 ? { outcome: 'refuse', why: 'request line over the header size limit' } : expectFront(input);

  const answer = await send(site.frontPort, 'GET', `/${c.route}?${query}`, headers, site.agent);
  stats.requests++;
  stats.perSurface.front++;
  const problems = [...commonProblems(stats, answer, e), ...locationProblems(answer.headers.location, site), ...reflectionProblems(answer, sentValues(params, c.identity))];
  const tokens = tokensIn(answer.whole);
  if (e.outcome === 'issue' && e.meeting && e.user) {
    // Where the token goes: the 302's Location, or the URL the popup's / app's page opens.
    let location = answer.headers.location;
    let meeting = e.meeting;
    let tokenIn: 'hash' | 'search' = 'hash';
    if (e.delivery !== undefined && e.delivery !== 'redirect') {
      const page = pageDeliveryProblems(answer, site, e.delivery, e.meeting);
      problems.push(...page.problems);
      location = page.meetingUrl;
      meeting = page.meeting;
      tokenIn = page.tokenIn ?? 'hash';
      problems.push(...locationProblems(location, site));
    }
    if (e.delivery !== undefined && tokens.length > 0) stats.deliveries[e.delivery]++;
    const distinct = new Set(tokens);
    if (distinct.size !== 1 || location === undefined) problems.push(`expected one token delivered by ${e.delivery}, found ${distinct.size} (${e.why})`);
    else {
      const url = meetingUrlProblems(location, site, meeting, tokenIn);
      problems.push(...url.problems);
      if (url.token !== tokens[0]) problems.push(`the client does not read the delivered token from the ${tokenIn}`);
      problems.push(...tokenProblems(tokens[0] as string, TEST_APP_SECRET, e.meeting, e.user, now));
    }
  }
  if (!escape && e.outcome === 'refuse' && e.status !== undefined && e.status !== 302 && popupOpener(query)) {
    stats.popupRefusals++;
    problems.push(...popupRefusalProblems(answer, site));
  }
  if (escape && answer.status === 200 && e.meeting) problems.push(...escapePageProblems(answer, e.meeting));
  if (e.outcome === 'refuse' && e.status === 302) {
    const location = answer.headers.location ?? '';
    if (!location.startsWith(`${site.origin}${site.prefix}/static/error.html?`)) problems.push(`refusal did not go to AUTH_ERROR_PAGE: ${location}`);
  }
  fail(stats, problems, { site: site.name, route: c.route, query: query.slice(0, 600), identity: c.identity, expected: e });
}

/** 5xx, status, and "no token when refused", for every surface. */
function commonProblems(stats: FuzzStats, answer: Answer, e: Expectation): string[] {
  const problems: string[] = [];
  const tokens = tokensIn(answer.whole);
  if (answer.status >= 500) {
    stats.status5xx++;
    problems.push(`answered ${answer.status}`);
  }
  if (e.outcome === 'refuse') {
    stats.refusals++;
    if (tokens.length > 0 || /[?&#]jwt=/.test(answer.headers.location ?? '')) {
      stats.tokensWronglyIssued++;
      problems.push(`token issued although it must be refused (${e.why})`);
    }
  } else if (tokens.length > 0) stats.tokensIssued++;
  if (e.outcome !== 'either' && e.status !== undefined && answer.status !== e.status) problems.push(`status ${answer.status}, expected ${e.status} (${e.why})`);
  return problems;
}

// ---------------------------------------------------------------------------------------------
// backend: /getToken

function backendParams(r: BackendRequest, now: number): Param[] {
  const p: Param[] = [];
  if (r.mail) p.push({ name: 'mail', value: r.mail.value });
  for (const name of ['name', 'displayName', 'room', 'tenant', 'affiliation', 'moderator'] as const) {
    const v = r[name];
    if (v !== undefined) p.push({ name, value: v });
  }
  if (r.validity) p.push({ name: 'validity_timestamp', value: 'text' in r.validity ? r.validity.text : String(now + r.validity.offset) });
  p.push(...r.extras);
  if (r.auth === 'query') p.push({ name: 'api_key', value: TEST_API_KEY });
  return p;
}

function authorization(auth: BackendRequest['auth']): { sent?: string; seen?: string } {
  const k = TEST_API_KEY;
  const both = (v: string): { sent: string; seen: string } => ({ sent: v, seen: v });
  switch (auth) {
    case 'right':
      return both(`Bearer ${k}`);
    case 'lowercase':
      return both(`bearer ${k}`);
    case 'spaced':
      return { sent: `Bearer   ${k}  `, seen: `Bearer   ${k}` };
    case 'wrong':
      return both(`Bearer ${randomBytes(32).toString('hex')}`);
    case 'basic':
      return both(`Basic ${k}`);
    case 'proxy-secret':
      return both(`Bearer ${TEST_PROXY_SECRET}`);
    case 'absent':
    case 'query':
      return {};
  }
}

async function backendOnce(sites: Site[], stats: FuzzStats, r: BackendRequest): Promise<void> {
  const site = sites[0] as Site;
  const now = nowSeconds();
  const params = backendParams(r, now);
  const headers: Record<string, string> = {};
  const auth = authorization(r.auth);
  if (auth.sent !== undefined) headers.authorization = auth.sent;
  if (r.accept) headers.accept = 'application/json';
  let path = '/getToken';
  let body: string | undefined;
  let modelParams: Params | undefined;
  if (r.method === 'GET' || r.method === 'FORM') {
    const q = queryString(params);
    modelParams = parseQuery(q);
    if (r.method === 'GET') path += `?${q}`;
    else {
      body = q;
      headers['content-type'] = 'application/x-www-form-urlencoded';
    }
  } else {
    // JSON text by hand: duplicate names and "__proto__" stay what they are on the wire.
    const entries: [string, unknown][] = params.map((x) => [x.name, x.value]);
    if (r.odd) entries.push([r.odd.name, r.odd.value]);
    body = `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v)}`).join(',')}}`;
    headers['content-type'] = 'application/json';
    const last = new Map<string, unknown>();
    for (const [k, v] of entries) last.set(k, v);
    modelParams = new Map();
    for (const [k, v] of last) {
      if (v === null) continue;
      if (typeof v === 'object') {
        modelParams = undefined;
        break;
      }
      modelParams.set(k, [String(v)]);
    }
  }
  // Extras or an odd JSON value may replace the generated mail: classify what is actually sent.
  const sentMail = modelParams?.get('mail');
  const mailClass: MailClass =
    sentMail?.length === 1 && r.mail !== undefined && sentMail[0] === r.mail.value ? r.mail.cls : sentMail?.length === 1 && /^[A-Za-z0-9_-]+@uni\.example$/.test(sentMail[0] as string) ? 'valid' : 'unknown';
  const input = { apiKey: TEST_API_KEY, params: modelParams, mailClass, now } as Parameters<typeof expectBackend>[0];
  if (auth.seen !== undefined) input.authorizationSeen = auth.seen;
  const e = expectBackend(input);

  const answer = await send(site.backendPort, r.method === 'GET' ? 'GET' : 'POST', path, headers, site.agent, body);
  stats.requests++;
  stats.perSurface.backend++;
  const problems = commonProblems(stats, answer, e);
  const tokens = tokensIn(answer.whole);
  if (e.outcome === 'issue' && answer.status !== 200) problems.push(`expected a token, got ${answer.status} (${answer.body.slice(0, 200)})`);
  if (answer.status === 200 && e.outcome !== 'refuse' && e.meeting && e.user) {
    let token = answer.body;
    if (r.accept) {
      const json = JSON.parse(answer.body) as { token: string; exp: number | null };
      token = json.token;
      const claims = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString()) as { exp?: number };
      if (json.exp !== (claims.exp ?? null)) problems.push('JSON exp differs from the claim');
    }
    if (tokens.length !== 1 || tokens[0] !== token) problems.push('the answer holds other than the one token');
    problems.push(...tokenProblems(token, TEST_APP_SECRET, e.meeting, e.user, now));
  }
  fail(stats, problems, { request: r, path: path.slice(0, 400), body: body?.slice(0, 400), expected: e });
}

// ---------------------------------------------------------------------------------------------
// backend: /validateToken

const b64 = (v: unknown): string => Buffer.from(JSON.stringify(v)).toString('base64url');
const hmac = (alg: 'sha256' | 'sha384' | 'sha512', secret: string | Buffer, input: string): string => createHmac(alg, secret).update(input).digest('base64url');

type Forgery = 'none' | 'none-signed' | 'HS384' | 'HS512' | 'RS256-as-HMAC' | 'other-secret' | 'no-typ' | 'typ-jwt-lower' | 'wildcard-room' | 'no-exp' | 'expired' | 'array-aud' | 'wrong-iss';

function forge(genuine: string, kind: Forgery): string {
  const [, p] = genuine.split('.') as [string, string];
  const claims = JSON.parse(Buffer.from(p, 'base64url').toString()) as Record<string, unknown>;
  const signed = (header: Record<string, unknown>, body: Record<string, unknown>, alg: 'sha256' | 'sha384' | 'sha512' = 'sha256', secret: string | Buffer = TEST_APP_SECRET): string => {
    const input = `${b64(header)}.${b64(body)}`;
    return `${input}.${hmac(alg, secret, input)}`;
  };
  const hs = { alg: 'HS256', typ: 'JWT' };
  switch (kind) {
    case 'none':
      return `${b64({ alg: 'none', typ: 'JWT' })}.${p}.`;
    case 'none-signed':
      return signed({ alg: 'none', typ: 'JWT' }, claims);
    case 'HS384':
      return signed({ alg: 'HS384', typ: 'JWT' }, claims, 'sha384');
    case 'HS512':
      return signed({ alg: 'HS512', typ: 'JWT' }, claims, 'sha512');
    case 'RS256-as-HMAC':
      return signed({ alg: 'RS256', typ: 'JWT' }, claims);
    case 'other-secret':
      return signed(hs, claims, 'sha256', randomBytes(32).toString('hex'));
    case 'no-typ':
      return signed({ alg: 'HS256' }, claims);
    case 'typ-jwt-lower':
      return signed({ alg: 'HS256', typ: 'jwt' }, claims);
    case 'wildcard-room':
      return signed(hs, { ...claims, room: '*' });
    case 'no-exp': {
      const { exp: _exp, ...rest } = claims;
      return signed(hs, rest);
    }
    case 'expired':
      return signed(hs, { ...claims, exp: nowSeconds() - 5 });
    case 'array-aud':
      return signed(hs, { ...claims, aud: [claims.aud, 'x'] });
    case 'wrong-iss':
      return signed(hs, { ...claims, iss: 'someone-else' });
  }
}

type Candidate = { kind: 'genuine'; i: number } | { kind: 'mutated'; i: number; at: number; ch: string } | { kind: 'forged'; i: number; how: Forgery } | { kind: 'text'; text: string } | { kind: 'padded'; i: number };

const candidate: fc.Arbitrary<Candidate> = fc.oneof(
  fc.record({ kind: fc.constant('genuine' as const), i: fc.nat(3) }),
  fc.record({ kind: fc.constant('mutated' as const), i: fc.nat(3), at: fc.nat(), ch: fc.constantFrom('A', 'b', '-', '_', '.', '0', '=') }),
  fc.record({ kind: fc.constant('forged' as const), i: fc.nat(3), how: fc.constantFrom<Forgery>('none', 'none-signed', 'HS384', 'HS512', 'RS256-as-HMAC', 'other-secret', 'no-typ', 'typ-jwt-lower', 'wildcard-room', 'no-exp', 'expired', 'array-aud', 'wrong-iss') }),
  fc.record({ kind: fc.constant('text' as const), text: fc.oneof(fc.string({ unit: 'binary', maxLength: 60 }), fc.constantFrom('a.b.c', '..', 'eyJ.eyJ.', 'null', '{}')) }),
  fc.record({ kind: fc.constant('padded' as const), i: fc.nat(3) }),
);

async function validateOnce(sites: Site[], stats: FuzzStats, genuine: string[], c: Candidate): Promise<void> {
  const site = sites[0] as Site;
  let token: string;
  switch (c.kind) {
    case 'genuine':
      token = genuine[c.i] as string;
      break;
    case 'mutated': {
      const g = genuine[c.i] as string;
      const at = c.at % g.length;
      token = g.slice(0, at) + c.ch + g.slice(at + 1);
      break;
    }
    case 'forged':
      token = forge(genuine[c.i] as string, c.how);
      break;
    case 'padded':
      token = ` ${genuine[c.i] as string}`;
      break;
    case 'text':
      token = c.text;
  }
  const shouldBeValid = genuine.includes(token);
  const answer = await send(site.backendPort, 'GET', `/validateToken?jwt=${encodeURIComponent(token)}`, { authorization: `Bearer ${TEST_API_KEY}` }, site.agent);
  stats.requests++;
  stats.perSurface.validate++;
  const problems: string[] = [];
  if (answer.status >= 500) (stats.status5xx++, problems.push(`answered ${answer.status}`));
  // Empty, or with a control character: a bad request, like any parameter (query.ts).
  if (token === '' || /[\u0000-\u001f\u007f]/.test(token)) {
    if (answer.status !== 400) problems.push(`jwt ${JSON.stringify(token)} answered ${answer.status}`);
  } else {
    const body = answer.status === 200 ? (JSON.parse(answer.body) as { valid: boolean }) : undefined;
    if (!body) problems.push(`answered ${answer.status}`);
    else if (body.valid !== shouldBeValid) {
      if (body.valid) stats.tokensWronglyIssued++;
      problems.push(`valid=${body.valid} for a ${c.kind === 'forged' ? `forged (${c.how})` : c.kind} token`);
    }
  }
  fail(stats, problems, { candidate: c, token });
}

// ---------------------------------------------------------------------------------------------
// raw sockets

async function rawOnce(stats: FuzzStats, site: Site, c: RawCase): Promise<void> {
  const answer = await sendRaw(site.frontPort, c.bytes);
  stats.requests++;
  stats.perSurface.raw++;
  const problems: string[] = [];
  const tokens = tokensIn(answer.text);
  if (answer.statuses.some((s) => s >= 500)) (stats.status5xx++, problems.push(`answered ${answer.statuses.join(', ')}`));
  if (answer.statuses.length === 0 && !(c.mayReset && answer.reset)) problems.push(`no answer (reset: ${answer.reset})`);
  for (const m of answer.text.matchAll(/\r\nlocation: ([^\r\n]*)/gi)) problems.push(...locationProblems(m[1], site));
  if (c.expect === 'refuse' && tokens.length > 0) (stats.tokensWronglyIssued++, problems.push('token issued although it must be refused'));
  if (c.expect === 'one-of-two') {
    if (JSON.stringify(answer.statuses) !== '[302,401]') problems.push(`pipelined answers ${JSON.stringify(answer.statuses)}`);
    if (tokens.length !== 1) problems.push(`pipelined: ${tokens.length} tokens`);
  }
  if (c.expect === 'refuse') stats.refusals++;
  for (const token of tokens) {
    stats.tokensIssued++;
    const p = tokenProblems(token, TEST_APP_SECRET, { room: c.room, overrides: [] }, { id: '', name: '', email: '' }, nowSeconds()).filter((x) => !x.startsWith('user ') && !x.startsWith('exp '));
    problems.push(...p);
  }
  fail(stats, problems, { kind: c.kind, site: site.name, sent: c.bytes.toString('latin1').slice(0, 300), answer: answer.text.slice(0, 300) });
}

// ---------------------------------------------------------------------------------------------

export async function runCampaign(sites: Site[], budget: Budget, seed = fuzzSeed()): Promise<FuzzStats> {
  const stats = newStats(seed);
  const started = Date.now();
  const params = (numRuns: number, offset: number): fc.Parameters<unknown> => ({ numRuns, seed: seed + offset, endOnFailure: false, verbose: 0 });

  await fc.assert(fc.asyncProperty(frontCase, (c) => frontOnce(sites, stats, c)), params(budget.front, 0) as fc.Parameters<[FrontCase]>);
  await fc.assert(fc.asyncProperty(backendRequest, (r) => backendOnce(sites, stats, r)), params(budget.backend, 1) as fc.Parameters<[BackendRequest]>);

  const genuine: string[] = [];
  for (let i = 0; i < 4; i++) {
    const g = await send((sites[0] as Site).backendPort, 'GET', `/getToken?mail=v${i}@uni.example&room=room${i}${i % 2 ? `&tenant=t${i}` : ''}`, { authorization: `Bearer ${TEST_API_KEY}` }, false);
    stats.requests++;
    if (g.status !== 200) throw new Error(`could not mint a genuine token: ${g.status}`);
    genuine.push(g.body);
  }
  await fc.assert(fc.asyncProperty(candidate, (c) => validateOnce(sites, stats, genuine, c)), params(budget.validate, 2) as fc.Parameters<[Candidate]>);

  const raw = fc.nat(1).chain((i) => rawCase({ port: (sites[i] as Site).frontPort, secret: TEST_PROXY_SECRET }).map((c) => ({ i, c })));
  await fc.assert(fc.asyncProperty(raw, ({ i, c }) => rawOnce(stats, sites[i] as Site, c)), params(budget.raw, 3) as fc.Parameters<[{ i: number; c: RawCase }]>);

  stats.seconds = (Date.now() - started) / 1000;
  return stats;
}
