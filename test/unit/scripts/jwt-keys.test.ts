import { expect } from 'chai';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { run } from '../../../scripts/keys';
import { jwtKeysDir, signingKidOnDisk } from '../../../scripts/jwt-keys';
import { EnvFile } from '../../../sidecar/src/config/env-file';
import { readKeyDirectory } from '../../../sidecar/src/token/keys/key-directory';
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
