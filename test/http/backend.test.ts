import { expect } from 'chai';
import { createHmac, randomBytes } from 'node:crypto';
import { prosodyAccepts } from '../support/prosody-verifier';
import { bearer, get, startTestSidecar, TEST_APP_SECRET, type TestSidecar } from '../support/test-sidecar';

const b64 = (v: unknown): string => Buffer.from(JSON.stringify(v)).toString('base64url');

function handMadeToken(claims: Record<string, unknown>, secret: string, header: Record<string, unknown> = { alg: 'HS256', typ: 'JWT' }): string {
  const input = `${b64(header)}.${b64(claims)}`;
  return `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`;
}

function prosodyFor(token: string, room: string, tenant?: string) {
  return prosodyAccepts(token, {
    secret: TEST_APP_SECRET,
    acceptedIssuers: ['saml2jwt-test'],
    acceptedAudiences: ['saml2jwt-test'],
    room,
    ...(tenant === undefined ? {} : { tenant }),
    xmppDomain: 'meet.jitsi',
    domainVerification: true,
  });
}

describe('http: backend API', () => {
  let t: TestSidecar;
  before(async () => {
    t = await startTestSidecar({ BACKEND_RATE_LIMIT: '1000' });
  });
  after(() => t.stop());

  const validate = async (jwt: string): Promise<{ valid: boolean; reason?: string }> => {
    const res = await get(`${t.backend}/validateToken?jwt=${encodeURIComponent(jwt)}`, bearer());
    expect(res.status).to.equal(200);
    return (await res.json()) as { valid: boolean; reason?: string };
  };

  it('GET /getToken returns the bare token as text/plain, for exactly the stated room and tenant', async () => {
    const res = await get(`${t.backend}/getToken?mail=bob@uni.example&name=Bob&room=Board&tenant=acme&affiliation=owner&moderator=true`, bearer());
    expect(res.status).to.equal(200);
    expect(res.headers.get('content-type')).to.match(/^text\/plain/);
    expect(res.headers.get('cache-control')).to.equal('no-store');
    const token = await res.text();
    const verdict = prosodyFor(token, 'board', 'acme');
    expect(verdict.ok).to.equal(true);
    if (!verdict.ok) return;
    expect((verdict.claims.context as { user: unknown }).user).to.deep.include({ id: 'bob@uni.example', name: 'Bob', email: 'bob@uni.example', affiliation: 'owner', moderator: true });
    expect(prosodyFor(token, 'other', 'acme').ok).to.equal(false);
    expect(prosodyFor(token, 'board', 'other').ok).to.equal(false);
  });

  it('returns {token, exp} with Accept: application/json, honouring validity_timestamp', async () => {
    const exp = Math.floor(Date.now() / 1000) + 300;
    const res = await get(`${t.backend}/getToken?mail=bob@uni.example&displayName=B&room=r&validity_timestamp=${exp}`, { ...bearer(), accept: 'application/json' });
    const body = (await res.json()) as { token: string; exp: number };
    expect(body.exp).to.equal(exp);
    const verdict = prosodyFor(body.token, 'r');
    expect(verdict.ok && verdict.claims.exp).to.equal(exp);
    expect(verdict.ok && (verdict.claims.context as { user: { name: string } }).user.name).to.equal('B');
  });

  it('accepts POST bodies as form and as JSON, and refuses oversized ones', async () => {
    const form = await fetch(`${t.backend}/getToken`, {
      method: 'POST',
      headers: { ...bearer(), 'content-type': 'application/x-www-form-urlencoded' },
      body: 'mail=carol%40uni.example&room=form-room',
    });
    expect(form.status).to.equal(200);
    expect(prosodyFor(await form.text(), 'form-room').ok).to.equal(true);

    const json = await fetch(`${t.backend}/getToken`, {
      method: 'POST',
      headers: { ...bearer(), 'content-type': 'application/json; charset=utf-8' },
      body: JSON.stringify({ mail: 'carol@uni.example', room: 'json-room', moderator: false }),
    });
    expect(json.status).to.equal(200);
    const verdict = prosodyFor(await json.text(), 'json-room');
    // moderator: false means member: no role field at all (never false), as token_affiliation reads it.
    expect(verdict.ok && (verdict.claims.context as { user: Record<string, unknown> }).user).to.not.have.any.keys('moderator', 'affiliation');

    const huge = await fetch(`${t.backend}/getToken`, {
      method: 'POST',
      headers: { ...bearer(), 'content-type': 'application/json' },
      body: JSON.stringify({ mail: 'carol@uni.example', room: 'r', pad: 'x'.repeat(20_000) }),
    });
    expect(huge.status).to.equal(400);
    expect(await huge.json()).to.include({ error: 'body_too_large' });

    const plain = await fetch(`${t.backend}/getToken`, { method: 'POST', headers: { ...bearer(), 'content-type': 'text/plain' }, body: 'mail=a@b.c' });
    expect(plain.status).to.equal(400);
  });

  it('validateToken says valid for our tokens and why not for others', async () => {
    const token = await (await get(`${t.backend}/getToken?mail=bob@uni.example&room=r`, bearer())).text();
    expect(await validate(token)).to.deep.equal({ valid: true });

    const isValid = await get(`${t.backend}/isValidToken?jwt=${token}`, bearer());
    expect(await isValid.json()).to.deep.equal({ valid: true });

    const [h, p] = token.split('.') as [string, string];
    const claims = JSON.parse(Buffer.from(p, 'base64url').toString()) as Record<string, unknown>;
    expect(await validate(`${h}.${p}.${'A'.repeat(43)}`)).to.deep.equal({ valid: false, reason: 'bad_signature' });
    expect(await validate(`${b64({ alg: 'none', typ: 'JWT' })}.${p}.`)).to.deep.equal({ valid: false, reason: 'bad_algorithm' });
    expect(await validate(handMadeToken(claims, randomBytes(32).toString('hex')))).to.deep.equal({ valid: false, reason: 'bad_signature' });
    expect(await validate(handMadeToken({ ...claims, room: '*' }, TEST_APP_SECRET))).to.deep.equal({ valid: false, reason: 'wildcard_room' });
    expect(await validate(handMadeToken({ ...claims, exp: 1000 }, TEST_APP_SECRET))).to.deep.equal({ valid: false, reason: 'expired' });
    expect(await validate('not-a-token')).to.deep.equal({ valid: false, reason: 'malformed' });

    const post = await fetch(`${t.backend}/validateToken`, {
      method: 'POST',
      headers: { ...bearer(), 'content-type': 'application/x-www-form-urlencoded' },
      body: `jwt=${token}`,
    });
    expect(await post.json()).to.deep.equal({ valid: true });
  });

  it('answers 401 with WWW-Authenticate and JSON for a missing key', async () => {
    const res = await get(`${t.backend}/validateToken?jwt=x`);
    expect(res.status).to.equal(401);
    expect(res.headers.get('www-authenticate')).to.equal('Bearer');
    expect(await res.json()).to.include({ error: 'bad_api_key' });
  });
});

describe('http: backend rate limit', () => {
  it('answers 429 with Retry-After once the per-minute budget is spent, for bad keys too', async () => {
    const t = await startTestSidecar({ BACKEND_RATE_LIMIT: '5' });
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 3; i++) statuses.push((await get(`${t.backend}/getToken?mail=a@uni.example&room=r`, bearer())).status);
      for (let i = 0; i < 2; i++) statuses.push((await get(`${t.backend}/getToken?mail=a@uni.example&room=r`, bearer('wrong'))).status);
      const limited = await get(`${t.backend}/getToken?mail=a@uni.example&room=r`, bearer());
      expect(statuses).to.deep.equal([200, 200, 200, 401, 401]);
      expect(limited.status).to.equal(429);
      const retryAfter = Number(limited.headers.get('retry-after'));
      expect(retryAfter).to.be.within(1, 60);
      expect(await limited.json()).to.include({ error: 'rate_limited' });
      // health and metrics are not rate limited
      expect((await get(`${t.backend}/healthz`)).status).to.equal(200);
    } finally {
      await t.stop();
    }
  });
});

describe('http: backend with the mint API off', () => {
  it('serves health and metrics but no token routes', async () => {
    const t = await startTestSidecar({ ENABLE_BACKEND_JWT_REQUEST: 'false', BACKEND_API_KEY: undefined });
    try {
      expect((await get(`${t.backend}/getToken?mail=a@uni.example&room=r`, bearer())).status).to.equal(404);
      expect((await get(`${t.backend}/validateToken?jwt=x`, bearer())).status).to.equal(404);
      expect((await get(`${t.backend}/healthz`)).status).to.equal(200);
      expect((await get(`${t.backend}/metrics`)).status).to.equal(200);
    } finally {
      await t.stop();
    }
  });
});
