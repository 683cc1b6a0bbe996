// keys sp-rollover add|switch|finish: the key folder at each phase, the refusals, a switch that
// stopped half-way completed by running it again, and the federation's SP metadata written again
// for each phase (with --jitsi-dir, when setup --sp-info made one).
import { expect } from 'chai';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { run as runKeys } from '../../../scripts/keys';
import { rolloverAdd, rolloverPhase, rolloverSwitch, spCertificates } from '../../../scripts/sp-rollover';
import { copyCheckout, directIdpArgs, preCreateSpKeys, realPackageRoot, runSetup, type Checkout } from './checkout-fixture';

async function keys(args: string[], home?: string): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await runKeys(args, { out: (t) => (out += t), err: (t) => (err += t), ...(home ? { home } : {}) });
  return { code, out, err };
}

describe('scripts/sp-rollover: keys sp-rollover add | switch | finish', function () {
  this.timeout(60000);
  let c: Checkout;
  let dir: string;
  beforeEach(async () => {
    c = copyCheckout();
    preCreateSpKeys(c);
    expect((await runSetup(c, [...directIdpArgs, '--sp-info', path.join(realPackageRoot, 'compose-overlay', 'sp-info.example.yml')])).code).to.equal(0);
    dir = path.join(c.configDir, 'saml2jwt', 'sp');
  });
  afterEach(() => c.cleanup());
  const read = (name: string): string => fs.readFileSync(path.join(dir, name), 'utf8');
  const registrar = (): string => fs.readFileSync(path.join(c.configDir, 'saml2jwt', 'sp-metadata.xml'), 'utf8');
  const body = (pem: string): string => pem.replace(/-----[^-]+-----/g, '').replace(/\s+/g, '');

  it('walks the three phases; the metadata lists both certificates while both decrypt, then the new one alone', async () => {
    const original = read('sp-cert.pem');
    const add = await keys(['sp-rollover', 'add', '--jitsi-dir', c.dir], c.home);
    expect(add.code, add.err).to.equal(0);
    expect(add.out).to.include('both keys decrypt, sp-key.pem still signs').and.include('restart saml-sp').and.include('keys sp-rollover switch');
    expect(read('sp-key-next.pem')).to.include('PRIVATE KEY');
    expect((fs.statSync(path.join(dir, 'sp-key-next.pem')).mode & 0o777).toString(8)).to.equal('600');
    const added = read('sp-cert-next.pem');
    expect(rolloverPhase(dir)).to.equal('added');
    expect([...registrar().matchAll(/<ds:X509Certificate>([^<]+)</g)].map((m) => m[1])).to.deep.equal([body(original), body(added)]);
    expect(read('sp-metadata.xml')).to.equal(registrar());

    const sw = await keys(['sp-rollover', 'switch', '--jitsi-dir', c.dir], c.home);
    expect(sw.code, sw.err).to.equal(0);
    expect([read('sp-cert.pem'), read('sp-cert-old.pem')]).to.deep.equal([added, original]);
    expect(spCertificates(dir)).to.deep.equal([added, original]);
    expect([...registrar().matchAll(/<ds:X509Certificate>([^<]+)</g)].map((m) => m[1])).to.deep.equal([body(added), body(original)]);

    const fin = await keys(['sp-rollover', 'finish', '--jitsi-dir', c.dir], c.home);
    expect(fin.code, fin.err).to.equal(0);
    expect(fs.readdirSync(dir).filter((n) => n.includes('-old') || n.includes('-next'))).to.deep.equal([]);
    expect([...registrar().matchAll(/<ds:X509Certificate>([^<]+)</g)].map((m) => m[1])).to.deep.equal([body(added)]);
    // And setup, run again, writes the same document.
    expect((await runSetup(c, directIdpArgs)).out).to.match(/^Nothing to change/);
  });

  it('refuses steps out of order, naming the one to run; a second add never overwrites', async () => {
    expect((await keys(['sp-rollover', 'switch', '--dir', dir])).err).to.include('keys sp-rollover add` first');
    expect((await keys(['sp-rollover', 'finish', '--dir', dir])).code).to.equal(2);
    expect((await keys(['sp-rollover', 'add', '--dir', dir, '--host', 'meet.example.com'])).code).to.equal(0);
    const next = read('sp-key-next.pem');
    const again = await keys(['sp-rollover', 'add', '--dir', dir, '--host', 'meet.example.com']);
    expect(again.code).to.equal(2);
    expect(again.err).to.include('run `keys sp-rollover switch` first');
    expect(read('sp-key-next.pem')).to.equal(next);
    expect((await keys(['sp-rollover', 'finish', '--dir', dir])).err).to.include('`keys sp-rollover switch` first');
    expect((await keys(['sp-rollover', 'rotate', '--dir', dir])).code).to.equal(2);
  });

  it('a switch that stopped half-way is completed by running it again', async () => {
    rolloverAdd(dir, 'meet.example.com', 'https://meet.example.com/saml2jwt/shibboleth');
    const added = read('sp-cert-next.pem');
    // As if the process died after keeping the old pair and moving the new key, not the certificate.
    fs.linkSync(path.join(dir, 'sp-key.pem'), path.join(dir, 'sp-key-old.pem'));
    fs.linkSync(path.join(dir, 'sp-cert.pem'), path.join(dir, 'sp-cert-old.pem'));
    fs.renameSync(path.join(dir, 'sp-key-next.pem'), path.join(dir, 'sp-key.pem'));
    expect(rolloverPhase(dir)).to.equal('switching');
    rolloverSwitch(dir);
    expect(rolloverPhase(dir)).to.equal('switched');
    expect(read('sp-cert.pem')).to.equal(added);
  });
});
