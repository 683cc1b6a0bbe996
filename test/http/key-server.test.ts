// The RS256 key server on the backend listener, fetched the way Prosody fetches it
// (test/support/prosody-verifier.ts prosodyAcceptsAsap: GET <keyserver>/<hex(sha256(kid))>.pem).
import { expect } from 'chai';
import { createHash } from 'node:crypto';
import { request } from 'node:http';
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
