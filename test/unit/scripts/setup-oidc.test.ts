// setup --oidc-*: OpenID Connect beside SAML. The .env names the provider and the files; the client
// secret and the crypto passphrase are 0440 files in the SP key folder and never reach the .env or
// setup's output; a re-run keeps them; a bad issuer or a missing secret writes nothing.
import { expect } from 'chai';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { EnvFile } from '../../../sidecar/src/config/env-file';
import { oidcChecks, oidcDoctorInput } from '../../../scripts/doctor-oidc';
import { readJitsiCheckout } from '../../../scripts/jitsi-checkout';
import { accessPrint, copyCheckout, directIdpArgs, fingerprint, preCreateSpKeys, runsAsRoot, runSetup, runSetupFailingBefore, sharedSpKeys, type Checkout } from './checkout-fixture';

const ISSUER = 'https://login.example.org/realms/staff';
const SECRET = 'oidc-client-secret-Zq81xW';

describe('scripts/setup --oidc-issuer (issue 24 §2)', function () {
  this.timeout(120000);
  let c: Checkout;
  let secretFile: string;
  beforeEach(() => {
    c = copyCheckout();
    preCreateSpKeys(c);
    secretFile = path.join(c.root, 'client-secret.txt');
    fs.writeFileSync(secretFile, `${SECRET}\n`, { mode: 0o600 });
  });
  afterEach(() => c.cleanup());
  const spDir = (): string => path.join(c.configDir, 'saml2jwt', 'sp');
  const env = (): EnvFile => EnvFile.parse(fs.readFileSync(c.envPath, 'utf8'));
  const modeOf = (p: string): string => (fs.statSync(p).mode & 0o7777).toString(8).padStart(4, '0');
  const ownerOf = (p: string): string => `${fs.statSync(p).uid}:${fs.statSync(p).gid}`;
  const wantedOwner = runsAsRoot ? '1000:0' : `${process.getuid?.()}:${process.getgid?.()}`;
  const oidcArgs = (): string[] => [...directIdpArgs, '--oidc-issuer', ISSUER, '--oidc-client-id', 'jitsi-meet', '--oidc-client-secret-file', secretFile];

  it('writes SP_LOGIN=both, the issuer, the client id and the container paths; the secret and a passphrase as 0440 files; prints the redirect URI', async () => {
    const r = await runSetup(c, oidcArgs());
    expect(r.code, r.err).to.equal(0);
    const e = env();
    expect(e.expanded('SP_LOGIN')).to.equal('both');
    expect(e.expanded('OIDC_ISSUER')).to.equal(ISSUER);
    expect(e.expanded('OIDC_CLIENT_ID')).to.equal('jitsi-meet');
    expect(e.expanded('OIDC_CLIENT_SECRET_FILE')).to.equal('/etc/shibboleth/keys/oidc-client-secret');
    expect(e.expanded('OIDC_CRYPTO_PASSPHRASE_FILE')).to.equal('/etc/shibboleth/keys/oidc-crypto-passphrase');
    const secretCopy = path.join(spDir(), 'oidc-client-secret');
    expect(fs.readFileSync(secretCopy, 'utf8')).to.equal(`${SECRET}\n`);
    expect(`${modeOf(secretCopy)} ${ownerOf(secretCopy)}`).to.equal(`0440 ${wantedOwner}`);
    const passphrase = path.join(spDir(), 'oidc-crypto-passphrase');
    expect(fs.readFileSync(passphrase, 'utf8')).to.match(/^[A-Za-z0-9._~+/=-]{32,}\n$/);
    expect(`${modeOf(passphrase)} ${ownerOf(passphrase)}`).to.equal(`0440 ${wantedOwner}`);
    // Never the secret (nor the passphrase) in the .env or in what setup prints.
    const envText = fs.readFileSync(c.envPath, 'utf8');
    expect(envText).not.to.include(SECRET);
    expect(envText).not.to.include(fs.readFileSync(passphrase, 'utf8').trim());
    expect(r.out + r.err).not.to.include(SECRET);
    expect(r.out).to.include('register the redirect URI https://meet.example.com:8443/saml2jwt/oidc/callback for client jitsi-meet');
  });

  it("points Jitsi's tokenLogoutUrl at the SP's own logout page once OpenID Connect is on, and back at Shibboleth's with SAML alone", async () => {
    const customConfig = (): string => fs.readFileSync(path.join(c.configDir, 'web', 'custom-config.js'), 'utf8');
    expect((await runSetup(c, oidcArgs())).code).to.equal(0);
    expect(customConfig()).to.include("config.tokenLogoutUrl = 'https://meet.example.com:8443/saml2jwt/logout';");
    const off = await runSetup(c, [...directIdpArgs, '--sp-login', 'saml']);
    expect(off.code, off.err).to.equal(0);
    expect(customConfig()).to.include(
      "config.tokenLogoutUrl = 'https://meet.example.com:8443/saml2jwt/Shibboleth.sso/Logout?return=https%3A%2F%2Fmeet.example.com%3A8443%2Fsaml2jwt%2FloggedOut';",
    );
  });

  it('--dry-run shows neither the secret nor the passphrase, and writes nothing', async () => {
    const before = fingerprint(c.dir, c.home);
    const r = await runSetup(c, [...oidcArgs(), '--dry-run']);
    expect(r.code, r.err).to.equal(0);
    expect(r.out).to.include('oidc-client-secret').and.include('OIDC_CLIENT_SECRET_FILE=/etc/shibboleth/keys/oidc-client-secret');
    expect(r.out + r.err).not.to.include(SECRET);
    expect(fingerprint(c.dir, c.home)).to.deep.equal(before);
  });

  it('what setup wrote passes doctor\'s checks of the files, read from the checkout', async () => {
    expect((await runSetup(c, oidcArgs())).code).to.equal(0);
    const asked: string[] = [];
    const input = { ...oidcDoctorInput(readJitsiCheckout(c.dir, c.home)), get: async (url: string) => (asked.push(url), { status: url.endsWith('/callback') ? 302 : 200, body: JSON.stringify({ issuer: ISSUER }) }) };
    const results = await oidcChecks(input);
    expect(asked).to.deep.equal([`${ISSUER}/.well-known/openid-configuration`, 'https://meet.example.com:8443/saml2jwt/oidc/callback']);
    expect(results.map((r) => r.ok)).to.deep.equal([true, true, true, true]);
    expect(results[2]!.what).to.include(path.join(spDir(), 'oidc-client-secret'));
  });

  it('host mode: the redirect URI is on the SP\'s own name', async () => {
    const r = await runSetup(c, [...oidcArgs(), '--mode', 'host', '--server-name', 'login.example.com']);
    expect(r.code, r.err).to.equal(0);
    expect(r.out).to.include('redirect URI https://login.example.com/saml2jwt/oidc/callback');
  });

  it('a re-run without --oidc-* keeps everything, the passphrase too; --sp-login oidc and saml switch', async () => {
    expect((await runSetup(c, oidcArgs())).code).to.equal(0);
    const passphrase = fs.readFileSync(path.join(spDir(), 'oidc-crypto-passphrase'), 'utf8');
    const again = await runSetup(c, directIdpArgs);
    expect(again.code, again.err).to.equal(0);
    expect(again.out).to.match(/^Nothing to change/);
    expect(fs.readFileSync(path.join(spDir(), 'oidc-crypto-passphrase'), 'utf8')).to.equal(passphrase);
    expect(env().expanded('OIDC_ISSUER')).to.equal(ISSUER);
    // A mode someone widened is put back, the content kept.
    fs.chmodSync(path.join(spDir(), 'oidc-client-secret'), 0o644);
    expect((await runSetup(c, directIdpArgs)).code).to.equal(0);
    expect(modeOf(path.join(spDir(), 'oidc-client-secret'))).to.equal('0440');
    expect(fs.readFileSync(path.join(spDir(), 'oidc-client-secret'), 'utf8')).to.equal(`${SECRET}\n`);
    expect((await runSetup(c, [...directIdpArgs, '--sp-login', 'oidc'])).code).to.equal(0);
    expect(env().expanded('SP_LOGIN')).to.equal('oidc');
    // A new issuer keeps the operator's oidc-only choice.
    expect((await runSetup(c, [...directIdpArgs, '--oidc-issuer', 'https://login.example.org/realms/guests'])).code).to.equal(0);
    expect(env().expanded('SP_LOGIN')).to.equal('oidc');
    expect(env().expanded('OIDC_ISSUER')).to.equal('https://login.example.org/realms/guests');
    expect(env().expanded('OIDC_CLIENT_SECRET_FILE')).to.equal('/etc/shibboleth/keys/oidc-client-secret');
    const off = await runSetup(c, [...directIdpArgs, '--sp-login', 'saml']);
    expect(off.code, off.err).to.equal(0);
    expect(env().expanded('SP_LOGIN')).to.equal('saml');
    for (const key of ['OIDC_ISSUER', 'OIDC_CLIENT_ID', 'OIDC_CLIENT_SECRET_FILE', 'OIDC_CRYPTO_PASSPHRASE_FILE']) expect(env().expanded(key), key).to.equal('');
  });

  describe('OpenID Connect alone (--sp-login oidc)', () => {
    const publicUrl = directIdpArgs.slice(0, 2);
    const oidcAloneArgs = (): string[] => [...publicUrl, '--non-interactive', '--oidc-issuer', ISSUER, '--oidc-client-id', 'jitsi-meet', '--oidc-client-secret-file', secretFile, '--sp-login', 'oidc'];

    it('needs no IdP: writes no SAML variable, and its next steps name the provider, not SAML metadata', async () => {
      const r = await runSetup(c, oidcAloneArgs());
      expect(r.code, r.err).to.equal(0);
      const e = env();
      expect(e.expanded('SP_LOGIN')).to.equal('oidc');
      expect(e.expanded('OIDC_ISSUER')).to.equal(ISSUER);
      for (const key of ['SSO_URL', 'SHIBBOLETH_TEMPLATE_XML', 'METADATA_URL', 'METADATA_FILE', 'MDQ_URL']) expect(e.expanded(key) ?? '', key).to.equal('');
      expect(r.out).to.include('register the redirect URI https://meet.example.com:8443/saml2jwt/oidc/callback');
      expect(r.out).to.include('Register the redirect URI').and.include('The provider must send: sub, name, email with email_verified');
      expect(r.out).not.to.include('Register this SP at your IdP');
      expect(r.err, 'no SAML metadata, so no warning about its trust').not.to.include('metadata');
      // A re-run (the .env now says oidc) changes nothing.
      const again = await runSetup(c, [...publicUrl, '--non-interactive']);
      expect(again.code, again.err).to.equal(0);
      expect(again.out).to.match(/^Nothing to change/);
    });

    for (const [what, args] of [
      ['both logins (the default with --oidc-issuer)', ['--oidc-issuer', ISSUER, '--oidc-client-id', 'jitsi-meet']],
      ['--sp-login both', ['--oidc-issuer', ISSUER, '--oidc-client-id', 'jitsi-meet', '--sp-login', 'both']],
      ['SAML alone', []],
    ] as const) {
      it(`${what} still needs an IdP: missing input, nothing written`, async () => {
        const before = fingerprint(c.dir, c.home);
        const r = await runSetup(c, [...publicUrl, '--non-interactive', ...args, ...(args.length > 0 ? ['--oidc-client-secret-file', secretFile] : [])]);
        expect(r.code).not.to.equal(0);
        expect(r.err).to.include('which IdP (--idp-entity-id ID, --discovery-url URL or --test-idp)');
        expect(fingerprint(c.dir, c.home)).to.deep.equal(before);
      });
    }

    it('an IdP named with --sp-login oidc is kept for later (SP_LOGIN=both turns it on)', async () => {
      const r = await runSetup(c, [...directIdpArgs, '--oidc-issuer', ISSUER, '--oidc-client-id', 'jitsi-meet', '--oidc-client-secret-file', secretFile, '--sp-login', 'oidc']);
      expect(r.code, r.err).to.equal(0);
      expect(env().expanded('SP_LOGIN')).to.equal('oidc');
      expect(env().expanded('SSO_URL')).to.equal('https://idp.example.org/idp/shibboleth');
    });
  });

  it('copies --oidc-tls-ca into the key folder and names it in OIDC_TLS_CA', async () => {
    const ca = path.join(c.root, 'ca.pem');
    fs.writeFileSync(ca, sharedSpKeys().certPem);
    const r = await runSetup(c, [...oidcArgs(), '--oidc-tls-ca', ca]);
    expect(r.code, r.err).to.equal(0);
    expect(env().expanded('OIDC_TLS_CA')).to.equal('/etc/shibboleth/keys/oidc-tls-ca.pem');
    expect(fs.readFileSync(path.join(spDir(), 'oidc-tls-ca.pem'), 'utf8')).to.equal(sharedSpKeys().certPem);
  });

  for (const [issuer, why] of [
    ['http://login.example.org/realms/staff', 'must be an https URL'],
    ['https://login.example.org/realms/staff?x=1', 'no query or fragment'],
    ['https://login.example.org/realms/staff#top', 'no query or fragment'],
    ['login.example.org', 'is not a URL'],
  ] as const) {
    it(`refuses the issuer ${issuer}, writing nothing`, async () => {
      const before = fingerprint(c.dir, c.home);
      const r = await runSetup(c, [...directIdpArgs, '--oidc-issuer', issuer, '--oidc-client-id', 'jitsi-meet', '--oidc-client-secret-file', secretFile]);
      expect(r.code).to.equal(2);
      expect(r.err).to.include(why);
      expect(fingerprint(c.dir, c.home)).to.deep.equal(before);
    });
  }

  it('without a secret file and without a terminal: a usage error, nothing written', async () => {
    const before = fingerprint(c.dir, c.home);
    const r = await runSetup(c, [...directIdpArgs, '--oidc-issuer', ISSUER, '--oidc-client-id', 'jitsi-meet']);
    expect(r.code).to.equal(2);
    expect(r.err).to.include('--oidc-issuer needs --oidc-client-secret-file FILE');
    expect(fingerprint(c.dir, c.home)).to.deep.equal(before);
  });

  it('on a terminal, asks for the secret through the prompt that does not echo', async () => {
    const asked: string[] = [];
    const args = ['--public-url', 'https://meet.example.com:8443', '--idp-entity-id', 'https://idp.example.org/idp/shibboleth', '--metadata-url', 'https://idp.example.org/idp/shibboleth', '--yes', '--oidc-issuer', ISSUER, '--oidc-client-id', 'jitsi-meet'];
    const r = await runSetup(c, args, {
      interactive: true,
      ask: async (q) => (asked.push(`echo: ${q}`), ''),
      askSecret: async (q) => (asked.push(`hidden: ${q}`), SECRET),
    });
    expect(r.code, r.err).to.equal(0);
    expect(asked).to.deep.equal(['hidden: OpenID Connect client secret (not shown): ']);
    expect(fs.readFileSync(path.join(spDir(), 'oidc-client-secret'), 'utf8')).to.equal(`${SECRET}\n`);
    expect(r.out + r.err).not.to.include(SECRET);
  });

  it('an error before any of its writes leaves every file and mode as it was, the secret files too', async () => {
    const before = fingerprint(c.dir, c.home);
    const modes = accessPrint(c.dir, c.home);
    let at = 1;
    for (; ; at++) {
      const { r, fault } = await runSetupFailingBefore(c, at, oidcArgs());
      if (!fault.fired) {
        expect(r.code, r.err).to.equal(0);
        break;
      }
      expect(r.code, `write ${at}`).not.to.equal(0);
      expect(fingerprint(c.dir, c.home), `write ${at}`).to.deep.equal(before);
      expect(accessPrint(c.dir, c.home), `write ${at}`).to.deep.equal(modes);
    }
    expect(at).to.be.greaterThan(3); // the secret, the passphrase and the .env at least
    expect(fs.existsSync(path.join(spDir(), 'oidc-client-secret'))).to.equal(true);
  });
});
