// Issue 21's setup flags against a real checkout fixture: --lobby, --readonly-names, --visitors.
// Each shows the .env lines it writes, that a run without the flag takes back exactly what it
// added, and that the sidecar starts from the result with the behaviour promised.
import { expect } from 'chai';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { EnvFile } from '../../../sidecar/src/config/env-file';
import type { Identity } from '../../../sidecar/src/identity/identity';
import { loadSettings } from '../../../sidecar/src/settings';
import { copyCheckout, directIdpArgs, fingerprint, preCreateSpKeys, runSetup, type Checkout } from './checkout-fixture';

const envOf = (c: Checkout): EnvFile => EnvFile.parse(fs.readFileSync(c.envPath, 'utf8'));
const POLICY = 'rules:\n  - name: staff\n    match: { attribute: affiliation, equals: staff@uni.example }\n    moderator: true\n';
const someone: Identity = { userId: 'u@uni.example', name: 'U', attributes: {} };

describe('scripts/setup: lobby, read-only names, visitors (issue 21)', function () {
  this.timeout(120000);
  let c: Checkout;
  let policy: string;
  beforeEach(() => {
    c = copyCheckout();
    preCreateSpKeys(c);
    policy = path.join(c.root, 'policy.yml');
    fs.writeFileSync(policy, POLICY);
  });
  afterEach(() => c.cleanup());

  describe('--lobby', () => {
    it('adds lobby_autostart, persistent_lobby and token_lobby_bypass once, records what it added; a run without it takes exactly that back', async () => {
      const args = [...directIdpArgs, '--moderators', policy];
      const r = await runSetup(c, [...args, '--lobby']);
      expect(r.code, r.err).to.equal(0);
      let e = envOf(c);
      expect(e.expanded('XMPP_MUC_MODULES')).to.equal('muc_foo,muc_bar,token_affiliation,token_lobby_bypass,lobby_autostart');
      expect(e.expanded('XMPP_MODULES')?.split(',')).to.include('persistent_lobby');
      expect(e.expanded('SAML2JWT_LOBBY')).to.equal('XMPP_MUC_MODULES:lobby_autostart,XMPP_MODULES:persistent_lobby');
      expect(r.out).to.include('lobby: every new meeting starts with its lobby on (lobby_autostart)');
      expect((await runSetup(c, [...args, '--lobby'])).out).to.match(/^Nothing to change/);

      const off = await runSetup(c, args);
      expect(off.code, off.err).to.equal(0);
      e = envOf(c);
      expect(e.expanded('XMPP_MUC_MODULES')).to.equal('muc_foo,muc_bar,token_affiliation,token_lobby_bypass');
      expect(e.expanded('XMPP_MODULES')?.split(',') ?? []).not.to.include('persistent_lobby');
      expect(e.expanded('SAML2JWT_LOBBY') ?? '').to.equal('');
      expect((await runSetup(c, args)).out).to.match(/^Nothing to change/);
    });

    it('takes back neither a persistent_lobby the operator had nor the one --wait-for-host needs', async () => {
      fs.writeFileSync(c.envPath, fs.readFileSync(c.envPath, 'utf8') + 'XMPP_MODULES=persistent_lobby\n');
      const args = [...directIdpArgs, '--moderators', policy];
      expect((await runSetup(c, [...args, '--lobby'])).code).to.equal(0);
      expect(envOf(c).expanded('SAML2JWT_LOBBY')).to.equal('XMPP_MUC_MODULES:lobby_autostart');
      expect((await runSetup(c, args)).code).to.equal(0);
      expect(envOf(c).expanded('XMPP_MODULES')).to.equal('persistent_lobby');

      const d = copyCheckout();
      try {
        preCreateSpKeys(d);
        expect((await runSetup(d, [...args, '--lobby', '--wait-for-host'])).code).to.equal(0);
        expect((await runSetup(d, [...args, '--wait-for-host'])).code).to.equal(0);
        expect(envOf(d).expanded('XMPP_MODULES')?.split(',')).to.include('persistent_lobby');
        expect(envOf(d).expanded('XMPP_MUC_MODULES')?.split(',')).not.to.include('lobby_autostart');
      } finally {
        d.cleanup();
      }
    });

    it('needs --moderators (nobody could skip the lobby and admit people); nothing is written', async () => {
      const before = fingerprint(c.dir, c.home);
      const r = await runSetup(c, [...directIdpArgs, '--lobby']);
      expect(r.code).to.equal(2);
      expect(r.err).to.include('--lobby needs --moderators');
      expect(fingerprint(c.dir, c.home)).to.deep.equal(before);
    });
  });

  describe('--readonly-names', () => {
    it('loads muc_displayname and sets READONLY_NAMES, so every token has name-readonly: true; a run without it turns both off', async () => {
      const r = await runSetup(c, [...directIdpArgs, '--readonly-names']);
      expect(r.code, r.err).to.equal(0);
      let e = envOf(c);
      expect(e.expanded('XMPP_MUC_MODULES')).to.equal('muc_foo,muc_bar,muc_displayname');
      expect(e.expanded('READONLY_NAMES')).to.equal('true');
      const { policy: loaded } = loadSettings(e.values());
      expect(loaded.decide(someone, undefined).features['name-readonly']).to.equal(true);

      expect((await runSetup(c, directIdpArgs)).code).to.equal(0);
      e = envOf(c);
      expect(e.expanded('XMPP_MUC_MODULES')).to.equal('muc_foo,muc_bar');
      expect(e.expanded('READONLY_NAMES')).to.equal('false');
    });

    it('a policy rule still says otherwise for its users', async () => {
      fs.writeFileSync(policy, `${POLICY}  - name: guests may rename\n    match: { attribute: affiliation, equals: affiliate@uni.example }\n    features: { name-readonly: false }\n`);
      expect((await runSetup(c, [...directIdpArgs, '--readonly-names', '--moderators', policy])).code).to.equal(0);
      const e = envOf(c);
      // What the overlay hands the sidecar: the .env, the policy at its host path instead of /config/policy.
      const { policy: loaded } = loadSettings({ ...e.values(), POLICY_FILE: path.join(c.configDir, 'saml2jwt', 'policy', 'policy.yml') });
      expect(loaded.decide(someone, undefined).features['name-readonly']).to.equal(true);
      expect(loaded.decide({ ...someone, attributes: { affiliation: ['affiliate@uni.example'] } }, undefined).features['name-readonly']).to.equal(false);
    });
  });

  describe('--visitors', () => {
    it('refuses, saying exactly what the checkout lacks, and writes nothing', async () => {
      const before = fingerprint(c.dir, c.home);
      const r = await runSetup(c, [...directIdpArgs, '--visitors']);
      expect(r.code).to.equal(2);
      expect(r.err).to.include("--visitors: this checkout does not run Jitsi's visitors; it needs:");
      expect(r.err).to.include('ENABLE_VISITORS=1 in .env');
      expect(r.err).to.include('VISITORS_XMPP_SERVER in .env');
      expect(r.err).to.include('a prosody service with PROSODY_MODE=visitors');
      expect(fingerprint(c.dir, c.home)).to.deep.equal(before);
    });

    it('passes a checkout that runs visitors, and says so', async () => {
      fs.writeFileSync(c.envPath, fs.readFileSync(c.envPath, 'utf8') + 'ENABLE_VISITORS=1\nVISITORS_XMPP_SERVER=prosody-v1\n');
      fs.writeFileSync(path.join(c.dir, 'visitors.yml'), 'services:\n    prosody-v1:\n        environment:\n            - PROSODY_MODE=visitors\n');
      const r = await runSetup(c, [...directIdpArgs, '--visitors']);
      expect(r.code, r.err).to.equal(0);
      expect(r.out).to.include('visitors: this checkout runs them');
    });

    it('without the flag, a policy that makes visitors gets a note', async () => {
      fs.writeFileSync(policy, `${POLICY}  - { name: audience, match: { attribute: affiliation, equals: student@uni.example }, role: visitor }\n`);
      const r = await runSetup(c, [...directIdpArgs, '--moderators', policy]);
      expect(r.code, r.err).to.equal(0);
      expect(r.out).to.include('visitors: the policy makes visitors (role: visitor); run setup with --visitors');
    });
  });
});
