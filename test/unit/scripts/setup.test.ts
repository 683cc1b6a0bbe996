// `jitsi-saml2jwt setup` against copies of a docker-jitsi-meet checkout: what it writes, and
// above all what it must never lose.
import { expect } from 'chai';
import { execFileSync, spawnSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import forge from 'node-forge';
import { EnvFile } from '../../../sidecar/src/config/env-file';
import { ownHeader } from '../../../scripts/env-file-edit';
import { testIdp } from '../../../scripts/test-idp';
import { beginMarker, endMarker } from '../../../scripts/custom-config-block';
import { isOverlayFile } from '../../../scripts/setup/overlays';
import {
  copyCheckout,
  directIdpArgs,
  envLines,
  fingerprint,
  preCreateSpKeys,
  realPackageRoot,
  runSetup,
  runsAsRoot,
  sharedSpKeys,
  sudoEnv,
  type Checkout,
} from './checkout-fixture';

// 64 hex characters with many distinct ones: a secret the sidecar itself accepts.
const strongSecret = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

describe('scripts/setup: wiring SAML login into a docker-jitsi-meet checkout', function () {
  this.timeout(30000);
  let c: Checkout;
  afterEach(() => c?.cleanup());

  const read = (p: string): string => fs.readFileSync(p, 'utf8');
  const env = (): EnvFile => EnvFile.parse(read(c.envPath));
  const backups = (): string[] => fs.readdirSync(c.dir).filter((n) => n.startsWith('.env.bak-saml2jwt-'));

  describe('the .env', () => {
    it('keeps every line it does not own byte-identical, in order, and replaces #KEY= lines in place', async () => {
      c = copyCheckout();
      preCreateSpKeys(c);
      const r = await runSetup(c, directIdpArgs);
      expect(r.code, r.err).to.equal(0);

      const before = envLines(c.originalEnv);
      const after = envLines(read(c.envPath));
      const owned = new Set(['PUBLIC_URL', 'ENABLE_AUTH', 'AUTH_TYPE', 'JWT_APP_ID', 'JWT_APP_SECRET']);
      const keyOf = (line: string): string | undefined => /^#?([A-Z_][A-Z0-9_]*)=/.exec(line)?.[1];
      let replaced = 0;
      before.forEach((line, i) => {
        const key = keyOf(line);
        if (key && owned.has(key) && line.startsWith('#') && i === before.findIndex((l) => keyOf(l) === key)) {
          expect(after[i], `line ${i + 1}`).to.match(new RegExp(`^${key}=\\S+\\n$`));
          replaced++;
        } else {
          expect(after[i], `line ${i + 1}`).to.equal(line);
        }
      });
      expect(replaced).to.equal(owned.size);
      // Everything else is appended after the original lines, under one header.
      const appended = after.slice(before.length);
      expect(appended[0]).to.equal('\n');
      expect(appended[1]).to.equal(`${ownHeader}\n`);
      expect(appended.slice(2).every((l) => /^[A-Z0-9_]+=\S*\n$/.test(l))).to.equal(true);

      const e = env();
      expect(e.expanded('ENABLE_AUTH')).to.equal('1');
      expect(e.expanded('AUTH_TYPE')).to.equal('jwt');
      expect(e.expanded('JWT_APP_ID')).to.equal('jitsi');
      expect(e.expanded('JWT_APP_SECRET')).to.match(/^[0-9a-f]{64}$/);
      expect(e.expanded('SIDECAR_PROXY_SECRET')).to.match(/^[0-9a-f]{64}$/);
      expect(e.expanded('SIDECAR_PROXY_SECRET')).not.to.equal(e.expanded('JWT_APP_SECRET'));
      expect(e.expanded('JWT_ENABLE_DOMAIN_VERIFICATION')).to.equal('true');
      expect(e.expanded('TOKEN_AUTH_URL')).to.equal('https://meet.example.com:8443/saml2jwt/redirectWithToken?room={room}&state={state}');
      expect(e.expanded('SAML2JWT_MODE')).to.equal('path');
      expect(e.expanded('SHIBBOLETH_TEMPLATE_XML')).to.equal('direct');
      expect(e.expanded('SP_ENTITY_ID')).to.equal('https://meet.example.com:8443/saml2jwt/shibboleth');
      expect(e.expanded('METADATA_URL')).to.equal('https://idp.example.org/idp/shibboleth');
      expect(e.expanded('SSO_URL')).to.equal('https://idp.example.org/idp/shibboleth');
      expect(e.expanded('SAML2JWT_SRC')).to.equal(realPackageRoot);
      expect(e.expanded('ENABLE_GUESTS')).to.equal(undefined); // only with --guests
      // no key is set twice
      const keys = read(c.envPath).split('\n').map((l) => /^([A-Z_][A-Z0-9_]*)=/.exec(l)?.[1]).filter(Boolean);
      expect(new Set(keys).size).to.equal(keys.length);
      // a timestamped backup of the original
      expect(backups()).to.have.length(1);
      expect(read(path.join(c.dir, backups()[0] as string))).to.equal(c.originalEnv);
      // secrets are never printed
      expect(r.out + r.err).not.to.include(e.expanded('JWT_APP_SECRET'));
      expect(r.out + r.err).not.to.include(e.expanded('SIDECAR_PROXY_SECRET'));
    });

    it('keeps CRLF line endings and a missing final newline', async () => {
      c = copyCheckout('basic', (t) => t.replace(/\n/g, '\r\n').replace(/\r\n$/, ''));
      preCreateSpKeys(c);
      expect((await runSetup(c, directIdpArgs)).code).to.equal(0);
      const text = read(c.envPath);
      expect(text.endsWith('\n')).to.equal(false);
      expect(text.replace(/\r\n/g, '')).not.to.include('\n');
      const originalLines = c.originalEnv.split('\r\n');
      const lines = text.split('\r\n');
      originalLines.forEach((l, i) => {
        if (!/^#?(PUBLIC_URL|ENABLE_AUTH|AUTH_TYPE|JWT_APP_ID|JWT_APP_SECRET)=/.test(l)) expect(lines[i]).to.equal(l);
      });
    });

    it('makes a 0644 .env and its backup 0600, owned by the user running setup, and says so', async () => {
      c = copyCheckout();
      fs.chmodSync(c.envPath, 0o644); // what `cp env.example .env` leaves
      preCreateSpKeys(c);
      const r = await runSetup(c, directIdpArgs);
      expect(r.code, r.err).to.equal(0);
      const backup = path.join(c.dir, backups()[0] as string);
      for (const file of [c.envPath, backup]) {
        const st = fs.statSync(file);
        expect(st.mode & 0o777, file).to.equal(0o600);
        expect([st.uid, st.gid], file).to.deep.equal([process.getuid?.(), process.getgid?.()]);
      }
      expect(r.out).to.match(/mode 0600, owned by \S+ \(uid \d+\), because the \.env holds secrets: \.env, \.env\.bak-saml2jwt-/);
    });

    it('as root without sudo, keeps the .env (and gives its backups) to the user who owns it', async function () {
      if (!runsAsRoot) this.skip();
      c = copyCheckout();
      fs.chmodSync(c.envPath, 0o644);
      fs.chownSync(c.envPath, 4242, 4343);
      preCreateSpKeys(c);
      const r = await runSetup(c, directIdpArgs, { env: {} });
      expect(r.code, r.err).to.equal(0);
      for (const file of [c.envPath, path.join(c.dir, backups()[0] as string)]) {
        const st = fs.statSync(file);
        expect(`${(st.mode & 0o777).toString(8)} ${st.uid}:${st.gid}`, file).to.equal('600 4242:4343');
      }
      expect(r.out).to.include("owned by the .env's owner (uid 4242)");
    });

    it('names the .env and older backups that are still readable by others, without changing them, when it does not write them', async () => {
      c = copyCheckout();
      preCreateSpKeys(c);
      expect((await runSetup(c, directIdpArgs)).code).to.equal(0);
      const older = path.join(c.dir, '.env.bak-saml2jwt-20250101T000000Z'); // made by an earlier version
      fs.writeFileSync(older, c.originalEnv);
      fs.chmodSync(older, 0o644);
      fs.chmodSync(c.envPath, 0o640);
      const r = await runSetup(c, directIdpArgs);
      expect(r.out).to.match(/^Nothing to change/);
      expect(r.out).to.include('Note: readable by others than their owner, though they hold JWT_APP_SECRET and Jitsi\'s passwords: .env (0640), .env.bak-saml2jwt-20250101T000000Z (0644)');
      expect(r.out).to.include(`fix: chmod 600 ${c.envPath} ${older}`);
      expect(fs.statSync(older).mode & 0o777).to.equal(0o644);
      // a run that writes the .env makes it private; the older backup is still named
      const again = await runSetup(c, [...directIdpArgs, '--rotate-secret']);
      expect(fs.statSync(c.envPath).mode & 0o777).to.equal(0o600);
      expect(again.out).to.include('readable by others than their owner, though they hold JWT_APP_SECRET and Jitsi\'s passwords: .env.bak-saml2jwt-20250101T000000Z (0644)');
    });

    it('under sudo, gives the .env and every backup to the user who ran sudo (SUDO_UID / SUDO_GID)', async function () {
      if (!runsAsRoot) this.skip(); // only root may give files away
      c = copyCheckout();
      fs.chmodSync(c.envPath, 0o664);
      const custom = path.join(c.configDir, 'web', 'custom-config.js');
      fs.mkdirSync(path.dirname(custom), { recursive: true });
      fs.writeFileSync(custom, 'config.disableDeepLinking = true;\n', { mode: 0o644 });
      preCreateSpKeys(c);
      const r = await runSetup(c, directIdpArgs, { env: sudoEnv });
      expect(r.code, r.err).to.equal(0);
      const customBackup = fs.readdirSync(path.dirname(custom)).find((n) => n.startsWith('custom-config.js.bak-saml2jwt-')) as string;
      for (const file of [c.envPath, path.join(c.dir, backups()[0] as string), path.join(path.dirname(custom), customBackup)]) {
        const st = fs.statSync(file);
        expect(`${(st.mode & 0o777).toString(8)} ${st.uid}:${st.gid}`, file).to.equal('600 4242:4343');
      }
      expect(r.out).to.include('owned by alice (uid 4242)');
    });

    it('keeps an existing real JWT_APP_ID and a strong JWT_APP_SECRET', async () => {
      c = copyCheckout('basic', (t) =>
        t.replace('#JWT_APP_ID=my_jitsi_app_id', 'JWT_APP_ID=acme_meet').replace('#JWT_APP_SECRET=my_jitsi_app_secret', `JWT_APP_SECRET=${strongSecret}`),
      );
      preCreateSpKeys(c);
      expect((await runSetup(c, directIdpArgs)).code).to.equal(0);
      expect(env().expanded('JWT_APP_ID')).to.equal('acme_meet');
      expect(env().expanded('JWT_APP_SECRET')).to.equal(strongSecret);
      expect(read(c.envPath)).to.include(`\nJWT_APP_SECRET=${strongSecret}\n`);
    });

    it('replaces a placeholder, short or low-entropy secret (anything the sidecar would refuse) and placeholder app id, in place', async () => {
      // The last two are 32+ characters: a length check alone would keep them, and the sidecar would not start.
      for (const weak of ['my_jitsi_app_secret', 'tooshort123', 'a'.repeat(40), 'changeme-changeme-changeme-change']) {
        c = copyCheckout('basic', (t) =>
          t.replace('#JWT_APP_ID=my_jitsi_app_id', 'JWT_APP_ID=my_jitsi_app_id').replace('#JWT_APP_SECRET=my_jitsi_app_secret', `JWT_APP_SECRET=${weak}`),
        );
        preCreateSpKeys(c);
        expect((await runSetup(c, directIdpArgs)).code).to.equal(0);
        const secret = env().expanded('JWT_APP_SECRET') as string;
        expect(secret).to.match(/^[0-9a-f]{64}$/);
        expect(env().expanded('JWT_APP_ID')).to.equal('jitsi');
        const lines = read(c.envPath).split('\n');
        expect(lines.indexOf(`JWT_APP_SECRET=${secret}`)).to.equal(c.originalEnv.split('\n').indexOf(`JWT_APP_SECRET=${weak}`));
        c.cleanup();
      }
    });

    it('rotates a strong secret only with --rotate-secret', async () => {
      c = copyCheckout('basic', (t) => t.replace('#JWT_APP_SECRET=my_jitsi_app_secret', `JWT_APP_SECRET=${strongSecret}`));
      preCreateSpKeys(c);
      expect((await runSetup(c, directIdpArgs)).code).to.equal(0);
      expect(env().expanded('JWT_APP_SECRET')).to.equal(strongSecret);
      const proxySecret = env().expanded('SIDECAR_PROXY_SECRET');
      const r = await runSetup(c, [...directIdpArgs, '--rotate-secret']);
      expect(r.code).to.equal(0);
      expect(r.out).to.include('JWT_APP_SECRET rotated');
      expect(env().expanded('JWT_APP_SECRET')).to.match(/^[0-9a-f]{64}$/).and.not.equal(strongSecret);
      expect(env().expanded('SIDECAR_PROXY_SECRET')).to.equal(proxySecret); // generated once, kept after
    });

    it('--rotate-secret: the new .env and its backup are 0600 again, and the backups with the old secret are named', async () => {
      c = copyCheckout('basic', (t) => t.replace('#JWT_APP_SECRET=my_jitsi_app_secret', `JWT_APP_SECRET=${strongSecret}`));
      preCreateSpKeys(c);
      expect((await runSetup(c, directIdpArgs)).code).to.equal(0);
      fs.chmodSync(c.envPath, 0o644); // loosened by hand since
      const r = await runSetup(c, [...directIdpArgs, '--rotate-secret']);
      expect(r.code, r.err).to.equal(0);
      expect(backups()).to.have.length(2);
      for (const file of [c.envPath, ...backups().map((b) => path.join(c.dir, b))]) expect(fs.statSync(file).mode & 0o777, file).to.equal(0o600);
      // Both backups hold the strong secret that was rotated out; without a terminal nothing is asked or removed.
      expect(r.out).to.match(/Note: 2 \.env backups hold an old JWT_APP_SECRET; remove them with --remove-old-backups/);
      for (const b of backups()) expect(r.out).to.include(b);
      expect(r.out + r.err).not.to.include(strongSecret);
    });

    it('--remove-old-backups removes only the backups whose secret is an old real one', async () => {
      c = copyCheckout(); // JWT_APP_SECRET is the placeholder: that backup is kept
      preCreateSpKeys(c);
      expect((await runSetup(c, directIdpArgs)).code).to.equal(0);
      const original = backups();
      expect(original).to.have.length(1);
      const r = await runSetup(c, [...directIdpArgs, '--rotate-secret', '--remove-old-backups']);
      expect(r.code, r.err).to.equal(0);
      expect(r.out).to.match(/removed 1 \.env backup that held an old JWT_APP_SECRET/);
      expect(backups()).to.deep.equal(original);
      expect(read(path.join(c.dir, original[0] as string))).to.equal(c.originalEnv);
      // Nothing else to change: the flag alone still removes, and a run without it names nothing.
      const again = await runSetup(c, [...directIdpArgs, '--remove-old-backups']);
      expect(again.code, again.err).to.equal(0);
      expect(again.out).to.match(/^Nothing to change/).and.not.include('removed');
    });

    it('--rotate-secret on a terminal asks whether to remove the backups with the old secret; -y does not remove them', async () => {
      c = copyCheckout();
      preCreateSpKeys(c);
      expect((await runSetup(c, directIdpArgs)).code).to.equal(0);
      const asked: string[] = [];
      const answers = ['y', 'y'];
      const r = await runSetup(c, [...directIdpArgs.filter((a) => a !== '--non-interactive'), '--rotate-secret'], {
        interactive: true,
        ask: async (q) => (asked.push(q), answers.shift() ?? ''),
      });
      expect(r.code, r.err).to.equal(0);
      expect(asked).to.have.length(2);
      expect(asked[1]).to.equal('Remove them? [y/N] ');
      expect(r.out).to.include('1 .env backup holds an old JWT_APP_SECRET');
      expect(backups()).to.have.length(1); // only the original's

      const yes = await runSetup(c, [...directIdpArgs.filter((a) => a !== '--non-interactive'), '--rotate-secret', '--yes'], {
        interactive: true,
        ask: async (q) => {
          throw new Error(`asked ${q}`);
        },
      });
      expect(yes.code, yes.err).to.equal(0);
      expect(backups()).to.have.length(2);
      expect(yes.out).to.include('remove it with --remove-old-backups');
    });

    it('keeps a PUBLIC_URL written with ${...} references when it already means the same URL', async () => {
      c = copyCheckout('basic', (t) => t.replace('#PUBLIC_URL=https://meet.example.com:${HTTPS_PORT}', 'PUBLIC_URL=https://meet.example.com:${HTTPS_PORT}'));
      preCreateSpKeys(c);
      const args = directIdpArgs.filter((a, i, all) => a !== '--public-url' && all[i - 1] !== '--public-url');
      const r = await runSetup(c, args);
      expect(r.code, r.err).to.equal(0);
      expect(read(c.envPath)).to.include('\nPUBLIC_URL=https://meet.example.com:${HTTPS_PORT}\n');
      expect(env().expanded('TOKEN_AUTH_URL')).to.equal('https://meet.example.com:8443/saml2jwt/redirectWithToken?room={room}&state={state}');
    });
  });

  describe('runs that must change nothing', () => {
    it('a second run with the same inputs changes nothing, says so, and makes no backup', async () => {
      c = copyCheckout();
      preCreateSpKeys(c);
      expect((await runSetup(c, directIdpArgs)).code).to.equal(0);
      const state = fingerprint(c.dir, c.home);
      const again = await runSetup(c, directIdpArgs);
      expect(again.code).to.equal(0);
      expect(again.out).to.match(/^Nothing to change/);
      expect(fingerprint(c.dir, c.home)).to.deep.equal(state);
      // and so does a run with no flags at all: the .env remembers the inputs
      const bare = await runSetup(c, ['--non-interactive']);
      expect(bare.code, bare.err).to.equal(0);
      expect(bare.out).to.match(/^Nothing to change/);
      expect(fingerprint(c.dir, c.home)).to.deep.equal(state);
      expect(backups()).to.have.length(1);
    });

    it('--dry-run prints a unified diff of every file and touches none', async () => {
      c = copyCheckout();
      fs.mkdirSync(path.join(c.configDir, 'web'), { recursive: true });
      fs.writeFileSync(path.join(c.configDir, 'web', 'custom-config.js'), "config.disableDeepLinking = true;\n");
      const state = fingerprint(c.dir, c.home);
      const r = await runSetup(c, [...directIdpArgs, '--dry-run']);
      expect(r.code, r.err).to.equal(0);
      expect(fingerprint(c.dir, c.home)).to.deep.equal(state);
      expect(r.out).to.include('--- .env\n+++ .env\n');
      expect(r.out).to.include('-#ENABLE_AUTH=1\n+ENABLE_AUTH=1\n');
      expect(r.out).to.include('-#AUTH_TYPE=internal\n+AUTH_TYPE=jwt\n');
      expect(r.out).to.match(/^\+JWT_APP_SECRET=<hidden [0-9a-f]{8}>$/m);
      expect(r.out).not.to.include(EnvFile.parse(c.originalEnv).expanded('JICOFO_AUTH_PASSWORD'));
      expect(r.out).to.include(`+++ ${path.join(c.configDir, 'web', 'custom-config.js')}`);
      expect(r.out).to.include(" config.disableDeepLinking = true;\n+\n+" + beginMarker);
      expect(r.out).to.include('+++ saml2jwt.yml');
      expect(r.out).to.include(`+++ ${path.join(c.configDir, 'web', 'nginx-custom', 'saml2jwt.conf')}`);
      expect(r.out).to.match(/new file .*sp-key\.pem \(generated, content not shown\)/);
    });

    it('--dry-run never shows a secret, old or new, but shows that it changes', async () => {
      c = copyCheckout('basic', (t) => t.replace('#JWT_APP_SECRET=my_jitsi_app_secret', `JWT_APP_SECRET=${strongSecret}`));
      preCreateSpKeys(c);
      const state = fingerprint(c.dir, c.home);
      const r = await runSetup(c, [...directIdpArgs, '--rotate-secret', '--dry-run']);
      expect(r.code, r.err).to.equal(0);
      expect(fingerprint(c.dir, c.home)).to.deep.equal(state);
      const removed = /^-JWT_APP_SECRET=<hidden ([0-9a-f]{8})>$/m.exec(r.out);
      const added = /^\+JWT_APP_SECRET=<hidden ([0-9a-f]{8})>$/m.exec(r.out);
      expect(removed?.[1]).to.be.a('string').and.not.equal(added?.[1]);
      expect(r.out).not.to.include(strongSecret);
    });

    it('refuses a malformed .env with its line number and writes nothing', async () => {
      c = copyCheckout('basic', (t) => t.split('\n').map((l, i) => (i === 20 ? 'HTTP PORT = 8000' : l)).join('\n'));
      const state = fingerprint(c.dir, c.home);
      const r = await runSetup(c, directIdpArgs);
      expect(r.code).to.equal(1);
      expect(r.err).to.match(/line 21\b/).and.include('HTTP PORT = 8000').and.include('nothing was written');
      expect(fingerprint(c.dir, c.home)).to.deep.equal(state);
    });

    it('without a .env but with env.example, says to run docker-jitsi-meet\'s setup first', async () => {
      c = copyCheckout('no-env');
      const state = fingerprint(c.dir, c.home);
      const r = await runSetup(c, directIdpArgs);
      expect(r.code).not.to.equal(0);
      expect(r.err).to.include('cp env.example .env && ./gen-passwords.sh');
      expect(fingerprint(c.dir, c.home)).to.deep.equal(state);
    });

    it('--non-interactive with missing input: names every missing flag, exit 2, writes nothing', async () => {
      c = copyCheckout();
      const state = fingerprint(c.dir, c.home);
      const r = await runSetup(c, ['--non-interactive']);
      expect(r.code).to.equal(2);
      expect(r.err).to.include('--public-url').and.include('--idp-entity-id').and.include('--metadata-url');
      expect(fingerprint(c.dir, c.home)).to.deep.equal(state);
    });

    it('refuses invalid input with a clear message, exit 2, writes nothing', async () => {
      c = copyCheckout();
      const state = fingerprint(c.dir, c.home);
      const cases: [string[], RegExp][] = [
        [['--public-url', 'http://meet.example.com'], /must start with https/],
        [['--public-url', 'https://meet_example..com'], /must look like https:\/\/host/],
        [['--public-url', 'https://meet.example.com/jitsi'], /no path/],
        [['--metadata-url', 'http://idp.example.org/metadata'], /must be https/],
        [['--idp-entity-id', 'not a uri'], /not an absolute URI/],
        [['--mode', 'host', '--server-name', 'bad name:99999'], /legal host/],
        [['--mode', 'sideways'], /path" or "host/],
        [['--discovery-url', 'https://ds.example.org/ds'], /either --idp-entity-id .* or --discovery-url/],
      ];
      for (const [override, message] of cases) {
        const args = [...directIdpArgs];
        for (let i = 0; i < override.length; i += 2) {
          const at = args.indexOf(override[i] as string);
          if (at >= 0) args[at + 1] = override[i + 1] as string;
          else args.push(override[i] as string, override[i + 1] as string);
        }
        const r = await runSetup(c, args);
        expect(r.code, override.join(' ')).to.equal(2);
        expect(r.err, override.join(' ')).to.match(message);
      }
      expect(fingerprint(c.dir, c.home)).to.deep.equal(state);
    });
  });

  describe('the other files', () => {
    it('adds tokenLogoutUrl to custom-config.js keeping its content, and replaces only its own block later', async () => {
      c = copyCheckout();
      preCreateSpKeys(c);
      const custom = path.join(c.configDir, 'web', 'custom-config.js');
      fs.mkdirSync(path.dirname(custom), { recursive: true });
      const operator = "// mine\nconfig.disableDeepLinking = true;\nconfig.toolbarButtons = ['microphone'];";
      fs.writeFileSync(custom, operator);
      expect((await runSetup(c, directIdpArgs)).code).to.equal(0);
      const first = read(custom);
      expect(first.startsWith(operator + '\n')).to.equal(true);
      const logoutUrl = (base: string): string => `${base}/saml2jwt/Shibboleth.sso/Logout?return=${encodeURIComponent(`${base}/saml2jwt/loggedOut`)}`;
      expect(first).to.include(`config.tokenLogoutUrl = '${logoutUrl('https://meet.example.com:8443')}';`);

      fs.appendFileSync(custom, 'config.p2p = { enabled: false };\n');
      const args = directIdpArgs.map((a) => (a === 'https://meet.example.com:8443' ? "https://other.example.com" : a));
      expect((await runSetup(c, args)).code).to.equal(0);
      const second = read(custom);
      expect(second.split(beginMarker)).to.have.length(2);
      expect(second.split(endMarker)).to.have.length(2);
      expect(second).to.include(`config.tokenLogoutUrl = '${logoutUrl('https://other.example.com')}';`);
      expect(second).not.to.include('meet.example.com:8443/saml2jwt/Shibboleth.sso/Logout');
      expect(second.startsWith(operator + '\n')).to.equal(true);
      expect(second.endsWith('config.p2p = { enabled: false };\n')).to.equal(true);
      // the logout line is valid JavaScript that yields exactly the URL
      const config: Record<string, unknown> = {};
      new Function('config', second.slice(second.indexOf(beginMarker)))(config);
      expect(config.tokenLogoutUrl).to.equal(logoutUrl('https://other.example.com'));
    });

    it('--inline-login writes config.tokenAuthInline = true into our block and says which clients are ready; a run without it removes the line', async () => {
      c = copyCheckout();
      preCreateSpKeys(c);
      const custom = path.join(c.configDir, 'web', 'custom-config.js');
      const on = await runSetup(c, [...directIdpArgs, '--inline-login']);
      expect(on.code, on.err).to.equal(0);
      const block = read(custom).slice(read(custom).indexOf(beginMarker));
      const config: Record<string, unknown> = {};
      new Function('config', block)(config);
      expect(config).to.deep.equal({
        tokenAuthInline: true,
        tokenLogoutUrl: `https://meet.example.com:8443/saml2jwt/Shibboleth.sso/Logout?return=${encodeURIComponent('https://meet.example.com:8443/saml2jwt/loggedOut')}`,
      });
      expect(on.out).to.include('web, inline login (popup, renewal without leaving the meeting, silent logout): ready');
      expect(on.out).to.include('iOS app: ready (org.jitsi.meet://)');
      expect(on.out).to.include('Android app: ready (intent, scheme / package org.jitsi.meet / org.jitsi.meet)');
      expect(on.out).to.include('desktop app (Electron): ready (jitsi-meet://)');

      const dry = await runSetup(c, [...directIdpArgs, '--dry-run']);
      expect(dry.code, dry.err).to.equal(0);
      expect(dry.out).to.include('-config.tokenAuthInline = true;');
      expect(read(custom)).to.include('config.tokenAuthInline = true;');

      const off = await runSetup(c, directIdpArgs);
      expect(off.code, off.err).to.equal(0);
      expect(read(custom)).not.to.include('tokenAuthInline');
      expect(off.out).to.include('web, inline login: off (turn it on with --inline-login)');
    });

    it('--inline-login in host mode is refused with the reason, exit 2, writes nothing', async () => {
      c = copyCheckout();
      const state = fingerprint(c.dir, c.home);
      const r = await runSetup(c, [...directIdpArgs, '--mode', 'host', '--server-name', 'login.example.com', '--inline-login']);
      expect(r.code).to.equal(2);
      expect(r.err).to.match(/--inline-login needs path mode: Jitsi accepts the login popup's message only from its own origin/);
      expect(fingerprint(c.dir, c.home)).to.deep.equal(state);
    });

    it('installs the nginx snippet and every compose overlay from the package, byte for byte', async () => {
      c = copyCheckout();
      preCreateSpKeys(c);
      expect((await runSetup(c, directIdpArgs)).code).to.equal(0);
      const overlayDir = path.join(realPackageRoot, 'compose-overlay');
      expect(read(path.join(c.configDir, 'web', 'nginx-custom', 'saml2jwt.conf'))).to.equal(read(path.join(overlayDir, 'nginx', 'saml2jwt.conf')));
      const overlays = fs.readdirSync(overlayDir).filter(isOverlayFile);
      expect(overlays).to.include('saml2jwt.yml');
      for (const name of overlays) expect(read(path.join(c.dir, name)), name).to.equal(read(path.join(overlayDir, name)));
      expect(fs.existsSync(path.join(c.configDir, 'saml2jwt', 'metadata'))).to.equal(true);
    });

    it('ENABLE_HSTS=0: the nginx snippet without its HSTS lines (Jitsi sends none), the rest byte for byte; back on with the default', async () => {
      c = copyCheckout();
      preCreateSpKeys(c);
      const installed = path.join(c.configDir, 'web', 'nginx-custom', 'saml2jwt.conf');
      const shipped = read(path.join(realPackageRoot, 'compose-overlay', 'nginx', 'saml2jwt.conf'));
      fs.appendFileSync(c.envPath, '\nENABLE_HSTS=0\n');
      expect((await runSetup(c, directIdpArgs)).code).to.equal(0);
      const withoutHsts = read(installed);
      expect(withoutHsts).to.not.include('Strict-Transport-Security $').and.not.include('saml2jwt:hsts');
      expect(withoutHsts).to.include('add_header X-Content-Type-Options nosniff;'); // still keeps Jitsi's headers out
      const hstsLines = shipped.split('\n').filter((line) => !withoutHsts.split('\n').includes(line));
      expect(withoutHsts.split('\n').length).to.equal(shipped.split('\n').length - hstsLines.length);
      expect(hstsLines.map((l) => l.trim())).to.deep.equal(['# saml2jwt:hsts-begin', 'set $saml2jwt_hsts "";', 'if ($https) {', 'set $saml2jwt_hsts "max-age=63072000";', '}', '# An empty value adds no header.', 'add_header Strict-Transport-Security $saml2jwt_hsts always;', '# saml2jwt:hsts-end']);

      fs.writeFileSync(c.envPath, read(c.envPath).replace('\nENABLE_HSTS=0\n', '\nENABLE_HSTS=\n'));
      expect((await runSetup(c, directIdpArgs)).code).to.equal(0);
      expect(read(installed)).to.equal(shipped);
    });

    it('with --moderators: copies the policy, adds token_affiliation and token_lobby_bypass once, turns auto-owner off', async () => {
      c = copyCheckout();
      preCreateSpKeys(c);
      const policy = path.join(c.root, 'moderators.yml');
      fs.writeFileSync(policy, 'rules:\n  - name: staff moderate\n    match:\n      - { attribute: affiliation, equals: staff@uni.example }\n    affiliation: owner\n');
      const args = [...directIdpArgs, '--moderators', policy, '--guests'];
      const r = await runSetup(c, args);
      expect(r.code, r.err).to.equal(0);
      expect(read(path.join(c.configDir, 'saml2jwt', 'policy', 'policy.yml'))).to.equal(read(policy));
      const e = env();
      expect(e.expanded('POLICY_FILE')).to.equal('/config/policy/policy.yml');
      expect(e.expanded('XMPP_MUC_MODULES')).to.equal('muc_foo,muc_bar,token_affiliation,token_lobby_bypass');
      expect(e.expanded('ENABLE_AUTO_OWNER')).to.equal('0');
      expect(e.expanded('ENABLE_GUESTS')).to.equal('1');
      expect(read(c.envPath)).to.include('\n#ENABLE_GUESTS=1\n'.replace('#', '')); // replaced in place
      expect(r.out, 'token_affiliation ships with the prosody image: nothing to install').to.not.match(/mod_token_affiliation\.lua|download|prosody-plugins-custom/i);
      expect(r.out).to.include("roles: token_affiliation, token_lobby_bypass in XMPP_MUC_MODULES (shipped in docker-jitsi-meet's prosody image) and jicofo's auto-owner off (ENABLE_AUTO_OWNER=0)");
      // The policy says nothing of lobby_bypass: a moderator's token carries it anyway (issue 21).
      expect(e.expanded('XMPP_MUC_MODULES')).to.include('token_lobby_bypass');
      expect(e.expanded('WAIT_FOR_HOST_DISABLE_AUTO_OWNERS')).to.equal(undefined);
      const again = await runSetup(c, args);
      expect(again.out).to.match(/^Nothing to change/);
      expect(env().expanded('XMPP_MUC_MODULES')).to.equal('muc_foo,muc_bar,token_affiliation,token_lobby_bypass');
    });

    it('with --moderators and a policy granting lobby_bypass: adds token_lobby_bypass too, once', async () => {
      c = copyCheckout();
      preCreateSpKeys(c);
      const policy = path.join(c.root, 'moderators.yml');
      fs.writeFileSync(
        policy,
        'rules:\n  - name: staff moderate and skip the lobby\n    match:\n      - { attribute: affiliation, equals: staff@uni.example }\n    moderator: true\n    lobby_bypass: true\n',
      );
      const args = [...directIdpArgs, '--moderators', policy];
      const r = await runSetup(c, args);
      expect(r.code, r.err).to.equal(0);
      expect(env().expanded('XMPP_MUC_MODULES')).to.equal('muc_foo,muc_bar,token_affiliation,token_lobby_bypass');
      expect(env().expanded('ENABLE_AUTO_OWNER')).to.equal('0');
      const again = await runSetup(c, args);
      expect(again.out).to.match(/^Nothing to change/);
      expect(env().expanded('XMPP_MUC_MODULES')).to.equal('muc_foo,muc_bar,token_affiliation,token_lobby_bypass');
    });

    it('--wait-for-host: muc_wait_for_host + persistent_lobby + WAIT_FOR_HOST_DISABLE_AUTO_OWNERS=1; idempotent; --dry-run shows it', async () => {
      c = copyCheckout();
      preCreateSpKeys(c);
      const policy = path.join(c.root, 'moderators.yml');
      fs.writeFileSync(policy, 'rules:\n  - name: staff\n    match: { attribute: affiliation, equals: staff@uni.example }\n    moderator: true\n');
      const args = [...directIdpArgs, '--moderators', policy, '--wait-for-host'];
      const before = fingerprint(c.dir, c.home);
      const dry = await runSetup(c, [...args, '--dry-run']);
      expect(dry.code, dry.err).to.equal(0);
      expect(dry.out).to.include('+WAIT_FOR_HOST_DISABLE_AUTO_OWNERS=1').and.include('muc_wait_for_host');
      expect(fingerprint(c.dir, c.home), '--dry-run changes nothing').to.deep.equal(before);
      const r = await runSetup(c, args);
      expect(r.code, r.err).to.equal(0);
      const e = env();
      expect(e.expanded('XMPP_MUC_MODULES')).to.equal('muc_foo,muc_bar,token_affiliation,token_lobby_bypass,muc_wait_for_host');
      expect(e.expanded('XMPP_MODULES')?.split(',')).to.include('persistent_lobby');
      expect(e.expanded('WAIT_FOR_HOST_DISABLE_AUTO_OWNERS')).to.equal('1');
      expect(e.expanded('ENABLE_AUTO_OWNER')).to.equal('0');
      // muc_wait_for_host holds only guests (no token): without them it changes nothing, and says so.
      expect(r.out).to.include('wait for host: guests are off (ENABLE_GUESTS), so nobody waits');
      const again = await runSetup(c, args);
      expect(again.out).to.match(/^Nothing to change/);
      const withGuests = await runSetup(c, [...args, '--guests']);
      expect(withGuests.out).to.include('wait for host: guests wait in the lobby until the first signed-in user (any token, student or staff) has joined');
    });

    it('--moderators writes the module list without spaces: the template trims nothing, Prosody would miss " token_affiliation"', async () => {
      c = copyCheckout();
      preCreateSpKeys(c);
      fs.writeFileSync(c.envPath, read(c.envPath).replace('XMPP_MUC_MODULES=muc_foo,muc_bar', 'XMPP_MUC_MODULES=muc_foo, token_affiliation ,muc_bar'));
      const policy = path.join(c.root, 'moderators.yml');
      fs.writeFileSync(policy, 'rules:\n  - name: staff\n    match: { attribute: affiliation, equals: staff@uni.example }\n    moderator: true\n');
      const r = await runSetup(c, [...directIdpArgs, '--moderators', policy]);
      expect(r.code, r.err).to.equal(0);
      expect(env().expanded('XMPP_MUC_MODULES')).to.equal('muc_foo,token_affiliation,muc_bar,token_lobby_bypass');
    });

    it('--ha: the HA overlay beside the others, replica counts in the .env, the one extra -f in the command; later runs keep it', async () => {
      c = copyCheckout();
      preCreateSpKeys(c);
      const r = await runSetup(c, [...directIdpArgs, '--ha']);
      expect(r.code, r.err).to.equal(0);
      expect(read(path.join(c.dir, 'saml2jwt-ha.yml'))).to.equal(read(path.join(realPackageRoot, 'compose-overlay', 'saml2jwt-ha.yml')));
      const e = env();
      expect(e.expanded('SAML2JWT_SP_REPLICAS')).to.equal('2');
      expect(e.expanded('SAML2JWT_SIDECAR_REPLICAS')).to.equal('2');
      expect(r.out).to.include(`cd ${c.dir} && docker compose -f docker-compose.yml -f saml2jwt.yml -f saml2jwt-ha.yml up -d`);
      expect(r.out).to.include('users sign in again');
      expect(r.out, 'names the handbook page').to.include('docs/running-more-than-one.md');
      // Not asked again, still HA: the line keeps the overlay, nothing changes.
      const again = await runSetup(c, directIdpArgs);
      expect(again.code, again.err).to.equal(0);
      expect(again.out).to.match(/^Nothing to change/);
      expect(again.out).to.include('-f saml2jwt.yml -f saml2jwt-ha.yml up -d');
    });

    it('--ha keeps replica counts the operator chose', async () => {
      c = copyCheckout();
      preCreateSpKeys(c);
      fs.appendFileSync(c.envPath, 'SAML2JWT_SP_REPLICAS=3\n');
      const r = await runSetup(c, [...directIdpArgs, '--ha']);
      expect(r.code, r.err).to.equal(0);
      expect(env().expanded('SAML2JWT_SP_REPLICAS')).to.equal('3');
      expect(env().expanded('SAML2JWT_SIDECAR_REPLICAS')).to.equal('2');
    });

    it('--ha is refused in host mode and with the backend API (one published port each), writing nothing', async () => {
      c = copyCheckout();
      const state = fingerprint(c.dir, c.home);
      const host = await runSetup(c, [...directIdpArgs, '--ha', '--mode', 'host', '--server-name', 'login.example.com']);
      expect(host.code).to.equal(2);
      expect(host.err).to.include('--ha runs in path mode only');
      expect(fingerprint(c.dir, c.home)).to.deep.equal(state);
      fs.appendFileSync(c.envPath, 'ENABLE_BACKEND_JWT_REQUEST=true\n');
      const withBackend = fingerprint(c.dir, c.home);
      const backend = await runSetup(c, [...directIdpArgs, '--ha']);
      expect(backend.code).to.equal(2);
      expect(backend.err).to.include('--ha with the backend API');
      expect(fingerprint(c.dir, c.home)).to.deep.equal(withBackend);
    });

    it('--wait-for-host without --moderators is refused, writing nothing', async () => {
      c = copyCheckout();
      const state = fingerprint(c.dir, c.home);
      const r = await runSetup(c, [...directIdpArgs, '--wait-for-host']);
      expect(r.code).to.equal(2);
      expect(r.err).to.include('--wait-for-host needs --moderators');
      expect(fingerprint(c.dir, c.home)).to.deep.equal(state);
    });

    it('refuses a policy the sidecar would refuse, writing nothing', async () => {
      c = copyCheckout();
      const policy = path.join(c.root, 'bad.yml');
      fs.writeFileSync(policy, 'rules:\n  - name: x\n    match:\n      - { attribute: shoeSize, equals: "42" }\n');
      const state = fingerprint(c.dir, c.home);
      const r = await runSetup(c, [...directIdpArgs, '--moderators', policy]);
      expect(r.code).to.equal(2);
      expect(r.err).to.include('not a valid policy').and.include('shoeSize');
      expect(fingerprint(c.dir, c.home)).to.deep.equal(state);
    });

    it('host mode: URLs on the SP\'s own name, no nginx snippet, the host-mode overlay in the command', async () => {
      c = copyCheckout();
      preCreateSpKeys(c);
      const r = await runSetup(c, [...directIdpArgs, '--mode', 'host', '--server-name', 'login.example.com:9444']);
      expect(r.code, r.err).to.equal(0);
      const e = env();
      expect(e.expanded('SAML2JWT_MODE')).to.equal('host');
      expect(e.expanded('SERVER_NAME')).to.equal('login.example.com:9444');
      expect(e.expanded('TOKEN_AUTH_URL')).to.equal('https://login.example.com:9444/saml2jwt/redirectWithToken?room={room}&state={state}');
      // The logout returns to the signed-out page on the SP's own host (redirectLimit="exact").
      const logout = `https://login.example.com:9444/saml2jwt/Shibboleth.sso/Logout?return=${encodeURIComponent('https://login.example.com:9444/saml2jwt/loggedOut')}`;
      expect(read(path.join(c.configDir, 'web', 'custom-config.js'))).to.include(`config.tokenLogoutUrl = '${logout}';`);
      expect(r.out).to.include('web, inline login: off (needs path mode)');
      expect(fs.existsSync(path.join(c.configDir, 'web', 'nginx-custom', 'saml2jwt.conf'))).to.equal(false);
      const hostOverlay = fs.existsSync(path.join(realPackageRoot, 'compose-overlay', 'saml2jwt-hostmode.yml'));
      expect(r.out.includes('-f saml2jwt-hostmode.yml')).to.equal(hostOverlay);
    });

    it('adds the backend overlay to the command when the .env enables the backend API, in any spelling the sidecar accepts', async () => {
      for (const [flag, published] of [['yes', true], ['TRUE', true], ['1', true], ['no', false]] as const) {
        c = copyCheckout('basic', (t) => `${t}ENABLE_BACKEND_JWT_REQUEST=${flag}\n`);
        preCreateSpKeys(c);
        const r = await runSetup(c, directIdpArgs);
        expect(r.code, r.err).to.equal(0);
        expect(r.out.includes('-f saml2jwt-backend.yml'), `ENABLE_BACKEND_JWT_REQUEST=${flag}`).to.equal(published);
        c.cleanup();
      }
    });

    it('--test-idp: points the SP at the compose test IdP and adds its profile to the command', async () => {
      c = copyCheckout();
      preCreateSpKeys(c);
      const r = await runSetup(c, ['--public-url', 'https://meet.example.com:8443', '--test-idp', '--non-interactive']);
      expect(r.code, r.err).to.equal(0);
      const idp = testIdp();
      expect(env().expanded('METADATA_URL')).to.equal(idp.metadataUrl);
      expect(env().expanded('SSO_URL')).to.equal(idp.entityId);
      // the SP checks the test IdP's TLS certificate against the test IdP's own CA, which the overlay mounts
      expect(env().expanded('METADATA_TLS_CA')).to.equal('/etc/shibboleth/test-idp-ca/ca-cert.pem');
      expect(r.out).to.include('docker compose -f docker-compose.yml -f saml2jwt.yml --profile test-idp up -d');
      expect(r.out).to.include('https://meet.example.com:8443/saml2jwt/Shibboleth.sso/Metadata');
      const again = await runSetup(c, ['--non-interactive']);
      expect(again.out).to.match(/^Nothing to change/);
      expect(again.out).to.include('--profile test-idp up -d');
      for (const attribute of ['mail', 'displayName', 'eduPersonPrincipalName', 'pairwise-id', 'subject-id', 'eduPersonScopedAffiliation', 'eduPersonEntitlement']) {
        expect(r.out).to.include(attribute);
      }
    });

    it('switching from --test-idp to a real IdP empties METADATA_TLS_CA (the system CAs again); an operator\'s own CA stays', async () => {
      c = copyCheckout();
      preCreateSpKeys(c);
      expect((await runSetup(c, ['--public-url', 'https://meet.example.com:8443', '--test-idp', '--non-interactive'])).code).to.equal(0);
      expect(env().expanded('METADATA_TLS_CA')).to.equal(testIdp().tlsCa);
      const r = await runSetup(c, directIdpArgs);
      expect(r.code, r.err).to.equal(0);
      expect(env().expanded('METADATA_TLS_CA')).to.equal('');
      expect(read(c.envPath)).to.include('\nMETADATA_TLS_CA=\n');
      expect(env().expanded('METADATA_URL')).to.equal('https://idp.example.org/idp/shibboleth');

      fs.appendFileSync(c.envPath, 'METADATA_TLS_CA=/etc/shibboleth/keys/our-ca.pem\n');
      expect((await runSetup(c, directIdpArgs)).out).to.match(/^Nothing to change/);
      expect(env().expanded('METADATA_TLS_CA')).to.equal('/etc/shibboleth/keys/our-ca.pem');
    });

    it('federation: copies the metadata signing certificate into the SP key folder', async () => {
      c = copyCheckout();
      preCreateSpKeys(c);
      const pem = path.join(c.root, 'federation-signer.pem');
      fs.writeFileSync(pem, sharedSpKeys().certPem);
      const r = await runSetup(c, [
        '--public-url', 'https://meet.example.com:8443',
        '--discovery-url', 'https://ds.federation.example/ds',
        '--metadata-url', 'http://md.federation.example/aggregate.xml', // plain http is fine when signed
        '--metadata-signing-cert', pem,
        '--non-interactive',
      ]);
      expect(r.code, r.err).to.equal(0);
      expect(env().expanded('SHIBBOLETH_TEMPLATE_XML')).to.equal('federation');
      expect(env().expanded('SSO_URL')).to.equal('https://ds.federation.example/ds');
      expect(env().expanded('METADATA_SIGNING_CERT')).to.equal('/etc/shibboleth/keys/metadata-signing-cert.pem');
      expect(read(path.join(c.configDir, 'saml2jwt', 'sp', 'metadata-signing-cert.pem'))).to.equal(sharedSpKeys().certPem);
    });

    describe('how the IdP metadata is authenticated', () => {
      const idpEntity = 'https://idp.example.org/idp/shibboleth';
      const directArgs = ['--public-url', 'https://meet.example.com:8443', '--idp-entity-id', idpEntity, '--non-interactive'];
      const metadataXml = (entity: string): string =>
        `<?xml version="1.0"?>\n<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="${entity}"><md:IDPSSODescriptor/></md:EntityDescriptor>\n`;
      const spDir = (): string => path.join(c.configDir, 'saml2jwt', 'sp');

      it('direct mode takes a signing certificate too: copied into the SP key folder, named in METADATA_SIGNING_CERT', async () => {
        c = copyCheckout();
        preCreateSpKeys(c);
        const pem = path.join(c.root, 'idp-signer.pem');
        fs.writeFileSync(pem, sharedSpKeys().certPem);
        const r = await runSetup(c, [...directArgs, '--metadata-url', 'https://idp.example.org/metadata.xml', '--metadata-signing-cert', pem]);
        expect(r.code, r.err).to.equal(0);
        expect(env().expanded('SHIBBOLETH_TEMPLATE_XML')).to.equal('direct');
        expect(env().expanded('METADATA_SIGNING_CERT')).to.equal('/etc/shibboleth/keys/metadata-signing-cert.pem');
        expect(read(path.join(spDir(), 'metadata-signing-cert.pem'))).to.equal(sharedSpKeys().certPem);
        expect(r.out).to.include('IdP metadata: authenticated by its signature (METADATA_SIGNING_CERT=/etc/shibboleth/keys/metadata-signing-cert.pem)');
        expect(r.err).to.equal('');
        // the test IdP's metadata is not signed by that certificate: --test-idp empties it
        expect((await runSetup(c, ['--test-idp', '--non-interactive'])).code).to.equal(0);
        expect(env().expanded('METADATA_SIGNING_CERT')).to.equal('');
        expect(env().expanded('SHIBBOLETH_TEMPLATE_XML')).to.equal('direct');
      });

      it('--metadata-file: the IdP\'s metadata as a local file (METADATA_FILE, no METADATA_URL); --metadata-url later empties it', async () => {
        c = copyCheckout();
        preCreateSpKeys(c);
        expect((await runSetup(c, [...directArgs, '--metadata-url', 'https://idp.example.org/metadata.xml'])).code).to.equal(0);
        const file = path.join(c.root, 'idp.xml');
        fs.writeFileSync(file, metadataXml(idpEntity));
        const r = await runSetup(c, [...directArgs, '--metadata-file', file]);
        expect(r.code, r.err).to.equal(0);
        expect(env().expanded('METADATA_FILE')).to.equal('/etc/shibboleth/keys/idp-metadata.xml');
        expect(env().expanded('METADATA_URL')).to.equal(''); // the SP refuses both at once
        expect(read(path.join(spDir(), 'idp-metadata.xml'))).to.equal(metadataXml(idpEntity));
        expect(r.out).to.include('IdP metadata: the local file METADATA_FILE=/etc/shibboleth/keys/idp-metadata.xml');
        // a re-run without flags keeps the file
        expect((await runSetup(c, ['--non-interactive'])).out).to.match(/^Nothing to change/);
        const back = await runSetup(c, [...directArgs, '--metadata-url', 'https://idp.example.org/metadata.xml']);
        expect(back.code, back.err).to.equal(0);
        expect(env().expanded('METADATA_FILE')).to.equal('');
        expect(env().expanded('METADATA_URL')).to.equal('https://idp.example.org/metadata.xml');
      });

      it('--metadata-tls-ca: a private CA for the https metadata server, copied and named in METADATA_TLS_CA', async () => {
        c = copyCheckout();
        preCreateSpKeys(c);
        const ca = path.join(c.root, 'our-ca.pem');
        fs.writeFileSync(ca, sharedSpKeys().certPem);
        const r = await runSetup(c, [...directIdpArgs, '--metadata-tls-ca', ca]);
        expect(r.code, r.err).to.equal(0);
        expect(env().expanded('METADATA_TLS_CA')).to.equal('/etc/shibboleth/keys/metadata-tls-ca.pem');
        expect(read(path.join(spDir(), 'metadata-tls-ca.pem'))).to.equal(sharedSpKeys().certPem);
        expect(r.out).to.include(
          'IdP metadata: authenticated by TLS only: the certificate of idp.example.org must chain to the CA in METADATA_TLS_CA=/etc/shibboleth/keys/metadata-tls-ca.pem and name that host. A signing certificate (--metadata-signing-cert) is stronger.',
        );
        const plain = await runSetup(c, directIdpArgs);
        expect(plain.out).to.match(/^Nothing to change/); // the operator's CA stays
        expect(plain.out).to.include('must chain to the CA in METADATA_TLS_CA=/etc/shibboleth/keys/metadata-tls-ca.pem');
      });

      it('warns plainly, on stderr, when the metadata is not authenticated (plain http without a signing certificate)', async () => {
        c = copyCheckout();
        preCreateSpKeys(c);
        const r = await runSetup(c, [...directArgs, '--metadata-url', 'http://idp.meet.jitsi:8080/metadata.xml']);
        expect(r.code, r.err).to.equal(0);
        expect(r.err).to.include('setup: warning: IdP metadata is NOT authenticated: a plain http:// METADATA_URL without METADATA_SIGNING_CERT');
        expect(r.err).to.include("How should the SP authenticate your IdP's metadata? In order of preference:");
        expect(r.out).to.include('WARNING: IdP metadata is NOT authenticated');
        const https = await runSetup(c, directIdpArgs);
        expect(https.err).to.equal('');
        expect(https.out).to.include('IdP metadata: authenticated by TLS only: the certificate of idp.example.org must chain to the system CAs');
      });

      it('explains the three ways in --help', async () => {
        c = copyCheckout();
        const r = await runSetup(c, ['--help']);
        expect(r.code).to.equal(0);
        for (const line of [
          "How should the SP authenticate your IdP's metadata? In order of preference:",
          '1. A signing certificate (--metadata-signing-cert, METADATA_SIGNING_CERT)',
          '2. A local metadata file (--metadata-file, METADATA_FILE; direct mode only).',
          '3. An https METADATA_URL',
          'Not authenticated: a plain http:// METADATA_URL without METADATA_SIGNING_CERT.',
        ]) {
          expect(r.out).to.include(line);
        }
      });

      it('refuses what cannot work, with a clear message, exit 2, writing nothing', async () => {
        c = copyCheckout();
        const notPem = path.join(c.root, 'not.pem');
        fs.writeFileSync(notPem, 'hello\n');
        const otherIdp = path.join(c.root, 'other.xml');
        fs.writeFileSync(otherIdp, metadataXml('https://other.example.org/idp'));
        const state = fingerprint(c.dir, c.home);
        const cases: [string[], RegExp][] = [
          [[...directArgs, '--metadata-file', otherIdp], /--metadata-file: .*other\.xml has no EntityDescriptor for the IdP https:\/\/idp\.example\.org\/idp\/shibboleth \(it names https:\/\/other\.example\.org\/idp\)/],
          [[...directArgs, '--metadata-file', notPem], /--metadata-file: .*not SAML metadata/],
          [[...directArgs, '--metadata-file', otherIdp, '--metadata-url', 'https://idp.example.org/md.xml'], /either --metadata-url or --metadata-file/],
          [['--public-url', 'https://meet.example.com', '--discovery-url', 'https://ds.example.org/ds', '--metadata-file', otherIdp, '--non-interactive'], /works only with one IdP \(direct\)/],
          [[...directArgs, '--metadata-url', 'https://idp.example.org/md.xml', '--metadata-tls-ca', notPem], /--metadata-tls-ca: .*not a PEM certificate/],
          [[...directArgs, '--metadata-url', 'http://idp.meet.jitsi/md.xml', '--metadata-tls-ca', '/etc/shibboleth/keys/ca.pem'], /needs an https --metadata-url/],
          [[...directArgs, '--metadata-url', 'https://idp.example.org/md.xml', '--metadata-signing-cert', '/tmp/nowhere.pem'], /neither a file here nor a path inside the SP container/],
          [['--public-url', 'https://meet.example.com', '--test-idp', '--metadata-tls-ca', notPem, '--non-interactive'], /--test-idp sets the IdP, its metadata and its CA itself: drop --metadata-tls-ca/],
          [['--public-url', 'https://meet.example.com', '--discovery-url', 'https://ds.example.org/ds', '--template', 'discovery', '--metadata-url', 'https://md.example.org/', '--metadata-signing-cert', '/etc/shibboleth/keys/x.pem', '--non-interactive'], /does not go with the discovery template/],
        ];
        for (const [args, message] of cases) {
          const r = await runSetup(c, args);
          expect(r.code, args.join(' ')).to.equal(2);
          expect(r.err, args.join(' ')).to.match(message);
        }
        expect(fingerprint(c.dir, c.home)).to.deep.equal(state);
      });
    });

    it('asks on a terminal for what is missing, then confirms', async () => {
      c = copyCheckout();
      preCreateSpKeys(c);
      const answers = ['https://meet.example.com', 'https://idp.example.org/idp/shibboleth', 'https://idp.example.org/md.xml', 'y'];
      const asked: string[] = [];
      const r = await runSetup(c, [], {
        interactive: true,
        ask: async (q) => {
          asked.push(q);
          return answers.shift() ?? '';
        },
      });
      expect(r.code, r.err).to.equal(0);
      expect(asked).to.have.length(4);
      expect(asked[3]).to.include('Apply these changes?');
      expect(env().expanded('PUBLIC_URL')).to.equal('https://meet.example.com');
      expect(env().expanded('METADATA_URL')).to.equal('https://idp.example.org/md.xml');
    });
  });

  describe('the secret files for compose `secrets:`', () => {
    const secretsDir = (): string => path.join(c.configDir, 'saml2jwt', 'secrets');
    const accessOf = (p: string): string => {
      const st = fs.statSync(p);
      return `${(st.mode & 0o7777).toString(8).padStart(4, '0')} ${st.uid}:${st.gid}`;
    };
    // As root, setup gives them to the containers' users; otherwise they stay the operator's.
    const wantedOwner = runsAsRoot ? '1000:0' : `${process.getuid?.()}:${process.getgid?.()}`;
    const overlayNames = (): string[] => {
      const names: string[] = [];
      for (const file of fs.readdirSync(path.join(realPackageRoot, 'compose-overlay')).filter(isOverlayFile)) {
        const text = read(path.join(realPackageRoot, 'compose-overlay', file));
        for (const m of text.matchAll(/file: \$\{CONFIG\}\/saml2jwt\/secrets\/(\S+)/g)) names.push(m[1]!);
      }
      return names.sort();
    };

    it('mirrors the .env values into ${CONFIG}/saml2jwt/secrets/, one line each, 0440 in a 0750 folder, owned by uid 1000 and group 0', async () => {
      c = copyCheckout();
      preCreateSpKeys(c);
      const r = await runSetup(c, directIdpArgs);
      expect(r.code, r.err).to.equal(0);
      expect(accessOf(secretsDir())).to.equal(`0750 ${wantedOwner}`);
      expect(fs.readdirSync(secretsDir()).sort()).to.deep.equal(['jwt_app_secret', 'sidecar_proxy_secret']);
      for (const [name, key] of [['jwt_app_secret', 'JWT_APP_SECRET'], ['sidecar_proxy_secret', 'SIDECAR_PROXY_SECRET']] as const) {
        const file = path.join(secretsDir(), name);
        expect(read(file), name).to.equal(`${env().expanded(key)}\n`);
        expect(accessOf(file), name).to.equal(`0440 ${wantedOwner}`);
        expect(r.out + r.err, `${key} printed`).not.to.include(env().expanded(key));
      }
      expect(r.out).to.include(`secret files jwt_app_secret, sidecar_proxy_secret in ${secretsDir()}: the .env's values, mode 0440, owner uid ${wantedOwner.split(':')[0]}, group ${wantedOwner.split(':')[1]}`);
      // the same names the overlay mounts (backend_api_key only with the backend overlay)
      expect(overlayNames()).to.deep.equal(['backend_api_key', 'jwt_app_secret', 'sidecar_proxy_secret']);
      // a second run finds them in place
      expect((await runSetup(c, directIdpArgs)).out).to.match(/^Nothing to change/);
    });

    it('puts back a wrong mode or owner, and a value that differs from the .env, without a backup', async () => {
      c = copyCheckout();
      preCreateSpKeys(c);
      expect((await runSetup(c, directIdpArgs)).code).to.equal(0);
      const file = path.join(secretsDir(), 'sidecar_proxy_secret');
      fs.chmodSync(file, 0o644);
      fs.chmodSync(secretsDir(), 0o755);
      fs.chmodSync(path.join(secretsDir(), 'jwt_app_secret'), 0o640);
      fs.writeFileSync(path.join(secretsDir(), 'jwt_app_secret'), 'stale\n');
      const r = await runSetup(c, directIdpArgs);
      expect(r.code, r.err).to.equal(0);
      expect(accessOf(file)).to.equal(`0440 ${wantedOwner}`);
      expect(accessOf(secretsDir())).to.equal(`0750 ${wantedOwner}`);
      expect(read(path.join(secretsDir(), 'jwt_app_secret'))).to.equal(`${env().expanded('JWT_APP_SECRET')}\n`);
      expect(fs.readdirSync(secretsDir()).sort()).to.deep.equal(['jwt_app_secret', 'sidecar_proxy_secret']);
    });

    it('--rotate-secret rewrites jwt_app_secret with the new value', async () => {
      c = copyCheckout('basic', (t) => t.replace('#JWT_APP_SECRET=my_jitsi_app_secret', `JWT_APP_SECRET=${strongSecret}`));
      preCreateSpKeys(c);
      expect((await runSetup(c, directIdpArgs)).code).to.equal(0);
      const jwtFile = path.join(secretsDir(), 'jwt_app_secret');
      expect(read(jwtFile)).to.equal(`${strongSecret}\n`);
      const proxyBefore = read(path.join(secretsDir(), 'sidecar_proxy_secret'));
      const r = await runSetup(c, [...directIdpArgs, '--rotate-secret']);
      expect(r.code, r.err).to.equal(0);
      const rotated = env().expanded('JWT_APP_SECRET');
      expect(rotated).to.not.equal(strongSecret);
      expect(read(jwtFile)).to.equal(`${rotated}\n`);
      expect(accessOf(jwtFile)).to.equal(`0440 ${wantedOwner}`);
      expect(read(path.join(secretsDir(), 'sidecar_proxy_secret'))).to.equal(proxyBefore);
      expect(r.out).not.to.include(rotated).and.not.include(strongSecret);
    });

    it('with the backend API on: generates BACKEND_API_KEY into .env and writes backend_api_key', async () => {
      c = copyCheckout('basic', (t) => `${t}ENABLE_BACKEND_JWT_REQUEST=true\n`);
      preCreateSpKeys(c);
      const r = await runSetup(c, directIdpArgs);
      expect(r.code, r.err).to.equal(0);
      const key = env().expanded('BACKEND_API_KEY');
      expect(key).to.match(/^[0-9a-f]{64}$/);
      expect(read(path.join(secretsDir(), 'backend_api_key'))).to.equal(`${key}\n`);
      expect(accessOf(path.join(secretsDir(), 'backend_api_key'))).to.equal(`0440 ${wantedOwner}`);
      expect(r.out).to.include('BACKEND_API_KEY generated').and.not.include(key);
    });

    it('--dry-run names each secret file with its mode and owner, never its value, and writes nothing', async () => {
      c = copyCheckout('basic', (t) => t.replace('#JWT_APP_SECRET=my_jitsi_app_secret', `JWT_APP_SECRET=${strongSecret}`));
      preCreateSpKeys(c);
      const state = fingerprint(c.dir, c.home);
      const r = await runSetup(c, [...directIdpArgs, '--dry-run']);
      expect(r.code, r.err).to.equal(0);
      expect(fingerprint(c.dir, c.home)).to.deep.equal(state);
      for (const name of ['jwt_app_secret', 'sidecar_proxy_secret']) {
        expect(r.out).to.include(`new secret file ${path.join(secretsDir(), name)} (mode 0440, owner uid ${wantedOwner.split(':')[0]}, group ${wantedOwner.split(':')[1]}; content not shown)`);
      }
      expect(r.out).to.include(`would create folder ${secretsDir()}`);
      expect(r.out).not.to.include(strongSecret);
    });

    it('not as root: writes them as the operator\'s own and says plainly how to give them to uid 1000 and group 0', async function () {
      if (!runsAsRoot) this.skip(); // needs root to run setup as another user
      c = copyCheckout();
      preCreateSpKeys(c);
      execFileSync('chown', ['-R', '65534:65534', c.root]);
      fs.chmodSync(c.root, 0o755);
      const child = spawnSync(process.execPath, ['--require', 'tsx/cjs', path.join(realPackageRoot, 'scripts/cli.ts'), 'setup', c.dir, ...directIdpArgs], {
        cwd: realPackageRoot,
        env: { PATH: process.env.PATH, HOME: c.home },
        uid: 65534,
        gid: 65534,
        encoding: 'utf8',
        timeout: 60000,
      });
      expect(child.status, child.stderr).to.equal(0);
      expect(accessOf(path.join(secretsDir(), 'jwt_app_secret'))).to.equal('0440 65534:65534');
      expect(child.stderr).to.include(`setup: warning: running as uid 65534, setup cannot give the secret files in ${secretsDir()} to uid 1000`);
      expect(child.stderr).to.include(`sudo chown -R 1000:0 ${secretsDir()}`);
      expect(child.stdout).to.include(`Note: the secret files in ${secretsDir()} must belong to uid 1000`);
      // once the operator did, setup (not as root) says it needs root instead of failing obscurely
      execFileSync('chown', ['-R', '1000:0', secretsDir()]);
      const again = spawnSync(process.execPath, ['--require', 'tsx/cjs', path.join(realPackageRoot, 'scripts/cli.ts'), 'setup', c.dir, ...directIdpArgs], {
        cwd: realPackageRoot,
        env: { PATH: process.env.PATH, HOME: c.home },
        uid: 65534,
        gid: 65534,
        encoding: 'utf8',
        timeout: 60000,
      });
      expect(again.status).to.equal(2);
      expect(again.stderr).to.include('run setup as root (sudo)').and.include('Nothing was written');
    });

    it('adds saml2jwt-meet-network.yml to the start command in advanced mode (the sidecar asks Jicofo)', async () => {
      for (const [mode, joined] of [['advanced', true], ['default', false]] as const) {
        c = copyCheckout('basic', (t) => `${t}JWT_TOKEN_MODE=${mode}\n`);
        preCreateSpKeys(c);
        const r = await runSetup(c, directIdpArgs);
        expect(r.code, r.err).to.equal(0);
        expect(r.out.includes('-f saml2jwt.yml -f saml2jwt-meet-network.yml up -d'), mode).to.equal(joined);
        expect(read(path.join(c.dir, 'saml2jwt-meet-network.yml'))).to.equal(read(path.join(realPackageRoot, 'compose-overlay', 'saml2jwt-meet-network.yml')));
        c.cleanup();
      }
    });
  });

  describe('the SP key and certificate', () => {
    it('generates RSA 3072 / SHA-256 / 10 years with SAN DNS + URI, key mode 0600', async () => {
      c = copyCheckout();
      const r = await runSetup(c, directIdpArgs);
      expect(r.code, r.err).to.equal(0);
      const spDir = path.join(c.configDir, 'saml2jwt', 'sp');
      const keyPem = read(path.join(spDir, 'sp-key.pem'));
      const certPem = read(path.join(spDir, 'sp-cert.pem'));
      expect(fs.statSync(path.join(spDir, 'sp-key.pem')).mode & 0o777).to.equal(0o600);

      const cert = forge.pki.certificateFromPem(certPem);
      expect((cert.publicKey as forge.pki.rsa.PublicKey).n.bitLength()).to.equal(3072);
      expect(cert.siginfo.algorithmOid).to.equal(forge.pki.oids.sha256WithRSAEncryption);
      const years = (cert.validity.notAfter.getTime() - cert.validity.notBefore.getTime()) / (365.25 * 24 * 3600 * 1000);
      expect(years).to.be.within(9.99, 10.01);
      const san = cert.getExtension('subjectAltName') as { altNames: { type: number; value: string }[] };
      expect(san.altNames).to.deep.include({ type: 2, value: 'meet.example.com' });
      expect(san.altNames.find((n) => n.type === 6)?.value).to.equal('https://meet.example.com:8443/saml2jwt/shibboleth');

      const x509 = new X509Certificate(certPem);
      expect(x509.subjectAltName).to.equal('DNS:meet.example.com, URI:https://meet.example.com:8443/saml2jwt/shibboleth');
      expect(x509.publicKey.asymmetricKeyDetails?.modulusLength).to.equal(3072);
      expect(x509.checkPrivateKey(require('node:crypto').createPrivateKey(keyPem))).to.equal(true);
      expect(x509.verify(x509.publicKey)).to.equal(true); // self-signed
    });

    it('never overwrites existing keys; refuses a folder with only one of them', async () => {
      c = copyCheckout();
      preCreateSpKeys(c);
      const spDir = path.join(c.configDir, 'saml2jwt', 'sp');
      const keys = fingerprint(spDir);
      expect((await runSetup(c, [...directIdpArgs, '--sp-entity-id', 'https://meet.example.com/other'])).code).to.equal(0);
      expect(fingerprint(spDir)).to.deep.equal(keys);

      fs.rmSync(path.join(spDir, 'sp-cert.pem'));
      const state = fingerprint(c.dir, c.home);
      const r = await runSetup(c, [...directIdpArgs, '--rotate-secret']);
      expect(r.code).to.equal(2);
      expect(r.err).to.include('holds only sp-key.pem');
      expect(fingerprint(c.dir, c.home)).to.deep.equal(state);
    });
  });
});
