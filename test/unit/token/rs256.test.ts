// RS256 signing and verification against a real key folder: the header Prosody needs, the key
// ring's reloads, and every way a token must be refused.
import { expect } from 'chai';
import { createHmac, createSign } from 'node:crypto';
import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { keyIdOf } from '../../../sidecar/src/token/keys/key-id';
import { KeyRing } from '../../../sidecar/src/token/keys/key-ring';
import { keyFileCreated, keyFileName } from '../../../sidecar/src/token/keys/key-file-name';
import { revocationRecordName } from '../../../sidecar/src/token/keys/key-revocation';
import { Refusal } from '../../../sidecar/src/refusal';
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

/** A folder with a key two hours old (it signs) and one a minute old (still in its activation delay), and its ring. */
function twoKeys() {
  const dir = makeKeyDir();
  const a = writeKey(dir, 7200);
  const b = writeKey(dir, 60);
  return { dir, a, b, cfg: rsConfig(dir), ring: KeyRing.open(dir, timing) };
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
    const { a, b, cfg, ring } = twoKeys();
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
    expect(ring.reload(t0)).to.deep.equal({ problems: [], added: [keyIdOf(fresh.publicKey)], removed: [], revoked: [], revokedFiles: [] });
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

describe('token/keys/key-ring: revocation', () => {
  /** What `keys revoke` does: the record first, then the key file goes. */
  const revoke = (dir: string, key: { file: string; publicKey: Parameters<typeof keyIdOf>[0] }, at = nowSeconds()): void => {
    mkdirSync(join(dir, 'revoked'), { recursive: true });
    const made = keyFileCreated(basename(key.file)) as number;
    writeFileSync(join(dir, 'revoked', revocationRecordName(keyIdOf(key.publicKey), made, Math.floor(at))), 'record', { mode: 0o600 });
    rmSync(key.file);
  };

  it('a revoked key stops signing at the next read, and the newest remaining key signs at once, its delay cut short', () => {
    const dir = makeKeyDir();
    const old = writeKey(dir, 86400 * 3); // replaced two days ago: retired
    const signing = writeKey(dir, 86400 * 2);
    const ring = KeyRing.open(dir, timing);
    const fresh = writeKey(dir, 0);
    const t0 = nowSeconds();
    ring.reload(t0);
    expect(ring.signingKey(t0 + 10).kid).to.equal(keyIdOf(signing.publicKey)); // fresh waits 300 s
    revoke(dir, signing);
    const result = ring.reload(t0 + 10);
    expect(result).to.deep.equal({ problems: [], added: [], removed: [keyIdOf(signing.publicKey)], revoked: [keyIdOf(signing.publicKey)], revokedFiles: [] });
    expect(ring.signingKey(t0 + 10).kid).to.equal(keyIdOf(fresh.publicKey));
    expect(ring.publishedKeys(t0 + 10).map((k) => k.kid)).to.deep.equal([keyIdOf(fresh.publicKey)]);
    expect(ring.isRevoked(keyIdOf(signing.publicKey))).to.equal(true);
    expect(ring.isRevoked(keyIdOf(old.publicKey))).to.equal(false);
  });

  it('a token of the revoked kid fails /validateToken as revoked_kid, though its signature is good', () => {
    const { dir, a, b, cfg, ring } = twoKeys();
    const token = mintToken(request, cfg, createKeyRingSigner(ring)).token;
    expect(headerOf(token).kid).to.equal(keyIdOf(a.publicKey));
    expect(verifyToken(token, cfg, nowSeconds(), ring).valid).to.equal(true);
    revoke(dir, a);
    ring.reload();
    expect(verifyToken(token, cfg, nowSeconds(), ring)).to.deep.equal({ valid: false, reason: 'revoked_kid' });
    expect(headerOf(mintToken(request, cfg, createKeyRingSigner(ring)).token).kid).to.equal(keyIdOf(b.publicKey));
  });

  it('a revocation applies even while the folder has a problem that keeps the other keys as they were', () => {
    const dir = makeKeyDir();
    const a = writeKey(dir, 7200);
    const b = writeKey(dir, 3600);
    const ring = KeyRing.open(dir, timing);
    writeFileSync(join(dir, keyFileName(nowSeconds() - 5)), 'half a key', { mode: 0o600 });
    revoke(dir, b);
    const result = ring.reload();
    expect(result.problems).to.have.length(1);
    expect(result.revoked).to.deep.equal([keyIdOf(b.publicKey)]);
    expect(ring.publishedKeys().map((k) => k.kid)).to.deep.equal([keyIdOf(a.publicKey)]);
    expect(ring.signingKey().kid).to.equal(keyIdOf(a.publicKey));
  });

  it('a revoked kid never comes back: not with its file restored, not even with its record deleted', () => {
    const dir = makeKeyDir();
    writeKey(dir, 7200);
    const b = writeKey(dir, 3600);
    const ring = KeyRing.open(dir, timing);
    revoke(dir, b);
    ring.reload();
    writeFileSync(b.file, b.privatePem, { mode: 0o600 }); // restored from a backup
    expect(ring.reload().revokedFiles).to.deep.equal([b.file.split('/').pop()]);
    expect(ring.publishedKey(keyIdOf(b.publicKey))).to.equal(undefined);
    rmSync(join(dir, 'revoked'), { recursive: true });
    expect(ring.reload().added).to.deep.equal([]);
    expect(ring.publishedKey(keyIdOf(b.publicKey))).to.equal(undefined);
    // a new sidecar reading the folder as it now is would take it: the record is what protects
    expect(KeyRing.open(dir, timing).publishedKey(keyIdOf(b.publicKey))).to.not.equal(undefined);
  });

  it('a record found at start counts from its own time; a start with only revoked keys is refused', () => {
    const dir = makeKeyDir();
    const a = writeKey(dir, 7200);
    const fresh = writeKey(dir, 10); // 290 s of its delay to go
    const gone = writeKey(dir, 3600);
    revoke(dir, gone, nowSeconds() - 60); // revoked a minute ago: `fresh` was published by then
    expect(KeyRing.open(dir, timing).signingKey().kid).to.equal(keyIdOf(a.publicKey)); // revoked 60 s ago, fresh was made 10 s ago
    const later = makeKeyDir();
    const k1 = writeKey(later, 7200);
    const k2 = writeKey(later, 100);
    revoke(later, k1, nowSeconds() - 5);
    writeFileSync(k1.file, k1.privatePem, { mode: 0o600 }); // restored: still revoked
    expect(KeyRing.open(later, timing).signingKey().kid).to.equal(keyIdOf(k2.publicKey)); // its delay cut short 5 s ago
    rmSync(k1.file);
    revoke(later, k2);
    expect(() => KeyRing.open(later, timing)).to.throw(/holds no key \(\*\.pem\); make one with `jitsi-saml2jwt keys rotate/);
    expect(fresh.file).to.be.a('string');
  });

  it('a start where only retired keys are left besides the revoked ones is refused: none of them signs again', () => {
    const dir = makeKeyDir();
    writeKey(dir, 86400 * 4); // replaced three days ago
    const signing = writeKey(dir, 86400 * 3);
    revoke(dir, signing, nowSeconds() - 60);
    expect(() => KeyRing.open(dir, timing)).to.throw(`JWT_KEYS_DIR: every key in ${dir} is revoked or retired, and neither ever signs again; make one with \`jitsi-saml2jwt keys rotate\``);
  });

  it('once every key is revoked, signing is refused as unavailable (503), and nothing is published', () => {
    const { dir, key } = keyDirWithOneKey();
    const ring = KeyRing.open(dir, timing);
    revoke(dir, key);
    const result = ring.reload();
    expect(result.removed).to.deep.equal([keyIdOf(key.publicKey)]);
    expect(result.problems[0]).to.match(/holds no key \(\*\.pem\)/);
    expect(ring.publishedKeys()).to.deep.equal([]);
    const sign = createKeyRingSigner(ring);
    let thrown: unknown;
    try {
      mintToken(request, rsConfig(dir), sign);
    } catch (err) {
      thrown = err;
    }
    expect(thrown).to.be.instanceOf(Refusal);
    expect(thrown).to.include({ kind: 'unavailable', reason: 'no_signing_key' });
    // a key added afterwards signs at once
    const next = writeKey(dir, 0);
    ring.reload();
    expect(ring.signingKey().kid).to.equal(keyIdOf(next.publicKey));
  });
});
