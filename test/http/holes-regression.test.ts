// One regression test per known hole of similar projects (REFERENCE.md "Its flaws", JITSI.md):
// each asserts that the hole stays closed, against a real sidecar on 127.0.0.1.
import { expect } from 'chai';
import { createHash, createHmac, randomBytes } from 'node:crypto';
import { ConfigError } from '../../sidecar/src/config/load';
import { prosodyAccepts, type ProsodyOptions } from '../support/prosody-verifier';
import { clientJwtFromUrl, clientTokenOf, clientUrlParams, safeDecodeURIComponent } from '../support/jitsi-client';
import { testConfig } from '../support/config-fixture';
import { FakeJicofo } from '../support/fake-jicofo';
import { bearer, containsToken, get, jitsiState, spHeaders, startTestSidecar, TEST_API_KEY, TEST_APP_SECRET, TEST_PROXY_SECRET, wholeResponse, type TestSidecar } from '../support/test-sidecar';

const enc = encodeURIComponent;
const now = (): number => Math.floor(Date.now() / 1000);
const b64 = (v: unknown): string => Buffer.from(JSON.stringify(v)).toString('base64url');

function prosody(token: string, room: string, tenant: string | undefined, domainVerification = true) {
  const opts: ProsodyOptions = { secret: TEST_APP_SECRET, acceptedIssuers: ['saml2jwt-test'], acceptedAudiences: ['saml2jwt-test'], room, xmppDomain: 'meet.jitsi', domainVerification };
  if (tenant !== undefined) opts.tenant = tenant;
  return prosodyAccepts(token, opts);
}

const tokenOf = clientTokenOf;

/** The meeting URL's hash after the token's pair, which always comes first: what the overrides add. */
function hashAfterToken(location: string | null): string {
  const hash = new URL(location ?? '').hash;
  const pair = /^#jwt=%22[A-Za-z0-9_.-]+%22(&|$)/.exec(hash);
  if (!pair) throw new Error(`the hash does not start with the token: ${location}`);
  return hash.slice(pair[0].length);
}

function claimsOf(token: string): Record<string, unknown> & { room: string; sub: string; exp?: number; context: { user: Record<string, unknown> } } {
  return JSON.parse(Buffer.from(token.split('.')[1] as string, 'base64url').toString()) as ReturnType<typeof claimsOf>;
}

/** A refusal: 4xx, no Location, nothing token-shaped anywhere in the answer. */
async function expectRefused(res: Response, status?: number): Promise<void> {
  const whole = await wholeResponse(res);
  if (status !== undefined) expect(res.status, whole.slice(0, 300)).to.equal(status);
  else expect(res.status, whole.slice(0, 300)).to.be.within(400, 499);
  expect(res.headers.get('location')).to.equal(null);
  expect(containsToken(whole), 'token-shaped text in a refusal').to.equal(false);
}

describe('holes: known flaws of similar projects stay closed', () => {
  let t: TestSidecar;
  before(async () => {
    t = await startTestSidecar({ PUBLIC_URL: 'https://meet.example.org' });
  });
  after(() => t.stop());
  const front = (query: string, headers: Record<string, string> = spHeaders()): Promise<Response> => get(`${t.front}/redirectWithToken?${query}`, headers);

  it('never issues a wildcard room or sub, and no room means no token (the reference issued room "*")', async () => {
    const queries = ['room=*', 'room=%2A', 'room=a*', 'room=a&tenant=*', 'room=a&tenant=%2a', '', 'tenant=acme', `state=${jitsiState({ room: '*' })}`, `room=a&state=${jitsiState({ room: 'a', tenant: '*' })}`, `state=${jitsiState({ tenant: 'acme' })}`];
    for (const q of queries) await expectRefused(await front(q), 400);
    for (const q of ['mail=a@uni.example&room=*', 'mail=a@uni.example&room=a&tenant=*', 'mail=a@uni.example']) {
      await expectRefused(await get(`${t.backend}/getToken?${q}`, bearer()), 400);
    }
    // control: a plain room works, and its claims carry no wildcard
    const claims = claimsOf(tokenOf((await front('room=a&tenant=acme')).headers.get('location')));
    expect([claims.room, claims.sub]).to.deep.equal(['a', 'acme']);
  });

  it('every token expires (the reference defaulted to tokens without exp)', async () => {
    const claims = claimsOf(tokenOf((await front('room=a')).headers.get('location')));
    expect(claims.exp).to.be.a('number');
    expect((claims.exp as number) - now()).to.be.within(3590, 3600);
    // validity_timestamp=0 meant "unlimited" in the reference; here it is a time in the past.
    await expectRefused(await front('room=a&validity_timestamp=0'), 400);
    expect(() => testConfig({ DEFAULT_VALIDITY: '0' })).to.throw(ConfigError, /DEFAULT_VALIDITY/);
    const { exp: _exp, ...unlimited } = claims;
    const input = `${b64({ alg: 'HS256', typ: 'JWT' })}.${b64(unlimited)}`;
    const forged = `${input}.${createHmac('sha256', TEST_APP_SECRET).update(input).digest('base64url')}`;
    const res = await get(`${t.backend}/validateToken?jwt=${forged}`, bearer());
    expect(await res.json()).to.deep.equal({ valid: false, reason: 'no_expiry' });
  });

  it('takes no role from the query string or state, in default and advanced mode', async () => {
    const advanced = await startTestSidecar({ JWT_TOKEN_MODE: 'advanced' });
    try {
      const bait = `affiliation=owner&moderator=true&context.user.affiliation=owner&user.moderator=1&state=${jitsiState({ room: 'r', affiliation: 'owner', moderator: true, 'config.moderator': true })}`;
      for (const base of [t.front, advanced.front]) {
        const res = await get(`${base}/redirectWithToken?${bait}`, spHeaders());
        expect(res.status).to.equal(302);
        const user = claimsOf(tokenOf(res.headers.get('location'))).context.user;
        expect(user).to.not.have.any.keys('affiliation', 'moderator');
        expect(user).to.deep.equal({ id: 'alice@uni.example', name: 'alice', email: 'alice@uni.example' });
      }
      const escape = await (await get(`${t.front}/redirectWithTokenEscape?room=r&affiliation=owner&moderator=true`)).text();
      expect(escape).to.not.match(/affiliation|moderator/);
    } finally {
      await advanced.stop();
    }
  });

  it('ignores identity headers that come without the proxy secret', async () => {
    const s = TEST_PROXY_SECRET;
    const forged: Record<string, string>[] = [
      { mail: 'boss@uni.example' },
      { mail: 'boss@uni.example', cookie: `x-saml2jwt-proxy-secret=${s}` },
      { mail: 'boss@uni.example', authorization: `Bearer ${s}` },
      { mail: 'boss@uni.example', 'x-saml2jwt-proxy-secret': randomBytes(32).toString('hex') },
      { mail: 'boss@uni.example', 'x-saml2jwt-proxy-secret': `${s}x` },
      { mail: 'boss@uni.example', 'x-saml2jwt-proxy-secret': s.slice(1) },
      { mail: 'boss@uni.example', 'x-saml2jwt-proxy-secret': `${s}, ${s}` },
      { mail: 'boss@uni.example', 'x-saml2jwt-proxy-secret': '' },
      { mail: 'boss@uni.example', 'x-saml2jwt-proxy-secret': TEST_API_KEY },
    ];
    for (const headers of forged) await expectRefused(await front('room=a', headers), 401);
    await expectRefused(await front(`room=a&x-saml2jwt-proxy-secret=${s}`, { mail: 'boss@uni.example' }), 401);
    expect((await front('room=a', { mail: 'boss@uni.example', 'x-saml2jwt-proxy-secret': s })).status).to.equal(302); // control
  });

  it('is no open redirect through tenant, room or state (every Location stays under PUBLIC_URL)', async () => {
    const withErrorPage = await startTestSidecar({ PUBLIC_URL: 'https://meet.example.org:8443/', AUTH_ERROR_PAGE: 'static/error.html' });
    try {
      const payloads = ['//evil.example', '/\\evil.example', '\\\\evil.example', 'https://evil.example', 'https:evil.example', '%2F%2Fevil.example', '%2f%2fevil.example', '%252F%252Fevil.example',
        '..', '.', '%2e%2e', '..%2f', '\uff0e\uff0e', '\u3002\u3002', '\u2025', '\ufe52\ufe52', 'evil\u3002example', '@evil.example', 'javascript:alert(1)', ' //evil.example', '\t//evil.example'];
      let redirects = 0;
      for (const { base, origin, prefix } of [
        { base: t.front, origin: 'https://meet.example.org', prefix: '/' },
        { base: withErrorPage.front, origin: 'https://meet.example.org:8443', prefix: '/' },
      ]) {
        for (const p of payloads) {
          for (const q of [`room=${enc(p)}`, `room=a&tenant=${enc(p)}`, `state=${jitsiState({ room: p })}`, `state=${jitsiState({ room: 'a', tenant: p })}`]) {
            const res = await get(`${base}/redirectWithToken?${q}`, spHeaders());
            const location = res.headers.get('location');
            if (location === null) {
              expect(res.status, q).to.be.within(400, 499);
              continue;
            }
            redirects++;
            const url = new URL(location); // parsed as a browser would
            expect(url.origin, `${q} -> ${location}`).to.equal(origin);
            expect(url.pathname.startsWith(prefix), `${q} -> ${location}`).to.equal(true);
            if (clientJwtFromUrl(location).jwt !== undefined) {
              const segments = url.pathname.slice(prefix.length).split('/').map(decodeURIComponent);
              // The payload stayed one literal path segment (a room decoded once, as the client does).
              expect(segments.includes(p) || segments.includes(safeDecodeURIComponent(p)), `${q} -> ${location}`).to.equal(true);
            }
          }
        }
      }
      expect(redirects, 'some payloads are legal room names and must still redirect safely').to.be.above(10);
      for (const page of ['https://evil.example/error.html', '//evil.example/error.html', '/\\evil.example']) {
        expect(() => testConfig({ AUTH_ERROR_PAGE: page }), page).to.throw(ConfigError, /AUTH_ERROR_PAGE/);
      }
    } finally {
      await withErrorPage.stop();
    }
  });

  it('escape page: nothing from the request becomes markup or script (the reference pasted Host and query into JavaScript)', async () => {
    const payloads = ['</script><script>alert(1)</script>', '"><img src=x onerror=alert(1)>', "'-alert(1)-'", '<!--<script>', '\u2028alert(1)\u2029', '${alert(1)}', '</title><svg/onload=alert(1)>'];
    for (const p of payloads) {
      for (const q of [`room=${enc(p)}`, `room=a&tenant=${enc(p)}`, `state=${jitsiState({ room: p, tenant: 'acme', 'config.subject': p })}`, `room=a&jitsi_meet_external_api_id=${enc(p)}`]) {
        const res = await get(`${t.front}/redirectWithTokenEscape?${q}`, { host: 'evil.example', 'x-forwarded-host': 'evil.example' });
        const body = await res.text();
        expect(body, q).to.not.include(p);
        expect(body, q).to.not.include('evil.example');
        if (res.status !== 200) continue;
        const csp = res.headers.get('content-security-policy') as string;
        const scripts = [...body.matchAll(/<script>([\s\S]*?)<\/script>/g)].map((m) => m[1] as string);
        expect(scripts, q).to.have.length(1);
        expect(csp).to.include(`'sha256-${createHash('sha256').update(scripts[0] as string).digest('base64')}'`);
        expect(csp).to.not.match(/script-src[^;]*unsafe-inline/);
        expect(body.match(/<script/g), q).to.have.length(2);
      }
    }
  });

  it('no silent join from a link: a bare room link keeps the pre-join screen, a forged state turns nothing on', async () => {
    // A cross-site <a href=".../redirectWithToken?room=x"> used to land a signed-in user in the
    // meeting past the pre-join screen. Now only Jitsi's own state (prejoinConfig.enabled: false)
    // skips it, and only overrides that make the join quieter come back.
    expect(hashAfterToken((await front('room=x')).headers.get('location'))).to.equal('');
    const forged = jitsiState({
      room: 'x',
      'config.startWithAudioMuted': false,
      'config.startWithVideoMuted': false,
      'config.prejoinConfig.enabled': 'false',
      'config.disableDeepLinking': true,
      'config.p2p.enabled': true,
      'interfaceConfig.SHOW_JITSI_WATERMARK': false,
    });
    const res = await front(`state=${forged}`);
    expect(res.status).to.equal(302);
    expect(hashAfterToken(res.headers.get('location'))).to.equal('');
    const jitsis = jitsiState({ room: 'x', 'config.prejoinConfig.enabled': false, 'config.startWithVideoMuted': true, 'config.startSilent': true, 'config.hideConferenceSubject': true });
    expect(hashAfterToken((await front(`state=${jitsis}`)).headers.get('location'))).to.equal('config.prejoinConfig.enabled=false&config.startWithVideoMuted=true&config.startSilent=true&config.hideConferenceSubject=true');
  });

  it('allows no config injection through the hash (state keys and values, external api id)', async () => {
    const state = jitsiState({
      room: 'r',
      'config.prejoinConfig.enabled': true,
      'config.subject': 'x&config.startWithAudioMuted=true#jwt=evil',
      'config.a&config.b=1': true,
      'config.c#d': 1,
      'config.e=f': 1,
      jwt: 'evil',
      jitsi_meet_external_api_id: 5,
      interfaceConfig: 'x',
      __proto__x: 1,
      'config.startWithVideoMuted': true,
    });
    const res = await front(`state=${state}&jitsi_meet_external_api_id=42`);
    expect(res.status).to.equal(302);
    const location = res.headers.get('location') as string;
    const fragment = location.slice(location.indexOf('#') + 1);
    expect(fragment).to.not.include('#');
    const pairs = fragment.split('&').map((p) => p.split('=').map(decodeURIComponent) as [string, string]);
    // prejoinConfig.enabled: true in state is not a request to skip it; the subject text is not harmless.
    expect(pairs.map(([k]) => k)).to.deep.equal(['jwt', 'jitsi_meet_external_api_id', 'config.startWithVideoMuted']);
    expect(pairs.map(([, v]) => JSON.parse(v))).to.deep.equal([tokenOf(location), 42, true]);
    expect(clientUrlParams(new URL(location), 'hash', false)).to.deep.equal({ jwt: tokenOf(location), jitsi_meet_external_api_id: 42, 'config.startWithVideoMuted': true });
    expect(new URL(location).search).to.equal(''); // nothing a server would see
    for (const id of ['1&config.foo=bar', '1%26config.foo%3Dbar', '1#config.foo=bar', '1=2']) {
      await expectRefused(await front(`room=r&jitsi_meet_external_api_id=${enc(id)}`), 400);
    }
  });

  it('mints nothing on the backend without the API key (the reference had no authentication)', async () => {
    const q = 'mail=boss@uni.example&room=r';
    const attempts: [string, Record<string, string>][] = [
      [q, {}],
      [`${q}&api_key=${TEST_API_KEY}`, {}],
      [`${q}&key=${TEST_API_KEY}`, {}],
      [`${q}&apiKey=${TEST_API_KEY}`, {}],
      [q, { authorization: `Basic ${Buffer.from(`x:${TEST_API_KEY}`).toString('base64')}` }],
      [q, { authorization: 'Bearer' }],
      [q, { authorization: `Bearer ${TEST_PROXY_SECRET}` }],
      [q, { authorization: `Bearer ${TEST_API_KEY.slice(0, -1)}` }],
      [q, { 'x-api-key': TEST_API_KEY }],
      [q, { 'x-saml2jwt-proxy-secret': TEST_PROXY_SECRET, mail: 'boss@uni.example' }],
    ];
    for (const [query, headers] of attempts) await expectRefused(await get(`${t.backend}/getToken?${query}`, headers), 401);
    await expectRefused(await get(`${t.front}/getToken?${q}`, { ...bearer(), ...spHeaders() }), 404);
    expect((await get(`${t.backend}/getToken?${q}`, bearer())).status).to.equal(200); // control
  });

  it('/validateToken accepts only HS256 tokens signed with our secret (alg none, HS384/512, RS256 confusion, other secrets)', async () => {
    const genuine = await (await get(`${t.backend}/getToken?mail=bob@uni.example&room=r`, bearer())).text();
    const [, payload] = genuine.split('.') as [string, string];
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString()) as Record<string, unknown>;
    const sign = (header: Record<string, unknown>, alg: string, secret: string): string => {
      const input = `${b64(header)}.${payload}`;
      return `${input}.${createHmac(alg, secret).update(input).digest('base64url')}`;
    };
    const other = randomBytes(32).toString('hex');
    const forged: Record<string, string> = {
      'alg none, no signature': `${b64({ alg: 'none', typ: 'JWT' })}.${payload}.`,
      'alg none, with a signature': sign({ alg: 'none', typ: 'JWT' }, 'sha256', TEST_APP_SECRET),
      'alg NONE': `${b64({ alg: 'NONE', typ: 'JWT' })}.${payload}.`,
      'HS384 with our secret': sign({ alg: 'HS384', typ: 'JWT' }, 'sha384', TEST_APP_SECRET),
      'HS512 with our secret': sign({ alg: 'HS512', typ: 'JWT' }, 'sha512', TEST_APP_SECRET),
      'RS256 header, HMAC signature (key confusion)': sign({ alg: 'RS256', typ: 'JWT' }, 'sha256', TEST_APP_SECRET),
      'HS256 with another secret': sign({ alg: 'HS256', typ: 'JWT' }, 'sha256', other),
      'HS256 with the proxy secret': sign({ alg: 'HS256', typ: 'JWT' }, 'sha256', TEST_PROXY_SECRET),
      'HS256 with an empty secret': sign({ alg: 'HS256', typ: 'JWT' }, 'sha256', ''),
      'jku header pointing elsewhere': sign({ alg: 'HS256', typ: 'JWT', jku: 'https://evil.example/keys' }, 'sha256', other),
    };
    for (const [what, token] of Object.entries(forged)) {
      const res = await get(`${t.backend}/validateToken?jwt=${enc(token)}`, bearer());
      const body = (await res.json()) as { valid: boolean };
      expect(body.valid, what).to.equal(false);
      expect(prosody(token, 'r', undefined).ok, `the Prosody model agrees: ${what}`).to.equal(false);
    }
    expect(await (await get(`${t.backend}/validateToken?jwt=${genuine}`, bearer())).json()).to.deep.equal({ valid: true }); // control
    expect(claims.room).to.equal('r');
  });

  it('a tenant-A token does not open a tenant-B room or the root room (Prosody domain verification on)', async () => {
    const token = tokenOf((await front('room=board&tenant=acme')).headers.get('location'));
    expect(prosody(token, 'board', 'acme').ok).to.equal(true);
    expect(prosody(token, 'board', 'beta').ok).to.equal(false);
    expect(prosody(token, 'board', undefined).ok).to.equal(false);
    expect(prosody(token, 'boardx', 'acme').ok).to.equal(false);
    const root = tokenOf((await front('room=board')).headers.get('location'));
    expect(prosody(root, 'board', undefined).ok).to.equal(true);
    expect(prosody(root, 'board', 'acme').ok).to.equal(false);
    // Why the setup must turn JWT_ENABLE_DOMAIN_VERIFICATION on when tenants are used:
    expect(prosody(token, 'board', 'beta', false).ok).to.equal(true);
  });

  it('private rooms: "already started" is an exact room match, never a substring (the reference matched substrings)', async () => {
    const jicofo = new FakeJicofo();
    await jicofo.start();
    // Each listing below is asked about afresh: no answer is reused (answerTtlMs 0).
    const adv = await startTestSidecar({ JWT_TOKEN_MODE: 'advanced', JICOFO_ROOM_ENDPOINTS: jicofo.url }, ({ cfg, policy }) => ({
      cfg: { ...cfg, jicofo: { ...cfg.jicofo, answerTtlMs: 0 } },
      policy,
    }));
    try {
      const room = 'abc__000000000000_aaaaaa-bbbbbb-cccccc'; // not entitled to alice: Jicofo is asked
      const ask = (): Promise<Response> => get(`${adv.front}/redirectWithToken?room=${room}&tenant=private-x`, spHeaders());
      for (const listed of [[`[private-x]${room}x`], [`[private-x]x${room}`], [`[private-y]${room}`], [room], [`[private-x]abc`]]) {
        jicofo.rooms = listed;
        await expectRefused(await ask(), 403);
      }
      jicofo.rooms = [`[private-x]${room}`];
      const ok = await ask();
      expect(ok.status).to.equal(302); // control: an exact listing lets the guest in
      expect(prosody(tokenOf(ok.headers.get('location')), room, 'private-x').ok).to.equal(true);
      expect(jicofo.requests).to.equal(6);
    } finally {
      await adv.stop();
      await jicofo.stop();
    }
  });
});
