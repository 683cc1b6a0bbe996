// setup --signing rs256|hs256: the first key, the .env for Prosody's key server, the overlay, and
// the way back. A real sidecar configuration is loaded from what setup wrote.
import { expect } from 'chai';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { EnvFile } from '../../../sidecar/src/config/env-file';
import { loadSettings } from '../../../sidecar/src/settings';
import { readKeyDirectory } from '../../../sidecar/src/token/keys/key-directory';
import { createJwtKey, type NewJwtKey } from '../../../scripts/jwt-keys';
import { readJitsiCheckout } from '../../../scripts/jitsi-checkout';
import { parseSetupArgs, resolveInputs } from '../../../scripts/setup-inputs';
import { appSecretNote, planSetup } from '../../../scripts/setup-plan';
import { accessPrint, copyCheckout, directIdpArgs, fingerprint, realPackageRoot, runSetup, runSetupFailingBefore, sharedSpKeys, type Checkout } from './checkout-fixture';

let sharedKey: NewJwtKey | undefined;
const jwtKey = (): NewJwtKey => (sharedKey ??= createJwtKey());
const extra = { makeSpKeys: () => sharedSpKeys(), makeJwtKey: jwtKey };
const envOf = (c: Checkout): EnvFile => EnvFile.parse(fs.readFileSync(c.envPath, 'utf8'));
const keysDir = (c: Checkout): string => path.join(c.configDir, 'saml2jwt', 'jwt-keys');
/** docker-jitsi-meet's template: `join "\n    " (splitList "," .Env.XMPP_CONFIGURATION | compact)` inside the main VirtualHost. */
const virtualHostLines = (value: string | undefined): string[] => (value ?? '').split(',').filter((piece) => piece !== '');

describe('scripts/setup --signing rs256|hs256', function () {
  this.timeout(120000);
  let c: Checkout;
  beforeEach(() => (c = copyCheckout()));
  afterEach(() => c.cleanup());

  it('rs256: first key, JWT_ASAP_KEYSERVER + JWT_SIGN_TYPE for Prosody, JWT_APP_SECRET commented out, the rs256 overlay; the sidecar starts from it', async () => {
    const r = await runSetup(c, [...directIdpArgs, '--signing', 'rs256'], extra);
    expect(r.code, r.err).to.equal(0);
    const env = envOf(c);
    expect(env.expanded('JWT_SIGNING')).to.equal('RS256');
    expect(env.expanded('JWT_SIGN_TYPE')).to.equal('RS256');
    expect(env.expanded('JWT_ASAP_KEYSERVER')).to.equal('http://saml2jwt.meet.jitsi:8081/asap');
    expect(env.expanded('JWT_APP_SECRET')).to.equal(undefined);
    // Prosody's cache_keys_url, through docker-jitsi-meet's XMPP_CONFIGURATION: one Lua line, the URL quoted.
    expect(fs.readFileSync(c.envPath, 'utf8')).to.include(`\nXMPP_CONFIGURATION='cache_keys_url = "http://saml2jwt.meet.jitsi:8081/.well-known/jwks.json"'\n`);
    expect(virtualHostLines(env.expanded('XMPP_CONFIGURATION'))).to.deep.equal(['cache_keys_url = "http://saml2jwt.meet.jitsi:8081/.well-known/jwks.json"']);
    expect(r.out).to.include('reads the JWK set http://saml2jwt.meet.jitsi:8081/.well-known/jwks.json (cache_keys_url in XMPP_CONFIGURATION)');
    // A fresh checkout had no secret: none is made (env.example's commented placeholder stays as it was).
    expect(fs.readFileSync(c.envPath, 'utf8')).to.not.match(/JWT_APP_SECRET=[0-9a-f]{64}/);
    expect(fs.readFileSync(c.envPath, 'utf8')).to.include('#JWT_APP_SECRET=my_jitsi_app_secret\n');
    const read = readKeyDirectory(keysDir(c));
    if ('problems' in read) return expect.fail(read.problems.join('\n'));
    expect(read.keys.map((k) => k.kid)).to.deep.equal([jwtKey().kid]);
    expect(fs.statSync(path.join(keysDir(c), jwtKey().name)).mode & 0o777).to.equal(0o600);
    expect(fs.existsSync(path.join(c.dir, 'saml2jwt-rs256.yml'))).to.equal(true);
    expect(fs.existsSync(path.join(c.configDir, 'saml2jwt', 'secrets', 'jwt_app_secret'))).to.equal(false);
    expect(r.out).to.include('-f saml2jwt.yml -f saml2jwt-rs256.yml').and.include('first RS256 signing key').and.not.include('PRIVATE KEY');
    // What the overlay hands the sidecar: the .env, the key folder, no app secret.
    const settings = loadSettings({ ...env.values(), JWT_SIGNING: 'RS256', JWT_KEYS_DIR: keysDir(c), JWT_APP_SECRET_FILE: '' });
    expect(settings.keys?.signingKey().kid).to.equal(jwtKey().kid);
  });

  it('rs256 over a JWT_ASAP_KEYSERVER ending in a slash writes setup\'s own value, and says it set it', async () => {
    // Prosody would ask for /asap//<hex>.pem, which the key server refuses. Setup owns this value
    // (it never keeps an operator's), so it needs no refusal: it replaces it, as doctor advises.
    fs.appendFileSync(c.envPath, '\nJWT_ASAP_KEYSERVER=http://saml2jwt.meet.jitsi:8081/asap/\n');
    const r = await runSetup(c, [...directIdpArgs, '--signing', 'rs256'], extra);
    expect(r.code, r.err).to.equal(0);
    expect(envOf(c).expanded('JWT_ASAP_KEYSERVER')).to.equal('http://saml2jwt.meet.jitsi:8081/asap');
    expect(r.out).to.match(/\.env: set [^\n]*JWT_ASAP_KEYSERVER/);
  });

  it('with --ha: replicas and RS256 together, one key for every replica, both overlays in the start command', async () => {
    const r = await runSetup(c, [...directIdpArgs, '--signing', 'rs256', '--ha'], extra);
    expect(r.code, r.err).to.equal(0);
    const env = envOf(c);
    expect([env.expanded('SAML2JWT_SIDECAR_REPLICAS'), env.expanded('JWT_SIGN_TYPE'), env.expanded('JWT_APP_SECRET')]).to.deep.equal(['2', 'RS256', undefined]);
    const read = readKeyDirectory(keysDir(c));
    if ('problems' in read) return expect.fail(read.problems.join('\n'));
    expect(read.keys.map((k) => k.kid)).to.deep.equal([jwtKey().kid]);
    expect(r.out).to.include(`cd ${c.dir} && docker compose -f docker-compose.yml -f saml2jwt.yml -f saml2jwt-ha.yml -f saml2jwt-rs256.yml up -d`);
  });

  it('is idempotent, and hs256 restores the very secret rs256 commented out', async () => {
    expect((await runSetup(c, [...directIdpArgs], extra)).code).to.equal(0);
    const secret = envOf(c).expanded('JWT_APP_SECRET');
    expect(secret).to.match(/^[0-9a-f]{64}$/);
    expect((await runSetup(c, [...directIdpArgs, '--signing', 'rs256'], extra)).code).to.equal(0);
    const commented = new RegExp(`^#JWT_APP_SECRET=${secret} # ${appSecretNote.replace(/[()]/g, '\\$&')}$`, 'm');
    expect(fs.readFileSync(c.envPath, 'utf8')).to.match(commented);
    expect(envOf(c).expanded('JWT_APP_SECRET')).to.equal(undefined);
    const after = fingerprint(c.root);
    const again = await runSetup(c, [...directIdpArgs], extra); // the .env says RS256: stays so
    expect(again.out).to.include('Nothing to change');
    expect(fingerprint(c.root)).to.deep.equal(after);

    const back = await runSetup(c, [...directIdpArgs, '--signing', 'hs256'], extra);
    expect(back.code, back.err).to.equal(0);
    const env = envOf(c);
    expect(env.expanded('JWT_APP_SECRET')).to.equal(secret);
    for (const key of ['JWT_SIGNING', 'JWT_SIGN_TYPE', 'JWT_ASAP_KEYSERVER', 'XMPP_CONFIGURATION']) expect(env.expanded(key) ?? '', key).to.equal('');
    expect(fs.readFileSync(c.envPath, 'utf8')).to.not.include(appSecretNote);
    expect(back.out).to.not.include('saml2jwt-rs256.yml');
    expect(fs.readFileSync(path.join(c.configDir, 'saml2jwt', 'secrets', 'jwt_app_secret'), 'utf8')).to.equal(`${secret}\n`);
  });

  it('--dry-run shows both directions, hides the secret on its commented line, and writes nothing', async () => {
    expect((await runSetup(c, [...directIdpArgs], extra)).code).to.equal(0);
    const secret = envOf(c).expanded('JWT_APP_SECRET') as string;
    const before = fingerprint(c.root);
    const toRs = await runSetup(c, [...directIdpArgs, '--signing', 'rs256', '--dry-run'], extra);
    expect(toRs.code, toRs.err).to.equal(0);
    expect(toRs.out).to.match(/^-JWT_APP_SECRET=<hidden [0-9a-f]{8}>$/m).and.match(/^\+#JWT_APP_SECRET=<hidden [0-9a-f]{8}>$/m);
    expect(toRs.out).to.include('+JWT_ASAP_KEYSERVER=http://saml2jwt.meet.jitsi:8081/asap').and.include('+JWT_SIGN_TYPE=RS256');
    expect(toRs.out).to.include(`+XMPP_CONFIGURATION='cache_keys_url = "http://saml2jwt.meet.jitsi:8081/.well-known/jwks.json"'`);
    expect(toRs.out).to.match(/^new secret file \S+\/saml2jwt\/jwt-keys\/<now>\.pem \(mode 0600, .*content not shown\)$/m).and.not.include(secret);
    expect(fingerprint(c.root)).to.deep.equal(before);

    expect((await runSetup(c, [...directIdpArgs, '--signing', 'rs256'], extra)).code).to.equal(0);
    const middle = fingerprint(c.root);
    const toHs = await runSetup(c, [...directIdpArgs, '--signing', 'hs256', '--dry-run'], extra);
    expect(toHs.out).to.match(/^-#JWT_APP_SECRET=<hidden [0-9a-f]{8}>$/m).and.match(/^\+JWT_APP_SECRET=<hidden [0-9a-f]{8}>$/m);
    expect(toHs.out).to.include('-JWT_ASAP_KEYSERVER=http://saml2jwt.meet.jitsi:8081/asap').and.not.include(secret);
    expect(toHs.out).to.include(`-XMPP_CONFIGURATION='cache_keys_url = "http://saml2jwt.meet.jitsi:8081/.well-known/jwks.json"'`).and.include('+XMPP_CONFIGURATION=\n');
    expect(fingerprint(c.root)).to.deep.equal(middle);
  });

  it("keeps the operator's own XMPP_CONFIGURATION pieces, adds ours after them, and takes only ours away again with hs256", async () => {
    const own = 'c2s_require_encryption = false,  muc_room_default_public_jids = true';
    fs.appendFileSync(c.envPath, `\nXMPP_CONFIGURATION=${own}\n`);
    const r = await runSetup(c, [...directIdpArgs, '--signing', 'rs256'], extra);
    expect(r.code, r.err).to.equal(0);
    const value = envOf(c).expanded('XMPP_CONFIGURATION');
    expect(virtualHostLines(value)).to.deep.equal(['c2s_require_encryption = false', '  muc_room_default_public_jids = true', 'cache_keys_url = "http://saml2jwt.meet.jitsi:8081/.well-known/jwks.json"']);
    // edited in place: still one XMPP_CONFIGURATION line
    expect(fs.readFileSync(c.envPath, 'utf8').match(/^XMPP_CONFIGURATION=/gm)).to.have.length(1);
    const after = fingerprint(c.root);
    expect((await runSetup(c, [...directIdpArgs, '--signing', 'rs256'], extra)).out).to.include('Nothing to change');
    expect(fingerprint(c.root)).to.deep.equal(after);
    expect((await runSetup(c, [...directIdpArgs, '--signing', 'hs256'], extra)).code).to.equal(0);
    expect(envOf(c).expanded('XMPP_CONFIGURATION')).to.equal(own);
  });

  it('our URL written without the quotes Lua needs is written properly; a cache_keys_url of the operator\'s is refused, writing nothing', async () => {
    fs.appendFileSync(c.envPath, '\nXMPP_CONFIGURATION=cache_keys_url = http://saml2jwt.meet.jitsi:8081/.well-known/jwks.json,c2s_require_encryption = false\n');
    expect((await runSetup(c, [...directIdpArgs, '--signing', 'rs256'], extra)).code).to.equal(0);
    expect(virtualHostLines(envOf(c).expanded('XMPP_CONFIGURATION'))).to.deep.equal(['c2s_require_encryption = false', 'cache_keys_url = "http://saml2jwt.meet.jitsi:8081/.well-known/jwks.json"']);

    const d = copyCheckout();
    try {
      fs.appendFileSync(d.envPath, `\nXMPP_CONFIGURATION=cache_keys_url = "https://idp.example.org/certs"\n`);
      const before = fingerprint(d.root);
      const refused = await runSetup(d, [...directIdpArgs, '--signing', 'rs256'], extra);
      expect(refused.code).to.equal(2);
      expect(refused.err).to.include('XMPP_CONFIGURATION in .env already gives Prosody cache_keys_url "https://idp.example.org/certs"; with --signing rs256 Prosody must read ours (http://saml2jwt.meet.jitsi:8081/.well-known/jwks.json)');
      expect(fingerprint(d.root)).to.deep.equal(before);
      // HS256 leaves the operator's cache_keys_url alone
      expect((await runSetup(d, [...directIdpArgs], extra)).code).to.equal(0);
      expect(envOf(d).expanded('XMPP_CONFIGURATION')).to.equal('cache_keys_url = "https://idp.example.org/certs"');
    } finally {
      d.cleanup();
    }
  });

  it('refuses --rotate-secret and a key folder with problems, writing nothing', async () => {
    const before = fingerprint(c.root);
    const rotate = await runSetup(c, [...directIdpArgs, '--signing', 'rs256', '--rotate-secret'], extra);
    expect(rotate.code).to.equal(2);
    expect(rotate.err).to.include('--rotate-secret is for HS256');
    const bad = await runSetup(c, [...directIdpArgs, '--signing', 'RSA'], extra);
    expect(bad.code).to.equal(2);
    expect(bad.err).to.include('--signing must be rs256 or hs256, got "RSA"');
    fs.mkdirSync(keysDir(c), { recursive: true });
    fs.writeFileSync(path.join(keysDir(c), 'old.pem'), 'x', { mode: 0o600 });
    const state = fingerprint(c.root);
    const broken = await runSetup(c, [...directIdpArgs, '--signing', 'rs256'], extra);
    expect(broken.code).to.equal(2);
    expect(broken.err).to.include('the RS256 key folder has problems').and.include('old.pem');
    expect(fingerprint(c.root)).to.deep.equal(state);
    expect(before.size).to.be.lessThan(state.size);
  });

  it('not run as root: the key and its folder stay the operator\'s, and setup says how to give them to uid 1000', async () => {
    const checkout = readJitsiCheckout(c.dir, c.home);
    const inputs = await resolveInputs(parseSetupArgs([c.dir, ...directIdpArgs, '--signing', 'rs256']), checkout.env);
    const plan = planSetup(checkout, inputs, { packageRootDir: realPackageRoot, makeSpKeys: null, makeJwtKey: null, secretAccess: (mode) => ({ mode, uid: 4242, gid: 4343 }) });
    const key = plan.files.find((f) => f.path.includes(`${path.sep}jwt-keys${path.sep}`));
    expect(key?.access).to.deep.equal({ mode: 0o600, uid: 4242, gid: 4343 });
    expect(plan.dirAccess.find((d) => d.path === keysDir(c))?.access).to.deep.equal({ mode: 0o750, uid: 4242, gid: 4343 });
    expect(plan.summary.notes).to.include(`the RS256 keys in ${keysDir(c)} must belong to uid 1000 (the sidecar's user), which only root can arrange: sudo chown -R 1000:0 ${keysDir(c)}, then start Jitsi`);
  });

  it('an error before any of its writes leaves every file, folder and mode as it was', async () => {
    let failures = 0;
    for (let at = 0; at < 200; at++) {
      const d = copyCheckout();
      try {
        const state = fingerprint(d.root);
        const access = accessPrint(d.root);
        const { r, fault } = await runSetupFailingBefore(d, at, [...directIdpArgs, '--signing', 'rs256'], extra);
        if (!fault.fired) {
          expect(r.code, r.err).to.equal(0);
          break;
        }
        failures++;
        expect(r.code, fault.writes[at]).to.equal(1);
        expect(fingerprint(d.root), `after a failure before ${fault.writes[at]}`).to.deep.equal(state);
        expect(accessPrint(d.root)).to.deep.equal(access);
      } finally {
        d.cleanup();
      }
    }
    expect(failures).to.be.greaterThan(20);
  });
});
