// doctor's moderator and lobby checks, on captured docker inspect data and `find` / `cat` output
// from inside the containers (test/fixtures/docker-jitsi-meet/inspect/ and exec/).
import { expect } from 'chai';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { chooseProject, type ComposeProject, type ContainerInspect, type ProbeResult } from '../../../scripts/doctor-checks';
import { jitsiFlag } from '../../../scripts/jitsi-flag';
import { pluginDirs, pluginProbe, policyFromProbe, policyProbe, policyRoleChecks, prosodyModuleChecks, waitForHostChecks } from '../../../scripts/doctor-roles';
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
const prosodyWith = (muc: string | undefined, main?: string) =>
  project((c) => {
    setEnv(c, 'prosody', 'XMPP_MUC_MODULES', muc);
    setEnv(c, 'prosody', 'XMPP_MODULES', main);
  }).services.get('prosody');
/** A current image (plugin folders as the stand-in has them), with the operator's muc_foo and muc_bar. */
const currentImage = (): ProbeResult => exec('find-prosody-plugins.txt');
/** An image from before docker-jitsi-meet stable-9457: no /prosody-plugins-contrib, find exits 1. */
const imageBefore9457 = (): ProbeResult => exec('find-prosody-plugins-before-9457.txt', 1);

describe('scripts/doctor-roles: prosody modules', () => {
  it('lists the module files of Prosody\'s plugin folders, in plugin_paths order, with one find', () => {
    expect(pluginDirs).to.deep.equal(['/prosody-plugins-custom', '/prosody-plugins', '/prosody-plugins-contrib', '/usr/lib/prosody/modules']);
    expect(pluginProbe).to.deep.equal(['find', ...pluginDirs, '-maxdepth', '3', '-name', 'mod_*.lua']);
  });

  it('reports the file Prosody loads for each module: flat, in a plugin folder (jitsi-contrib), the operator\'s, Prosody\'s own', () => {
    const results = prosodyModuleChecks(prosodyWith('muc_foo,muc_bar,token_affiliation,token_lobby_bypass,muc_wait_for_host,muc_mam', 'persistent_lobby'), currentImage());
    expect(results.map((r) => [r.ok, r.what])).to.deep.equal([
      [true, 'prosody module muc_foo (XMPP_MUC_MODULES): /prosody-plugins-custom/mod_muc_foo.lua'],
      [true, 'prosody module muc_bar (XMPP_MUC_MODULES): /prosody-plugins-custom/muc_bar/mod_muc_bar.lua'],
      [true, 'prosody module token_affiliation (XMPP_MUC_MODULES): /prosody-plugins/mod_token_affiliation.lua'],
      [true, 'prosody module token_lobby_bypass (XMPP_MUC_MODULES): /prosody-plugins-contrib/token_lobby_bypass/mod_token_lobby_bypass.lua'],
      [true, 'prosody module muc_wait_for_host (XMPP_MUC_MODULES): /prosody-plugins/mod_muc_wait_for_host.lua'],
      [true, 'prosody module muc_mam (XMPP_MUC_MODULES): /usr/lib/prosody/modules/mod_muc_mam.lua'],
      [true, 'prosody module persistent_lobby (XMPP_MODULES): /prosody-plugins/mod_persistent_lobby.lua'],
    ]);
  });

  it('token_affiliation is in Jitsi\'s folder and jitsi-contrib\'s legacy copy: Prosody takes Jitsi\'s, first in plugin_paths', () => {
    expect(currentImage().output).to.include('/prosody-plugins-contrib/token_affiliation/mod_token_affiliation.lua');
    const [r] = prosodyModuleChecks(prosodyWith('token_affiliation'), currentImage());
    expect(r!.what).to.equal('prosody module token_affiliation (XMPP_MUC_MODULES): /prosody-plugins/mod_token_affiliation.lua');
  });

  it('an image from before jitsi-contrib was bundled: token_lobby_bypass missing, with the image to use and no download advice', () => {
    const [affiliation, bypass] = prosodyModuleChecks(prosodyWith('token_affiliation,token_lobby_bypass'), imageBefore9457());
    expect(affiliation!.ok).to.equal(true);
    expect(bypass!.ok).to.equal(false);
    expect(bypass!.what).to.equal('prosody module token_lobby_bypass (XMPP_MUC_MODULES) is in none of /prosody-plugins-custom, /prosody-plugins, /prosody-plugins-contrib, /usr/lib/prosody/modules');
    expect(bypass!.fix).to.include('stable-9457').and.include('/prosody-plugins-contrib').and.include('recreate prosody');
    expect(bypass!.fix).not.to.match(/download|prosody-plugins-custom/);
  });

  it('a module of Jitsi\'s own that the image lacks: a current image; one of the operator\'s: their plugin folder', () => {
    const noAffiliation: ProbeResult = { exitCode: 0, output: currentImage().output.replace('/prosody-plugins/mod_token_affiliation.lua\n', '').replace('/prosody-plugins-contrib/token_affiliation/mod_token_affiliation.lua\n', '') };
    const [affiliation, own] = prosodyModuleChecks(prosodyWith('token_affiliation,muc_room_log'), noAffiliation);
    expect(affiliation!.ok).to.equal(false);
    expect(affiliation!.fix).to.include("Jitsi's prosody package ships it in /prosody-plugins").and.not.include('prosody-plugins-custom');
    expect(own!.ok).to.equal(false);
    expect(own!.fix).to.include('mod_muc_room_log.lua (or muc_room_log/mod_muc_room_log.lua) into ${CONFIG}/prosody/prosody-plugins-custom/');
  });

  it('a folder named mod_X without mod_X.lua in it is not a module (Prosody opens files)', () => {
    const probe: ProbeResult = { exitCode: 0, output: '/prosody-plugins-custom/mod_muc_baz/README.md\n/prosody-plugins/mod_auth_token.lua\n' };
    expect(prosodyModuleChecks(prosodyWith('muc_baz'), probe)[0]!.ok).to.equal(false);
  });

  it('a name with white space is not trimmed, as the template does not trim it: a failure saying so', () => {
    const results = prosodyModuleChecks(prosodyWith('muc_foo, token_affiliation,,token_lobby_bypass'), currentImage());
    expect(results.map((r) => r.ok)).to.deep.equal([true, false, true]);
    expect(results[1]!.what).to.include('" token_affiliation"');
    expect(results[1]!.fix).to.include('without spaces');
  });

  it('prosody not running: one failure saying so; no module lists: nothing to check; find not runnable: one failure', () => {
    expect(prosodyModuleChecks(prosodyWith('token_affiliation'), undefined).map((r) => r.fix)).to.deep.equal(['prosody is not running: start it, then run doctor again']);
    expect(prosodyModuleChecks(prosodyWith(undefined), currentImage())).to.deep.equal([]);
    const broken = prosodyModuleChecks(prosodyWith('token_affiliation'), { exitCode: 127, output: 'OCI runtime exec failed: exec: "find": executable file not found in $PATH\n' });
    expect(broken).to.have.length(1);
    expect(broken[0]!.what).to.include('could not be listed').and.include('executable file not found');
  });
});

describe('scripts/jitsi-flag: flags as docker-jitsi-meet\'s templates read them (tpl toBool)', () => {
  it('takes ParseBool\'s spellings, quotes removed; yes/on are not flags there', () => {
    for (const v of ['1', 't', 'TRUE', 'true', 'True', '"1"']) expect(jitsiFlag(v), v).to.equal(true);
    for (const v of ['0', 'f', 'FALSE', 'false', "'0'"]) expect(jitsiFlag(v), v).to.equal(false);
    for (const v of ['yes', 'on', 'no', 'off', '', ' 1']) expect(jitsiFlag(v), v).to.equal(undefined);
  });
});

describe('scripts/doctor-roles: the policy against jicofo and prosody', () => {
  const prosodyless = (): ComposeProject => project((c) => setEnv(c, 'prosody', 'XMPP_MUC_MODULES', undefined));
  const staffPolicy = 'rules:\n  - { name: staff, match: { attribute: affiliation, equals: staff@uni.example }, moderator: true, lobby_bypass: true }\n';
  const withPolicyFile = (c: ContainerInspect[]): void => setEnv(c, 'saml2jwt', 'POLICY_FILE', '/config/policy/policy.yml');

  it('reads POLICY_FILE inside the sidecar; none set: no probe, and no policy check', () => {
    expect(policyProbe(project(withPolicyFile).services.get('saml2jwt'))).to.deep.equal(['cat', '--', '/config/policy/policy.yml']);
    expect(policyProbe(project((c) => setEnv(c, 'saml2jwt', 'POLICY_FILE', undefined)).services.get('saml2jwt'))).to.equal(undefined);
    expect(policyRoleChecks(prosodyless(), undefined)).to.deep.equal([]);
  });

  it('token_affiliation without a policy (roles from a backend): auto-owner must still be off, one line either way', () => {
    expect(policyRoleChecks(project(), undefined)).to.deep.equal([{ ok: true, what: "token_affiliation decides moderators, and jicofo's auto-owner is off (ENABLE_AUTO_OWNER=0)" }]);
    const [on] = policyRoleChecks(project((c) => setEnv(c, 'jicofo', 'ENABLE_AUTO_OWNER', undefined)), undefined);
    expect(on!.what).to.equal('token_affiliation decides moderators, but jicofo makes the first participant owner (ENABLE_AUTO_OWNER=unset, default on): the wrong people become owners');
    expect(on!.fix).to.include('ENABLE_AUTO_OWNER=0').and.include('recreate jicofo');
  });

  it('ENABLE_AUTO_OWNER=no: jicofo\'s template cannot read it (tpl toBool), so it is no "off"', () => {
    const p = project((c) => {
      setEnv(c, 'jicofo', 'ENABLE_AUTO_OWNER', 'no');
      setEnv(c, 'prosody', 'XMPP_MUC_MODULES', 'token_affiliation,token_lobby_bypass');
    });
    const bad = policyRoleChecks(p, { text: staffPolicy }).filter((x) => !x.ok);
    expect(bad.map((x) => x.what)).to.deep.equal(["jicofo's template cannot read ENABLE_AUTO_OWNER=no (it takes 1/0 or true/false)"]);
    expect(bad[0]!.fix).to.include('ENABLE_AUTO_OWNER=0');
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

  it('a policy without moderators, and no token_affiliation, asks nothing of jicofo', () => {
    const p = project((c) => {
      setEnv(c, 'jicofo', 'ENABLE_AUTO_OWNER', '1');
      setEnv(c, 'prosody', 'XMPP_MUC_MODULES', 'muc_foo');
    });
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
