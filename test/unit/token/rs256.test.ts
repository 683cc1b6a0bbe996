// RS256 signing and verification against a real key folder: the header Prosody needs, the key
// ring's reloads, and every way a token must be refused.
import { expect } from 'chai';
import { createHmac, createSign } from 'node:crypto';
import { renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { keyIdOf } from '../../../sidecar/src/token/keys/key-id';
import { KeyRing } from '../../../sidecar/src/token/keys/key-ring';
import { keyFileName } from '../../../sidecar/src/token/keys/key-file-name';
import { mintToken, nowSeconds } from '../../../sidecar/src/token/mint';
import { createKeyRingSigner, createSigner } from '../../../sidecar/src/token/sign';
import { verifyToken } from '../../../sidecar/src/token/verify';
import { TEST_APP_SECRET, testConfig } from '../../support/config-fixture';
import { keyDirWithOneKey, makeKeyDir, writeKey } from '../../support/jwt-keys';
import { prosodyAccepts } from '../../support/prosody-verifier';
import { parseRoom } from '../../../sidecar/src/meeting/room';

const timing = { activationDelaySeconds: 300, maxValiditySeconds: 86400 };
const request = { user: { id: 'u', name: 'n', email: 'e@x' }, room: parseRoom('abc'), features: {} };
const b64 = (v: unknown): string => Buffer.from(JSON.stringify(v)).toString('base64url');
const headerOf = (token: string): Record<string, unknown> => JSON.parse(Buffer.from(token.split('.')[0] as string, 'base64url').toString()) as Record<string, unknown>;

function rsConfig(dir: string) {
  return testConfig({ JWT_APP_SECRET: undefined, JWT_SIGNING: 'RS256', JWT_KEYS_DIR: dir });
}

function signRs256(header: Record<string, unknown>, payload: Record<string, unknown>, privatePem: string): string {
  const input = `${b64(header)}.${b64(payload)}`;
  return `${input}.${createSign('sha256').update(input).sign(privatePem).toString('base64url')}`;
}

describe('token: RS256 with a key folder', () => {
  it('signs with header {alg: RS256, typ: JWT, kid} and exactly these three fields', () => {
    const { dir, key } = keyDirWithOneKey();
    const ring = KeyRing.open(dir, timing);
    const { token } = mintToken(request, rsConfig(dir), createKeyRingSigner(ring));
    expect(headerOf(token)).to.deep.equal({ alg: 'RS256', typ: 'JWT', kid: keyIdOf(key.publicKey) });
  });

  it('verifies its own tokens, and refuses them in HS256 mode (and HS256 tokens in RS256 mode)', () => {
    const { dir } = keyDirWithOneKey();
    const cfg = rsConfig(dir);
    const ring = KeyRing.open(dir, timing);
    const rsToken = mintToken(request, cfg, createKeyRingSigner(ring)).token;
    expect(verifyToken(rsToken, cfg, nowSeconds(), ring).valid).to.equal(true);
    expect(verifyToken(rsToken, testConfig(), nowSeconds())).to.deep.equal({ valid: false, reason: 'bad_algorithm' });
    const hsToken = mintToken(request, testConfig(), createSigner(TEST_APP_SECRET)).token;
    expect(verifyToken(hsToken, testConfig(), nowSeconds()).valid).to.equal(true);
    expect(verifyToken(hsToken, cfg, nowSeconds(), ring)).to.deep.equal({ valid: false, reason: 'no_kid' });
  });

  it('refuses alg none, HS256 made with the public key as its secret, a missing kid and an unknown kid', () => {
    const { dir, key } = keyDirWithOneKey();
    const cfg = rsConfig(dir);
    const ring = KeyRing.open(dir, timing);
    const claims = mintToken(request, cfg, createKeyRingSigner(ring)).claims as unknown as Record<string, unknown>;
    const kid = keyIdOf(key.publicKey);
    const none = `${b64({ alg: 'none', typ: 'JWT', kid })}.${b64(claims)}.`;
    expect(verifyToken(none, cfg, nowSeconds(), ring)).to.deep.equal({ valid: false, reason: 'bad_algorithm' });
    // The classic confusion attack: HMAC keyed with the published PEM.
    const publicPem = ring.signingKey().publicPem;
    const input = `${b64({ alg: 'HS256', typ: 'JWT', kid })}.${b64(claims)}`;
    const confused = `${input}.${createHmac('sha256', publicPem).update(input).digest('base64url')}`;
    expect(verifyToken(confused, cfg, nowSeconds(), ring)).to.deep.equal({ valid: false, reason: 'bad_algorithm' });
    expect(verifyToken(signRs256({ alg: 'RS256', typ: 'JWT' }, claims, key.privatePem), cfg, nowSeconds(), ring).reason).to.equal('no_kid');
    expect(verifyToken(signRs256({ alg: 'RS256', typ: 'JWT', kid: 'someone-else' }, claims, key.privatePem), cfg, nowSeconds(), ring).reason).to.equal('unknown_kid');
    expect(verifyToken(signRs256({ alg: 'RS256', typ: 'JWT', kid }, claims, key.privatePem), cfg, nowSeconds(), ring).valid).to.equal(true);
    expect(verifyToken(signRs256({ alg: 'RS256', typ: 'jwt', kid }, claims, key.privatePem), cfg, nowSeconds(), ring).reason).to.equal('bad_type');
  });

  it('a token signed with a retired key is refused; one from a published older key still passes', () => {
    const dir = makeKeyDir();
    const retired = writeKey(dir, 86400 * 3); // replaced two days ago, MAX_VALIDITY is one day
    const published = writeKey(dir, 86400 * 2 - 60);
    writeKey(dir, 3600); // signs now; `published` was replaced an hour ago
    const cfg = rsConfig(dir);
    const ring = KeyRing.open(dir, timing);
    const claims = mintToken(request, cfg, createKeyRingSigner(ring)).claims as unknown as Record<string, unknown>;
    const tokenOf = (k: { privatePem: string; publicKey: Parameters<typeof keyIdOf>[0] }) => signRs256({ alg: 'RS256', typ: 'JWT', kid: keyIdOf(k.publicKey) }, claims, k.privatePem);
    expect(ring.list().map((e) => e.state)).to.deep.equal(['retired', 'published', 'signing']);
    expect(verifyToken(tokenOf(retired), cfg, nowSeconds(), ring)).to.deep.equal({ valid: false, reason: 'unknown_kid' });
    expect(verifyToken(tokenOf(published), cfg, nowSeconds(), ring).valid).to.equal(true);
  });

  it('a token signed by a kid with another key\'s signature is refused', () => {
    const dir = makeKeyDir();
    const a = writeKey(dir, 7200);
    const b = writeKey(dir, 60);
    const cfg = rsConfig(dir);
    const ring = KeyRing.open(dir, timing);
    const claims = mintToken(request, cfg, createKeyRingSigner(ring)).claims as unknown as Record<string, unknown>;
    expect(verifyToken(signRs256({ alg: 'RS256', typ: 'JWT', kid: keyIdOf(a.publicKey) }, claims, b.privatePem), cfg, nowSeconds(), ring).reason).to.equal('bad_signature');
  });

  it('an RS256 token never passes the HS256 Prosody model', () => {
    const { dir } = keyDirWithOneKey();
    const token = mintToken(request, rsConfig(dir), createKeyRingSigner(KeyRing.open(dir, timing))).token;
    const verdict = prosodyAccepts(token, { secret: TEST_APP_SECRET, acceptedIssuers: ['*'], acceptedAudiences: ['*'], room: 'abc', xmppDomain: 'meet.jitsi', domainVerification: false });
    expect(verdict).to.deep.equal({ ok: false, reason: 'alg_mismatch' });
  });
});

describe('token/keys/key-ring: reloads', () => {
  it('a rotated key is published at once but signs only after the activation delay', () => {
    const { dir, key: old } = keyDirWithOneKey(86400);
    const ring = KeyRing.open(dir, timing);
    const fresh = writeKey(dir, 0);
    const t0 = nowSeconds();
    expect(ring.reload(t0)).to.deep.equal({ problems: [], added: [keyIdOf(fresh.publicKey)], removed: [] });
    expect(ring.signingKey(t0).kid).to.equal(keyIdOf(old.publicKey));
    expect(ring.publishedKey(keyIdOf(fresh.publicKey), t0)).to.not.equal(undefined);
    expect(ring.signingKey(t0 + 299).kid).to.equal(keyIdOf(old.publicKey));
    expect(ring.signingKey(t0 + 301).kid).to.equal(keyIdOf(fresh.publicKey));
  });

  it('a reload that finds a problem (a half-copied key) keeps every key in use and names the problem', () => {
    const { dir, key } = keyDirWithOneKey();
    const ring = KeyRing.open(dir, timing);
    const half = join(dir, keyFileName(nowSeconds() - 1));
    writeFileSync(half, key.privatePem.slice(0, 200), { mode: 0o600 });
    const result = ring.reload();
    expect(result.problems).to.deep.equal([`JWT_KEYS_DIR: ${half} is not an unencrypted PEM private key`]);
    expect(ring.list().map((e) => e.key.kid)).to.deep.equal([keyIdOf(key.publicKey)]);
  });

  it('a key removed from the folder is no longer published after the reload', () => {
    const dir = makeKeyDir();
    const a = writeKey(dir, 7200);
    const b = writeKey(dir, 3600);
    const ring = KeyRing.open(dir, timing);
    renameSync(a.file, join(dir, '.removed'));
    expect(ring.reload().removed).to.deep.equal([keyIdOf(a.publicKey)]);
    expect(ring.publishedKeys().map((k) => k.kid)).to.deep.equal([keyIdOf(b.publicKey)]);
  });
});
