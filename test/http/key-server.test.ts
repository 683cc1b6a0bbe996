// The RS256 key server on the backend listener, fetched the way Prosody fetches it
// (test/support/prosody-verifier.ts prosodyAcceptsAsap: GET <keyserver>/<hex(sha256(kid))>.pem).
import { expect } from 'chai';
import { createHash } from 'node:crypto';
import { rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { run as keysCommand } from '../../scripts/keys';
import { keyIdOf } from '../../sidecar/src/token/keys/key-id';
import { makeKeyDir, writeKey, type WrittenKey } from '../support/jwt-keys';
import { asapKeyUrl, prosodyAcceptsAsap } from '../support/prosody-verifier';
import { bearer, get, startTestSidecar, spHeaders, TEST_APP_SECRET, type TestSidecar } from '../support/test-sidecar';
import { clientTokenOf } from '../support/jitsi-client';

const hexOf = (kid: string): string => createHash('sha256').update(kid).digest('hex');

/** The path exactly as written: fetch() would resolve "%2e%2e" and "..". */
function rawGet(base: string, path: string): Promise<{ status: number; body: string }> {
  const { hostname, port } = new URL(base);
  return new Promise((resolve, reject) => {
    const req = request({ host: hostname, port, path, method: 'GET' }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('http: RS256 key server and tokens (JWT_SIGNING=RS256)', () => {
  let t: TestSidecar;
  let retired: WrittenKey;
  let published: WrittenKey;
  let signing: WrittenKey;
  before(async () => {
    const dir = makeKeyDir();
    retired = writeKey(dir, 3 * 86400);
    published = writeKey(dir, 2 * 86400 - 60);
    signing = writeKey(dir, 3600);
    t = await startTestSidecar({ JWT_APP_SECRET: undefined, JWT_SIGNING: 'RS256', JWT_KEYS_DIR: dir, JWT_KEY_ACTIVATION_DELAY: '120', BACKEND_RATE_LIMIT: '1000' });
  });
  after(() => t.stop());

  const keyServer = (): string => `${t.backend}/asap`;
  const asap = (over: Partial<Parameters<typeof prosodyAcceptsAsap>[1]> = {}) => ({
    keyServer: keyServer(),
    acceptedIssuers: ['saml2jwt-test'],
    acceptedAudiences: ['saml2jwt-test'],
    room: 'board',
    xmppDomain: 'meet.jitsi',
    domainVerification: true,
    ...over,
  });

  it('serves each published key as a PEM public key at /asap/<hex(sha256(kid))>.pem, cacheable for at most the overlap', async () => {
    for (const key of [published, signing]) {
      const res = await get(asapKeyUrl(keyServer(), keyIdOf(key.publicKey)));
      expect(res.status).to.equal(200);
      expect(res.headers.get('content-type')).to.equal('application/x-pem-file');
      expect(res.headers.get('cache-control')).to.equal('public, max-age=120');
      const pem = await res.text();
      expect(pem).to.equal(key.publicKey.export({ format: 'pem', type: 'spki' }).toString());
      expect(pem).to.not.include('PRIVATE');
    }
  });

  it('answers 404 for a retired key, an unknown kid and every path that is not exactly the rule', async () => {
    const kidHex = hexOf(keyIdOf(signing.publicKey));
    const paths = [
      `/asap/${hexOf(keyIdOf(retired.publicKey))}.pem`,
      `/asap/${hexOf('no-such-kid')}.pem`,
      `/asap/${kidHex.toUpperCase()}.pem`,
      `/asap/${kidHex}.PEM`,
      `/asap/${kidHex}`,
      `/asap/${kidHex.slice(1)}.pem`,
      `/asap/%${kidHex.charCodeAt(0).toString(16)}${kidHex.slice(1)}.pem`,
      `/asap/${kidHex}.pem/`,
      `/asap/%2e%2e/asap/${kidHex}.pem`,
      `/asap/../asap/${kidHex}.pem`,
      `/asap/./${kidHex}.pem`,
      `/asap//${kidHex}.pem`,
      `/asap/${keyIdOf(signing.publicKey)}.pem`,
      '/asap/',
    ];
    for (const path of paths) {
      const res = await rawGet(t.backend, path);
      expect(res.status, path).to.equal(404);
      expect(res.body, path).to.not.include('BEGIN');
    }
  });

  it('serves the same published keys as a JWK set at /.well-known/jwks.json', async () => {
    const res = await get(`${t.backend}/.well-known/jwks.json`);
    expect(res.status).to.equal(200);
    expect(res.headers.get('cache-control')).to.equal('public, max-age=120');
    const { keys } = (await res.json()) as { keys: Record<string, string>[] };
    expect(keys.map((k) => k.kid)).to.deep.equal([keyIdOf(published.publicKey), keyIdOf(signing.publicKey)]);
    for (const k of keys) {
      expect(k).to.include({ kty: 'RSA', use: 'sig', alg: 'RS256', e: 'AQAB' });
      expect(k).to.not.have.any.keys('d', 'p', 'q', 'dp', 'dq', 'qi');
    }
  });

  it('the front listener serves no keys', async () => {
    expect((await get(`${t.front}/asap/${hexOf(keyIdOf(signing.publicKey))}.pem`)).status).to.equal(404);
    expect((await get(`${t.front}/.well-known/jwks.json`)).status).to.equal(404);
  });

  it('a login token carries the signing kid and passes Prosody, which fetches the key by kid from the key server', async () => {
    const res = await get(`${t.front}/redirectWithToken?room=Board`, spHeaders());
    expect(res.status).to.equal(302);
    const token = clientTokenOf(res.headers.get('location'));
    const header = JSON.parse(Buffer.from(token.split('.')[0] as string, 'base64url').toString()) as Record<string, unknown>;
    expect(header).to.deep.equal({ alg: 'RS256', typ: 'JWT', kid: keyIdOf(signing.publicKey) });
    const verdict = await prosodyAcceptsAsap(token, asap());
    expect(verdict.ok, JSON.stringify(verdict)).to.equal(true);
    expect((await prosodyAcceptsAsap(token, asap({ room: 'other' }))).ok).to.equal(false);
    expect(await prosodyAcceptsAsap(token, asap({ keyServer: `${t.backend}/asap/` }))).to.deep.equal({ ok: false, reason: 'key_server_404' });
  });

  it('/validateToken: our RS256 tokens pass; HS256, alg none and a retired key\'s tokens do not', async () => {
    const validate = async (jwt: string): Promise<unknown> => (await get(`${t.backend}/validateToken?jwt=${encodeURIComponent(jwt)}`, bearer())).json();
    const token = await (await get(`${t.backend}/getToken?mail=bob@uni.example&room=r`, bearer())).text();
    expect(await validate(token)).to.deep.equal({ valid: true });
    expect((await prosodyAcceptsAsap(token, asap({ room: 'r' }))).ok).to.equal(true);
    const [h, p] = token.split('.') as [string, string];
    const b64 = (v: unknown): string => Buffer.from(JSON.stringify(v)).toString('base64url');
    const kid = keyIdOf(signing.publicKey);
    expect(await validate(`${b64({ alg: 'none', typ: 'JWT', kid })}.${p}.`)).to.deep.equal({ valid: false, reason: 'bad_algorithm' });
    const { createHmac, createSign } = await import('node:crypto');
    const hs = `${b64({ alg: 'HS256', typ: 'JWT' })}.${p}`;
    expect(await validate(`${hs}.${createHmac('sha256', TEST_APP_SECRET).update(hs).digest('base64url')}`)).to.deep.equal({ valid: false, reason: 'no_kid' });
    const oldInput = `${b64({ alg: 'RS256', typ: 'JWT', kid: keyIdOf(retired.publicKey) })}.${p}`;
    const oldToken = `${oldInput}.${createSign('sha256').update(oldInput).sign(retired.privatePem).toString('base64url')}`;
    expect(await validate(oldToken)).to.deep.equal({ valid: false, reason: 'unknown_kid' });
    expect((await prosodyAcceptsAsap(oldToken, asap({ room: 'r' }))).ok).to.equal(false);
    expect(h).to.be.a('string');
  });
});

describe('http: keys revoke against a running sidecar (JWT_SIGNING=RS256)', function () {
  this.timeout(60_000);
  let t: TestSidecar;
  let dir: string;
  let first: WrittenKey;
  let second: WrittenKey;
  before(async () => {
    dir = makeKeyDir();
    first = writeKey(dir, 7200);
    second = writeKey(dir, 10); // 110 s of its activation delay to go
    t = await startTestSidecar({ JWT_APP_SECRET: undefined, JWT_SIGNING: 'RS256', JWT_KEYS_DIR: dir, JWT_KEY_ACTIVATION_DELAY: '120', BACKEND_RATE_LIMIT: '1000' });
  });
  after(() => t.stop());

  const kidOf = (k: WrittenKey): string => keyIdOf(k.publicKey);
  const jwksKids = async (): Promise<string[]> => ((await (await get(`${t.backend}/.well-known/jwks.json`)).json()) as { keys: { kid: string }[] }).keys.map((k) => k.kid);
  const asapStatus = async (k: WrittenKey): Promise<number> => (await get(asapKeyUrl(`${t.backend}/asap`, kidOf(k)))).status;
  const getToken = async (): Promise<{ status: number; body: string }> => {
    const res = await get(`${t.backend}/getToken?mail=bob@uni.example&room=r`, bearer());
    return { status: res.status, body: await res.text() };
  };
  const kidIn = (token: string): unknown => (JSON.parse(Buffer.from(token.split('.')[0] as string, 'base64url').toString()) as { kid?: unknown }).kid;
  const validate = async (jwt: string): Promise<unknown> => (await get(`${t.backend}/validateToken?jwt=${encodeURIComponent(jwt)}`, bearer())).json();
  const revoke = async (k: WrittenKey): Promise<void> => {
    let out = '';
    expect(await keysCommand(['revoke', kidOf(k), '--dir', dir], { out: (s) => (out += s), err: () => {} }), out).to.equal(0);
  };
  /** Polls until `done` holds; the time it took, in ms. The sidecar re-reads the folder at least every 10 s. */
  const within = async (done: () => Promise<boolean>): Promise<number> => {
    const start = Date.now();
    while (!(await done())) {
      if (Date.now() - start > 10_000 + 2_000) expect.fail('not within the 10 s re-read');
      await new Promise((r) => setTimeout(r, 50));
    }
    return Date.now() - start;
  };

  it('the revoked key leaves /asap/ and the JWK set within the re-read, its tokens are refused as revoked_kid, and the newest key signs at once', async () => {
    const before = await getToken();
    expect(kidIn(before.body)).to.equal(kidOf(first));
    expect(await validate(before.body)).to.deep.equal({ valid: true });
    expect(await jwksKids()).to.deep.equal([kidOf(first), kidOf(second)]);
    expect(await asapStatus(first)).to.equal(200);

    await revoke(first);
    const took = await within(async () => (await asapStatus(first)) === 404 && !(await jwksKids()).includes(kidOf(first)));
    expect(took).to.be.below(10_000 + 2_000);
    expect(await jwksKids()).to.deep.equal([kidOf(second)]);
    expect(await validate(before.body)).to.deep.equal({ valid: false, reason: 'revoked_kid' });
    // Prosody's own path for the revoked kid now fails too
    expect(await prosodyAcceptsAsap(before.body, { keyServer: `${t.backend}/asap`, acceptedIssuers: ['saml2jwt-test'], acceptedAudiences: ['saml2jwt-test'], room: 'r', xmppDomain: 'meet.jitsi', domainVerification: true })).to.deep.equal({ ok: false, reason: 'key_server_404' });
    const after = await getToken();
    expect(kidIn(after.body), 'the second key signs at once, its activation delay cut short').to.equal(kidOf(second));
    expect(await validate(after.body)).to.deep.equal({ valid: true });
    expect(t.logs.some((l) => l.event === 'jwt_keys_revoked' && JSON.stringify(l.revoked) === JSON.stringify([kidOf(first)]))).to.equal(true);
  });

  it('its file restored from a backup stays out', async () => {
    writeFileSync(first.file, first.privatePem, { mode: 0o600 });
    await new Promise((r) => setTimeout(r, 1_000));
    expect(await asapStatus(first)).to.equal(404);
    expect(await jwksKids()).to.deep.equal([kidOf(second)]);
  });

  it('with every key revoked: no token (503, no_signing_key), an empty JWK set, and no 500', async () => {
    rmSync(first.file);
    await revoke(second);
    await within(async () => (await jwksKids()).length === 0);
    const refused = await getToken();
    expect(refused.status).to.equal(503);
    expect(refused.body).to.include('no_signing_key').and.not.match(/eyJ/);
    const login = await get(`${t.front}/redirectWithToken?room=Board`, spHeaders());
    expect(login.status).to.equal(503);
    expect(login.headers.get('location')).to.equal(null);
    expect(await asapStatus(second)).to.equal(404);
  });
});
