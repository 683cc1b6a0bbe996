// doctor's moderator and lobby checks, on captured docker inspect data and `ls` / `cat` output
// from inside the containers (test/fixtures/docker-jitsi-meet/inspect/ and exec/).
import { expect } from 'chai';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { chooseProject, type ComposeProject, type ContainerInspect, type ProbeResult } from '../../../scripts/doctor-checks';
import { mucModuleChecks, pluginDirProbe, policyFromProbe, policyProbe, policyRoleChecks, waitForHostChecks } from '../../../scripts/doctor-roles';
import { fixturesDir } from './checkout-fixture';

const load = (name: string): ContainerInspect[] => JSON.parse(fs.readFileSync(path.join(fixturesDir, 'inspect', name), 'utf8'));
const exec = (name: string, exitCode = 0): ProbeResult => ({ exitCode, output: fs.readFileSync(path.join(fixturesDir, 'exec', name), 'utf8') });
function setEnv(containers: ContainerInspect[], service: string, key: string, value: string | undefined): void {
  const c = containers.find((x) => x.Config.Labels?.['com.docker.compose.service'] === service)!;
  const env = (c.Config.Env ?? []).filter((e) => !e.startsWith(`${key}=`));
  if (value !== undefined) env.push(`${key}=${value}`);
  c.Config.Env = env;
}
function project(edit: (c: ContainerInspect[]) => void = () => {}): ComposeProject {
  const containers = load('running-path-mode.json');
  edit(containers);
  return chooseProject(containers)!;
}
/** A current image: Jitsi's plugins, jitsi-contrib's, and the operator's muc_foo folder. */
const currentImage = (): Map<string, ProbeResult> =>
  new Map([
    ['/prosody-plugins', exec('ls-prosody-plugins.txt')],
    ['/prosody-plugins-contrib', exec('ls-prosody-plugins-contrib.txt')],
    ['/prosody-plugins-custom', exec('ls-prosody-plugins-custom-muc-foo.txt')],
  ]);

describe('scripts/doctor-roles: prosody modules', () => {
  it('lists each plugin folder with ls inside the container', () => expect(pluginDirProbe('/prosody-plugins')).to.deep.equal(['ls', '-1', '--', '/prosody-plugins']));

  it('reports the path where each module of XMPP_MUC_MODULES was found (a file or a module folder)', () => {
    const p = project((c) => setEnv(c, 'prosody', 'XMPP_MUC_MODULES', 'muc_foo, token_affiliation,token_lobby_bypass'));
    const results = mucModuleChecks(p.services.get('prosody'), currentImage());
    expect(results.map((r) => [r.ok, r.what])).to.deep.equal([
      [true, 'prosody module muc_foo: /prosody-plugins-custom/mod_muc_foo'],
      [true, 'prosody module token_affiliation: /prosody-plugins/mod_token_affiliation.lua'],
      [true, 'prosody module token_lobby_bypass: /prosody-plugins-contrib/mod_token_lobby_bypass.lua'],
    ]);
  });

  it('an image from before jitsi-contrib was bundled: token_lobby_bypass missing, with the fix', () => {
    const p = project((c) => setEnv(c, 'prosody', 'XMPP_MUC_MODULES', 'token_affiliation,token_lobby_bypass'));
    const listings = new Map([
      ['/prosody-plugins', exec('ls-prosody-plugins.txt')],
      ['/prosody-plugins-contrib', exec('ls-prosody-plugins-contrib-old-image.txt', 2)],
      ['/prosody-plugins-custom', exec('ls-prosody-plugins-custom-missing.txt', 2)],
    ]);
    const [affiliation, bypass] = mucModuleChecks(p.services.get('prosody'), listings);
    expect(affiliation!.ok).to.equal(true);
    expect(bypass!.ok).to.equal(false);
    expect(bypass!.what).to.include('token_lobby_bypass');
    expect(bypass!.fix).to.include('stable-9457').and.include('prosody-plugins-custom').and.include('recreate prosody');
  });

  it('prosody not running: one failure saying so; no XMPP_MUC_MODULES: nothing to check', () => {
    const p = project();
    expect(mucModuleChecks(p.services.get('prosody'), undefined).map((r) => r.fix)).to.deep.equal(['prosody is not running: start it, then run doctor again']);
    const none = project((c) => setEnv(c, 'prosody', 'XMPP_MUC_MODULES', undefined));
    expect(mucModuleChecks(none.services.get('prosody'), currentImage())).to.deep.equal([]);
  });
});

describe('scripts/doctor-roles: the policy against jicofo and prosody', () => {
  const staffPolicy = 'rules:\n  - { name: staff, match: { attribute: affiliation, equals: staff@uni.example }, moderator: true, lobby_bypass: true }\n';
  const withPolicyFile = (c: ContainerInspect[]): void => setEnv(c, 'saml2jwt', 'POLICY_FILE', '/config/policy/policy.yml');

  it('reads POLICY_FILE inside the sidecar; none set: no probe and no check', () => {
    expect(policyProbe(project(withPolicyFile).services.get('saml2jwt'))).to.deep.equal(['cat', '--', '/config/policy/policy.yml']);
    expect(policyProbe(project((c) => setEnv(c, 'saml2jwt', 'POLICY_FILE', undefined)).services.get('saml2jwt'))).to.equal(undefined);
    expect(policyRoleChecks(project(), undefined)).to.deep.equal([]);
  });

  it('moderators with auto-owner off and both modules on: all good', () => {
    const p = project((c) => {
      withPolicyFile(c);
      setEnv(c, 'prosody', 'XMPP_MUC_MODULES', 'token_affiliation,token_lobby_bypass');
      setEnv(c, 'jicofo', 'ENABLE_AUTO_OWNER', '0');
    });
    const results = policyRoleChecks(p, policyFromProbe({ exitCode: 0, output: staffPolicy }));
    expect(results).to.have.length(3);
    expect(results.every((r) => r.ok), JSON.stringify(results)).to.equal(true);
  });

  it('moderators while jicofo auto-owner is on (set or by default): the wrong people become owners', () => {
    for (const value of ['1', undefined]) {
      const p = project((c) => setEnv(c, 'jicofo', 'ENABLE_AUTO_OWNER', value));
      const bad = policyRoleChecks(p, { text: staffPolicy }).filter((r) => !r.ok);
      expect(bad.map((r) => r.what).join('\n'), String(value)).to.include('wrong people become owners');
      expect(bad.find((r) => r.what.includes('owners'))!.fix).to.include('ENABLE_AUTO_OWNER=0');
    }
  });

  it('lobby_bypass without token_lobby_bypass in prosody: everyone waits', () => {
    const p = project((c) => setEnv(c, 'prosody', 'XMPP_MUC_MODULES', 'token_affiliation'));
    const bad = policyRoleChecks(p, { text: staffPolicy }).filter((r) => !r.ok);
    expect(bad.map((r) => r.what)).to.deep.equal(['the policy grants lobby_bypass, but token_lobby_bypass is not in XMPP_MUC_MODULES: everyone waits in the lobby']);
  });

  it('a policy without moderators asks nothing of jicofo', () => {
    const p = project((c) => setEnv(c, 'jicofo', 'ENABLE_AUTO_OWNER', '1'));
    expect(policyRoleChecks(p, { text: 'rules:\n  - { name: students, match: { attribute: affiliation, equals: student@uni.example }, affiliation: member }\n' })).to.deep.equal([]);
  });

  it('an unreadable policy is a failure with its reason', () => {
    const [r] = policyRoleChecks(project(), policyFromProbe({ exitCode: 1, output: 'cat: /config/policy/policy.yml: No such file or directory\n' }));
    expect(r!.ok).to.equal(false);
    expect(r!.what).to.include('No such file or directory');
  });
});

describe('scripts/doctor-roles: wait for host', () => {
  it('not configured: nothing to check', () => expect(waitForHostChecks(project().services.get('prosody'))).to.deep.equal([]));

  it('as setup --wait-for-host writes it: persistent_lobby and auto owners off', () => {
    const p = project((c) => {
      setEnv(c, 'prosody', 'XMPP_MUC_MODULES', 'token_affiliation,muc_wait_for_host');
      setEnv(c, 'prosody', 'XMPP_MODULES', 'persistent_lobby');
      setEnv(c, 'prosody', 'WAIT_FOR_HOST_DISABLE_AUTO_OWNERS', '1');
    });
    expect(waitForHostChecks(p.services.get('prosody')).every((r) => r.ok)).to.equal(true);
  });

  it('without persistent_lobby or with auto owners on: two failures, with fixes', () => {
    const p = project((c) => setEnv(c, 'prosody', 'XMPP_MUC_MODULES', 'token_affiliation,muc_wait_for_host'));
    const results = waitForHostChecks(p.services.get('prosody'));
    expect(results.map((r) => r.ok)).to.deep.equal([false, false]);
    expect(results[0]!.what).to.include('persistent_lobby');
    expect(results[1]!.fix).to.include('WAIT_FOR_HOST_DISABLE_AUTO_OWNERS=1');
  });
});
