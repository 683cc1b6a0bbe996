import { expect } from 'chai';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { run } from '../../../scripts/keys';
import { jwtKeysDir, signingKidOnDisk } from '../../../scripts/jwt-keys';
import { EnvFile } from '../../../sidecar/src/config/env-file';
import { readKeyDirectory } from '../../../sidecar/src/token/keys/key-directory';
import { keyIdOf } from '../../../sidecar/src/token/keys/key-id';
import { injectFsFault } from '../../support/fs-faults';
import { makeKeyDir, writeKey, type WrittenKey } from '../../support/jwt-keys';
import { copyCheckout, runsAsRoot, type Checkout } from './checkout-fixture';

async function keys(argv: string[], extra: { home?: string; now?: Date } = {}): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await run(argv, { out: (t) => (out += t), err: (t) => (err += t), ...extra });
  return { code, out, err };
}

describe('scripts/jwt-keys: keys rotate and keys list (RS256 signing keys)', function () {
  this.timeout(60000);
  let c: Checkout;
  beforeEach(() => (c = copyCheckout()));
  afterEach(() => c.cleanup());

  it('rotate writes an RSA 2048 key, mode 0600, into ${CONFIG}/saml2jwt/jwt-keys, which the sidecar reads; the first signs at once', async () => {
    const now = new Date('2026-12-01T21:30:00Z');
    const r = await keys(['rotate', '--jitsi-dir', c.dir], { home: c.home, now });
    expect(r.code, r.err).to.equal(0);
    const dir = path.join(c.configDir, 'saml2jwt', 'jwt-keys');
    const file = path.join(dir, '20261201T213000Z.pem');
    expect(fs.statSync(file).mode & 0o777).to.equal(0o600);
    expect(fs.statSync(dir).mode & 0o777).to.equal(0o750);
    if (runsAsRoot) expect([fs.statSync(file).uid, fs.statSync(file).gid]).to.deep.equal([1000, 0]);
    const read = readKeyDirectory(dir);
    if ('problems' in read) return expect.fail(read.problems.join('\n'));
    expect(read.keys).to.have.length(1);
    expect(read.keys[0]?.bits).to.equal(2048);
    expect(r.out).to.include('(RSA 2048, mode 0600').and.include(`kid ${read.keys[0]?.kid}`).and.include('it signs at once (the only key)').and.not.include('PRIVATE');
    expect(fs.readdirSync(dir)).to.deep.equal(['20261201T213000Z.pem']); // no temporary file left
  });

  it('a second key is published and signs after the activation delay from the .env; list shows kid, age and state', async () => {
    fs.appendFileSync(c.envPath, '\nJWT_KEY_ACTIVATION_DELAY=600\nMAX_VALIDITY=3600\n');
    const t0 = new Date('2026-12-01T10:00:00Z');
    expect((await keys(['rotate', '--jitsi-dir', c.dir], { home: c.home, now: t0 })).code).to.equal(0);
    const t1 = new Date('2026-12-01T20:00:00Z');
    const second = await keys(['rotate', '--jitsi-dir', c.dir], { home: c.home, now: t1 });
    expect(second.out).to.include('it signs from 2026-12-01T20:10:00.000Z (JWT_KEY_ACTIVATION_DELAY=600s');
    const at = async (iso: string): Promise<string[]> => {
      const r = await keys(['list', '--jitsi-dir', c.dir], { home: c.home, now: new Date(iso) });
      expect(r.code, r.err).to.equal(0);
      return r.out.trim().split('\n').map((l) => l.replace(/\s+/g, ' '));
    };
    const early = await at('2026-12-01T20:05:00Z');
    expect(early[0]).to.equal('KID AGE STATE FILE');
    expect(early[1]).to.match(/^[A-Za-z0-9_-]{43} 10h05m signing 20261201T100000Z\.pem$/);
    expect(early[2]).to.match(/^[A-Za-z0-9_-]{43} 5m published 20261201T200000Z\.pem$/);
    expect((await at('2026-12-01T20:10:00Z')).slice(1).map((l) => l.split(' ')[2])).to.deep.equal(['published', 'signing']);
    // retired once MAX_VALIDITY + the overlap have passed since the new key took over
    expect((await at('2026-12-01T21:20:00Z')).slice(1).map((l) => l.split(' ')[2])).to.deep.equal(['retired', 'signing']);
    // doctor's reading of the folder: the kid list marks as signing
    const env = EnvFile.parse(fs.readFileSync(c.envPath, 'utf8'));
    const kidAt = (iso: string): string | undefined => signingKidOnDisk(jwtKeysDir(c.configDir), env, new Date(iso));
    expect(kidAt('2026-12-01T20:05:00Z')).to.equal(early[1]?.split(' ')[0]);
    expect(kidAt('2026-12-01T20:10:00Z')).to.equal(early[2]?.split(' ')[0]);
    expect(signingKidOnDisk(path.join(c.root, 'nowhere'), env)).to.equal(undefined);
  });

  it('never overwrites: a second rotate within the same second fails and leaves the key as it was', async () => {
    const now = new Date('2026-12-01T21:30:00Z');
    const dir = path.join(c.root, 'bare-keys');
    expect((await keys(['rotate', '--dir', dir], { now })).code).to.equal(0);
    const before = fs.readFileSync(path.join(dir, '20261201T213000Z.pem'), 'utf8');
    const again = await keys(['rotate', '--dir', dir], { now });
    expect(again.code).to.equal(1);
    expect(again.err).to.include('exists (a key was made this second); run rotate again');
    expect(fs.readFileSync(path.join(dir, '20261201T213000Z.pem'), 'utf8')).to.equal(before);
    expect(fs.readdirSync(dir)).to.deep.equal(['20261201T213000Z.pem']);
  });

  it('refuses to add to a folder with problems, and list names them', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'saml2jwt-jwt-keys-'));
    fs.writeFileSync(path.join(dir, '20261201T213000Z.pem'), 'not a key', { mode: 0o600 });
    const r = await keys(['rotate', '--dir', dir]);
    expect(r.code).to.equal(1);
    expect(r.err).to.include('is not an unencrypted PEM private key');
    expect(fs.readdirSync(dir)).to.have.length(1);
    const l = await keys(['list', '--dir', dir]);
    expect(l.code).to.equal(1);
    expect(l.err).to.include('JWT_KEYS_DIR:');
    fs.rmSync(dir, { recursive: true });
  });

  it('rotate --bits 3072 (or 4096) makes a key of that size for an operator whose policy asks for more', async () => {
    const dir = path.join(c.root, 'bits-keys');
    const r = await keys(['rotate', '--dir', dir, '--bits', '3072'], { now: new Date('2026-12-01T21:30:00Z') });
    expect(r.code, r.err).to.equal(0);
    expect(r.out).to.include('(RSA 3072, mode 0600');
    const read = readKeyDirectory(dir);
    if ('problems' in read) return expect.fail(read.problems.join('\n'));
    expect(read.keys.map((k) => k.bits)).to.deep.equal([3072]);
  });

  it('usage errors: no action, both folders, neither, a size other than 2048/3072/4096, --bits without rotate', async () => {
    expect((await keys(['rotate'])).code).to.equal(2);
    expect((await keys(['rotate', '--dir', 'a', '--jitsi-dir', 'b'])).code).to.equal(2);
    expect((await keys(['list', '--bogus'])).code).to.equal(2);
    const dir = path.join(c.root, 'never-made');
    for (const bits of ['1024', '2047', '8192', 'big', '']) {
      const r = await keys(['rotate', '--dir', dir, '--bits', bits]);
      expect(r.code, bits).to.equal(2);
      expect(r.err, bits).to.include('--bits must be 2048, 3072, 4096');
    }
    const list = await keys(['list', '--dir', dir, '--bits', '3072']);
    expect(list.code).to.equal(2);
    expect(list.err).to.include('--bits is for rotate');
    expect(fs.existsSync(dir)).to.equal(false);
  });
});

describe('scripts/jwt-key-revoke: keys revoke <kid>', function () {
  this.timeout(60000);
  let c: Checkout;
  let dir: string;
  beforeEach(() => {
    c = copyCheckout();
    dir = jwtKeysDir(c.configDir);
    fs.mkdirSync(dir, { recursive: true, mode: 0o750 });
  });
  afterEach(() => c.cleanup());
  const kidOf = (k: WrittenKey): string => keyIdOf(k.publicKey);
  const keysNow = (): string[] => {
    const read = readKeyDirectory(dir);
    return 'keys' in read ? read.keys.map((k) => k.kid) : read.problems;
  };

  it('revoking the signing key: a record in revoked/, the key file gone, and the newest remaining key signs at once, its delay cut short', async () => {
    const old = writeKey(dir, 86400);
    const fresh = writeKey(dir, 60); // 240 s of its activation delay to go
    expect(signingKidOnDisk(dir, undefined)).to.equal(kidOf(old));
    const r = await keys(['revoke', kidOf(old), '--jitsi-dir', c.dir], { home: c.home });
    expect(r.code, r.err).to.equal(0);
    expect(fs.existsSync(old.file)).to.equal(false);
    const records = fs.readdirSync(path.join(dir, 'revoked'));
    expect(records).to.have.length(1);
    expect(records[0]).to.match(new RegExp(`^revoked-\\d{8}T\\d{6}Z\\.made-${path.basename(old.file, '.pem')}\\.${kidOf(old).replace(/-/g, '\\-')}\\.pub$`));
    const record = fs.readFileSync(path.join(dir, 'revoked', records[0] as string), 'utf8');
    expect(record).to.include(old.publicKey.export({ format: 'pem', type: 'spki' }).toString()).and.not.include('PRIVATE');
    expect(fs.statSync(path.join(dir, 'revoked', records[0] as string)).mode & 0o777).to.equal(0o600);
    if (runsAsRoot) expect([fs.statSync(path.join(dir, 'revoked')).uid, fs.statSync(path.join(dir, 'revoked')).gid]).to.deep.equal([1000, 0]);
    expect(keysNow()).to.deep.equal([kidOf(fresh)]);
    expect(signingKidOnDisk(dir, undefined)).to.equal(kidOf(fresh));
    expect(r.out).to.include(`revoked kid ${kidOf(old)}`)
      .and.include(`deleted ${old.file}`)
      .and.include(`Signing now: kid ${kidOf(fresh)} (${path.basename(fresh.file)}), the newest remaining key, at once.`)
      .and.include('re-reads the key folder within 10 s')
      .and.include('/validateToken refuses its tokens (revoked_kid)');
    // What Prosody may still hold, and the exact command that drops it.
    expect(r.out).to.include(`Prosody may still accept tokens of kid ${kidOf(old)}, with any exp`)
      .and.include('stays in its cache until Prosody restarts')
      .and.include(`      cd ${c.dir} && docker compose restart prosody\n`)
      .and.include('cache_keys_url is not http://saml2jwt.meet.jitsi:8081/.well-known/jwks.json in XMPP_CONFIGURATION; `setup --signing rs256` sets it');
    // keys list: the remaining key signs; the revoked kid is listed as such
    const l = await keys(['list', '--jitsi-dir', c.dir], { home: c.home });
    expect(l.out).to.match(new RegExp(`^${kidOf(fresh).replace(/-/g, '\\-')} +1m +signing `, 'm'));
    expect(l.out).to.include(`revoked (never signs or is published again):\n  ${kidOf(old)}  `);
  });

  it('a kid that begins with "-" (one in 64) is the kid, not an option: right after revoke, or after --', async () => {
    const kept = writeKey(dir, 86400);
    const dashKid = `-${kidOf(kept).slice(1)}`.replace(/^-(.)/, (_m, c: string) => `-${c === 'A' ? 'B' : 'A'}`);
    for (const argv of [['revoke', dashKid, '--jitsi-dir', c.dir], ['revoke', '--jitsi-dir', c.dir, '--', dashKid]]) {
      const r = await keys(argv, { home: c.home });
      expect(r.code, argv.join(' ')).to.equal(1);
      expect(r.err, argv.join(' ')).to.include(`no key with kid ${dashKid} in ${dir}`).and.not.include('usage');
    }
    expect(keysNow()).to.deep.equal([kidOf(kept)]);
  });

  it('with cache_keys_url in XMPP_CONFIGURATION, says when Prosody drops the kid by itself (max-age − 60 s, then 90 minutes)', async () => {
    fs.appendFileSync(c.envPath, `\nXMPP_CONFIGURATION='c2s_require_encryption = false,cache_keys_url = "http://saml2jwt.meet.jitsi:8081/.well-known/jwks.json"'\n`);
    const a = writeKey(dir, 7200);
    writeKey(dir, 3600);
    const r = await keys(['revoke', kidOf(a), '--jitsi-dir', c.dir], { home: c.home });
    expect(r.code, r.err).to.equal(0);
    expect(r.out).to.include("a key it read from the JWK set (cache_keys_url) leaves by itself within 94 minutes (the set is re-read every 240 s, then 90 minutes' grace)");
    fs.appendFileSync(c.envPath, 'JWT_KEY_ACTIVATION_DELAY=600\n');
    const b = writeKey(dir, 60);
    const again = await keys(['revoke', kidOf(b), '--jitsi-dir', c.dir], { home: c.home });
    expect(again.out).to.include('within 99 minutes (the set is re-read every 540 s');
  });

  it('revoking the last key: nothing signs until keys rotate adds one, which then signs at once', async () => {
    const only = writeKey(dir, 3600);
    const r = await keys(['revoke', kidOf(only), '--jitsi-dir', c.dir], { home: c.home });
    expect(r.code, r.err).to.equal(0);
    expect(r.out).to.include(`No key remains (every key is revoked): the sidecar signs no token (logins answer 503) until you add one with \`jitsi-saml2jwt keys rotate --jitsi-dir ${c.dir}\`; a new key signs at once.`);
    const rotated = await keys(['rotate', '--jitsi-dir', c.dir], { home: c.home });
    expect(rotated.code, rotated.err).to.equal(0);
    expect(rotated.out).to.include('it signs at once');
    expect(keysNow()).to.have.length(1).and.not.include(kidOf(only));
    expect(signingKidOnDisk(dir, undefined)).to.equal(keysNow()[0]);
  });

  it('a retired key never signs again: revoking the signer with only retired keys left leaves none', async () => {
    const retired = writeKey(dir, 86400 * 3);
    const signing = writeKey(dir, 86400 * 2 - 3600);
    expect(signingKidOnDisk(dir, undefined)).to.equal(kidOf(signing));
    const r = await keys(['revoke', kidOf(signing), '--dir', dir]);
    expect(r.code, r.err).to.equal(0);
    expect(r.out).to.include(`No key remains (the others are retired, and a retired key never signs again): the sidecar signs no token (logins answer 503) until you add one with \`jitsi-saml2jwt keys rotate --dir ${dir}\``);
    expect(signingKidOnDisk(dir, undefined)).to.equal(undefined);
    expect(fs.existsSync(retired.file)).to.equal(true);
    // with --dir, the checkout (and its XMPP_CONFIGURATION) is unknown
    expect(r.out).to.include('docker compose restart prosody   (in the docker-jitsi-meet checkout)').and.include('cache_keys_url is unknown here (give --jitsi-dir)');
  });

  it('a revoked kid never comes back: its file restored is ignored by every reader, and revoke again deletes it', async () => {
    writeKey(dir, 7200);
    const b = writeKey(dir, 3600);
    expect((await keys(['revoke', kidOf(b), '--dir', dir])).code).to.equal(0);
    fs.writeFileSync(b.file, b.privatePem, { mode: 0o600 }); // a restore from backup
    expect(keysNow()).to.not.include(kidOf(b));
    const l = await keys(['list', '--dir', dir]);
    expect(l.err).to.include(`${b.file}: key file of a revoked kid, ignored; delete it`);
    const again = await keys(['revoke', kidOf(b), '--dir', dir]);
    expect(again.code, again.err).to.equal(0);
    expect(again.out).to.match(new RegExp(`^kid ${kidOf(b).replace(/-/g, '\\-')} was revoked already \\(\\d{4}-`));
    expect(again.out).to.include(`deleted ${b.file}`);
    expect(fs.existsSync(b.file)).to.equal(false);
    expect(fs.readdirSync(path.join(dir, 'revoked'))).to.have.length(1);
  });

  it('a failure at any write leaves either no revocation and the key as it was, or the record (the kid revoked): never the key gone unrecorded', async () => {
    let failures = 0;
    for (let at = 0; at < 30; at++) {
      const d = makeKeyDir();
      try {
        writeKey(d, 7200);
        const b = writeKey(d, 3600);
        const fault = injectFsFault(d, at, (write) => {
          throw Object.assign(new Error(`injected before ${write}`), { code: 'EIO' });
        });
        let r: { code: number; out: string; err: string } | undefined;
        try {
          r = await keys(['revoke', kidOf(b), '--dir', d]);
        } catch {
          r = undefined; // an unexpected error: thrown on to the CLI
        } finally {
          fault.remove();
        }
        if (!fault.fired) {
          expect(r?.code, r?.err).to.equal(0);
          break;
        }
        failures++;
        expect(r?.code ?? 1, fault.writes[at]).to.not.equal(0);
        const read = readKeyDirectory(d);
        const recorded = read.revocations.some((x) => x.kid === kidOf(b));
        if (recorded) expect('keys' in read && read.keys.map((k) => k.kid), fault.writes[at]).to.not.include(kidOf(b));
        else expect(fs.existsSync(b.file), `${fault.writes[at]}: the key file is still there`).to.equal(true);
        if (recorded && fs.existsSync(b.file)) expect(r?.err).to.include('could not be deleted (EIO): delete it by hand');
      } finally {
        fs.rmSync(d, { recursive: true, force: true });
      }
    }
    expect(failures).to.be.greaterThan(3);
  });

  it('refuses an unknown kid, a malformed kid and a missing one, changing nothing', async () => {
    const a = writeKey(dir, 3600);
    const before = fs.readdirSync(dir);
    const unknown = await keys(['revoke', 'A'.repeat(43), '--dir', dir]);
    expect(unknown.code).to.equal(1);
    expect(unknown.err).to.include(`no key with kid ${'A'.repeat(43)} in ${dir}; \`keys list\` shows the kids`);
    const malformed = await keys(['revoke', '../etc/passwd', '--dir', dir]);
    expect(malformed.code).to.equal(2);
    expect(malformed.err).to.include('"../etc/passwd" is not a kid: a kid is 43 characters of base64url');
    expect((await keys(['revoke', '--dir', dir])).code).to.equal(2);
    expect((await keys(['list', kidOf(a), '--dir', dir])).code).to.equal(2);
    expect(fs.readdirSync(dir)).to.deep.equal(before);
  });
});
