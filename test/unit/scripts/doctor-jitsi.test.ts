// doctor's checks of issue 21's features and of the docker-jitsi-meet release, on captured
// docker inspect data (test/fixtures/docker-jitsi-meet/inspect/) edited as an operator would.
import { expect } from 'chai';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { chooseProject, type ComposeProject, type ContainerInspect } from '../../../scripts/doctor-checks';
import { allownerChecks, lobbyChecks, readonlyNameChecks, visitorChecks } from '../../../scripts/doctor-jitsi-features';
import { jitsiRelease, jitsiReleaseChecks } from '../../../scripts/doctor-jitsi-release';
import { parsePolicy } from '../../../sidecar/src/policy/load';
import { fixturesDir } from './checkout-fixture';

const load = (name: string): ContainerInspect[] => JSON.parse(fs.readFileSync(path.join(fixturesDir, 'inspect', name), 'utf8'));
function project(env: Record<string, Record<string, string | undefined>> = {}, images: Record<string, string> = {}): ComposeProject {
  const containers = load('running-path-mode.json');
  for (const c of containers) {
    const service = c.Config.Labels?.['com.docker.compose.service'] ?? '';
    for (const [key, value] of Object.entries(env[service] ?? {})) {
      const kept = (c.Config.Env ?? []).filter((e) => !e.startsWith(`${key}=`));
      c.Config.Env = value === undefined ? kept : [...kept, `${key}=${value}`];
    }
    if (images[service]) c.Config.Image = images[service];
  }
  return chooseProject(containers)!;
}
const verdicts = (results: { ok: boolean; what: string }[]): [boolean, string][] => results.map((r) => [r.ok, r.what]);

describe('doctor: a lobby for every meeting', () => {
  it('nothing to say without lobby_autostart', () => expect(lobbyChecks(project({ prosody: { XMPP_MUC_MODULES: 'token_affiliation' } }))).to.deep.equal([]));

  it('lobby_autostart needs persistent_lobby and token_lobby_bypass', () => {
    expect(verdicts(lobbyChecks(project({ prosody: { XMPP_MUC_MODULES: 'token_affiliation,token_lobby_bypass,lobby_autostart', XMPP_MODULES: 'persistent_lobby' } })))).to.deep.equal([
      [true, 'lobby_autostart has persistent_lobby (XMPP_MODULES)'],
      [true, 'every lobby is on, and moderators pass theirs (token_lobby_bypass)'],
    ]);
    const broken = lobbyChecks(project({ prosody: { XMPP_MUC_MODULES: 'lobby_autostart', XMPP_MODULES: undefined } }));
    expect(broken.map((r) => r.ok)).to.deep.equal([false, false]);
    expect(broken[1]?.what).to.include('moderators wait in their own lobby and nobody is let in');
    expect(broken[1]?.fix).to.include('setup <dir> --moderators <policy.yml> --lobby');
  });
});

describe('doctor: names from the IdP', () => {
  const readonlyPolicy = parsePolicy('defaults: { features: { name-readonly: true } }\n', 'p.yml');
  it('READONLY_NAMES or a policy that sets name-readonly needs muc_displayname in prosody', () => {
    expect(readonlyNameChecks(project(), undefined)).to.deep.equal([]);
    const missing = readonlyNameChecks(project({ saml2jwt: { READONLY_NAMES: 'true' }, prosody: { XMPP_MUC_MODULES: 'token_affiliation' } }), undefined);
    expect(verdicts(missing)).to.deep.equal([[false, 'READONLY_NAMES=true, but prosody does not load muc_displayname: users can still change their names']]);
    expect(missing[0]?.fix).to.include('--readonly-names');
    expect(verdicts(readonlyNameChecks(project({ prosody: { XMPP_MUC_MODULES: 'muc_displayname' } }), readonlyPolicy))).to.deep.equal([
      [true, 'display names come from the token (the policy sets name-readonly, muc_displayname)'],
    ]);
  });
});

describe('doctor: visitors', () => {
  const visitorPolicy = parsePolicy('rules:\n  - { name: audience, role: visitor }\n', 'p.yml');
  it('a policy that makes visitors needs ENABLE_VISITORS in prosody and jicofo', () => {
    expect(visitorChecks(project(), parsePolicy('', 'p.yml'))).to.deep.equal([]);
    expect(verdicts(visitorChecks(project({ prosody: { ENABLE_VISITORS: '1' }, jicofo: { ENABLE_VISITORS: 'true' } }), visitorPolicy)).map(([ok]) => ok)).to.deep.equal([true, true]);
    const off = visitorChecks(project({ prosody: { ENABLE_VISITORS: '1' }, jicofo: { ENABLE_VISITORS: undefined } }), visitorPolicy);
    expect(verdicts(off)).to.deep.equal([
      [true, 'the policy makes visitors, and prosody has ENABLE_VISITORS=1'],
      [false, 'the policy makes visitors (role: visitor), but jicofo runs without them (ENABLE_VISITORS=unset): those users join as ordinary participants'],
    ]);
  });
});

describe('doctor: muc_allowners must not name our issuer', () => {
  it('fails when JWT_ACCEPTED_ALLOWNER_ISSUERS lists our JWT_APP_ID or *, passes when it lists others, says nothing when unset', () => {
    const ours = project().services.get('saml2jwt')?.env.get('JWT_APP_ID') ?? '';
    expect(ours).not.to.equal('');
    expect(allownerChecks(project())).to.deep.equal([]);
    for (const issuers of [ours, `other,${ours}`, '*']) {
      const [r] = allownerChecks(project({ prosody: { JWT_ACCEPTED_ALLOWNER_ISSUERS: issuers } }));
      expect(r?.ok, issuers).to.equal(false);
      expect(r?.what).to.include('muc_allowners makes every user who signs in an owner');
    }
    expect(allownerChecks(project({ prosody: { JWT_ACCEPTED_ALLOWNER_ISSUERS: 'partner-app' } }))[0]?.ok).to.equal(true);
  });
});

describe('doctor: the docker-jitsi-meet release', () => {
  const compose = (tag: string): string => `services:\n    web:\n        image: \${JITSI_IMAGE_REPO:-jitsi}/web:\${JITSI_IMAGE_VERSION:-${tag}}\n`;

  it('reads JITSI_IMAGE_VERSION first, then the running images\' tags, then the checkout\'s docker-compose.yml; never guesses', () => {
    expect(jitsiRelease('stable-10655', project(), compose('unstable'))).to.deep.equal({ name: 'stable-10655', number: 10655, source: 'JITSI_IMAGE_VERSION in .env' });
    expect(jitsiRelease('unstable', project({}, { prosody: 'jitsi/prosody:stable-10888-1' }), undefined)).to.include({ name: 'stable-10888-1', number: 10888 });
    expect(jitsiRelease(undefined, project(), compose('stable-10741'))).to.include({ number: 10741, source: "the checkout's docker-compose.yml" });
    for (const [env, file] of [['latest', compose('stable-10741')], ['unstable', compose('unstable')], [undefined, compose('unstable')], [undefined, undefined]] as const) {
      expect(jitsiRelease(env, project({}, { prosody: 'jitsi/prosody:unstable', web: 'jitsi/web:latest' }), file), `${env} ${file}`).to.equal(undefined);
    }
  });

  it('checks each feature in use against the release that brought what it needs; too old is a failure with the upgrade', () => {
    const waiting = project({ prosody: { XMPP_MUC_MODULES: 'token_affiliation,token_lobby_bypass,muc_wait_for_host' } });
    const old = jitsiReleaseChecks(waiting, { name: 'stable-10008', number: 10008, source: 'x' });
    expect(verdicts(old)).to.deep.equal([
      [true, 'docker-jitsi-meet stable-10008 (from x)'],
      [true, 'stable-10008 has nginx-custom/*.conf (our /saml2jwt/ location, path mode) (since stable-10008)'],
      [true, "stable-10008 has jitsi-contrib's plugins in /prosody-plugins-contrib (token_lobby_bypass, lobby_autostart) (since stable-9457)"],
      [false, 'stable-10008 is older than stable-10655, which WAIT_FOR_HOST_DISABLE_AUTO_OWNERS (muc_wait_for_host) needs: the older image ignores it, and muc_wait_for_host makes every signed-in user owner'],
    ]);
    expect(old[3]?.fix).to.equal('upgrade docker-jitsi-meet to stable-10655 or later (JITSI_IMAGE_VERSION in .env, then docker compose pull && docker compose up -d)');
    expect(jitsiReleaseChecks(waiting, { name: 'stable-10888', number: 10888, source: 'x' }).every((r) => r.ok)).to.equal(true);
  });

  it('an unknown release is a warning naming what could not be checked', () => {
    const [r] = jitsiReleaseChecks(project({ prosody: { XMPP_MUC_MODULES: 'muc_wait_for_host' } }), undefined);
    expect(r).to.include({ ok: false, warning: true });
    expect(r?.what).to.include('docker-jitsi-meet release: unknown').and.include('WAIT_FOR_HOST_DISABLE_AUTO_OWNERS');
  });
});
