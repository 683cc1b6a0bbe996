import { expect } from 'chai';
import { X509Certificate, generateKeyPairSync } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { run } from '../../../scripts/keys';
import { copyCheckout, fingerprint, sharedSpKeys, type Checkout } from './checkout-fixture';

async function keys(argv: string[], home?: string): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await run(argv, { out: (t) => (out += t), err: (t) => (err += t), home });
  return { code, out, err };
}

describe('scripts/keys: the SP key and certificate', function () {
  this.timeout(30000);
  let tmp: string;
  let c: Checkout | undefined;
  beforeEach(() => (tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'saml2jwt-keys-'))));
  afterEach(() => {
    fs.rmSync(tmp, { recursive: true, force: true });
    c?.cleanup();
    c = undefined;
  });

  it('generates a pair once, prints its SHA-256 fingerprint and expiry, and never overwrites it', async () => {
    const dir = path.join(tmp, 'sp');
    const first = await keys(['--dir', dir, '--host', 'meet.example.org', '--entity-id', 'https://meet.example.org/saml2jwt/shibboleth']);
    expect(first.code, first.err).to.equal(0);
    expect(first.out).to.include('generated');
    expect(fs.statSync(path.join(dir, 'sp-key.pem')).mode & 0o777).to.equal(0o600);
    const cert = new X509Certificate(fs.readFileSync(path.join(dir, 'sp-cert.pem')));
    expect(first.out).to.include(`SHA-256      ${cert.fingerprint256}`);
    expect(first.out).to.include(`expires      ${new Date(cert.validTo).toISOString()}`);
    expect(first.out).to.include('URI:https://meet.example.org/saml2jwt/shibboleth');
    expect(first.out).not.to.include('PRIVATE KEY');

    const files = fingerprint(dir);
    const second = await keys(['--dir', dir, '--host', 'other.example.org']);
    expect(second.code).to.equal(0);
    expect(second.out).not.to.include('generated');
    expect(second.out).to.include(cert.fingerprint256);
    expect(fingerprint(dir)).to.deep.equal(files);

    const show = await keys(['--dir', dir, '--show']);
    expect(show.code).to.equal(0);
    expect(show.out).to.include(fs.readFileSync(path.join(dir, 'sp-cert.pem'), 'utf8'));
    expect(show.out).not.to.include('PRIVATE KEY');
  });

  it('--show never generates; a missing host is an error; nothing is created', async () => {
    const dir = path.join(tmp, 'empty');
    expect((await keys(['--dir', dir, '--show'])).code).to.equal(1);
    const noHost = await keys(['--dir', dir]);
    expect(noHost.code).to.equal(2);
    expect(noHost.err).to.include('--host');
    expect(fs.existsSync(dir)).to.equal(false);
  });

  it('flags a certificate that does not belong to the key', async () => {
    const dir = path.join(tmp, 'mixed');
    fs.mkdirSync(dir);
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 1024 }); // small: only has to differ
    fs.writeFileSync(path.join(dir, 'sp-key.pem'), privateKey.export({ type: 'pkcs1', format: 'pem' }));
    fs.writeFileSync(path.join(dir, 'sp-cert.pem'), sharedSpKeys().certPem);
    const r = await keys(['--dir', dir]);
    expect(r.code).to.equal(1);
    expect(r.out).to.include('DOES NOT MATCH');
  });

  it('--jitsi-dir: uses ${CONFIG}/saml2jwt/sp and the .env for host and entityID', async () => {
    c = copyCheckout('basic', (t) =>
      t.replace('#PUBLIC_URL=https://meet.example.com:${HTTPS_PORT}', 'PUBLIC_URL=https://meet.example.com:${HTTPS_PORT}') +
      'SP_ENTITY_ID=https://meet.example.com/sp\n',
    );
    const dir = path.join(c.configDir, 'saml2jwt', 'sp');
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, 'sp-key.pem'), sharedSpKeys().keyPem);
    const onlyKey = await keys(['--jitsi-dir', c.dir], c.home);
    expect(onlyKey.code).to.equal(1);
    expect(onlyKey.err).to.include('holds only sp-key.pem');
    fs.rmSync(path.join(dir, 'sp-key.pem'));

    const r = await keys(['--jitsi-dir', c.dir], c.home);
    expect(r.code, r.err).to.equal(0);
    const cert = new X509Certificate(fs.readFileSync(path.join(dir, 'sp-cert.pem')));
    expect(cert.subjectAltName).to.equal('DNS:meet.example.com, URI:https://meet.example.com/sp');
  });
});
