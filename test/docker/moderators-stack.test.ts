// Moderators and the lobby, done: the university policy (staff moderate and skip the lobby,
// students are members, guests wait) goes from `jitsi-saml2jwt setup --moderators` to a running
// docker-jitsi-meet (stand-ins for prosody, jicofo and jvb that follow JITSI.md and the real
// images' layout) with no manual step; `doctor` confirms it against the running containers;
// real logins through the test IdP give staff and students the roles Prosody's modules read.
import { expect } from 'chai';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Browser } from 'playwright-core';
import { launchBrowser, newContext, submitIdpLogin, tokenAuthUrl } from '../e2e/support/browser';
import { prosodyAccepts, prosodyRole } from '../support/prosody-verifier';
import { pluginProbe } from '../../scripts/doctor-roles';
import { docker, repoRoot, run, waitHealthy } from './docker-cli';
import { buildStandIn, standInImages } from './images';
import { cliArgs, jitsiCoreServices, prosodyFor, stackHooks, stackServices, startWiredStack, type WiredStack } from './wired-stack';
import { clientJwtFromUrl, clientTokenOf } from '../support/jitsi-client';

const projectName = 'saml2jwt-roles';
const execFixtures = path.join(repoRoot, 'test', 'fixtures', 'docker-jitsi-meet', 'exec');

/** The policy example shipped in compose-overlay/policy, for the test IdP's scope. */
function universityPolicy(): string {
  const example = fs.readFileSync(path.join(repoRoot, 'compose-overlay', 'policy', 'policy.example.yml'), 'utf8');
  return example.replaceAll('uni\\.example', 'example\\.test').replaceAll('uni.example', 'example.test');
}

/** Sets KEY=value in the stack's .env (replacing its line, or appending one), as an operator edits it. */
function editDotenv(stack: WiredStack, key: string, value: string): void {
  const file = path.join(stack.project.dir, '.env');
  const lines = fs.readFileSync(file, 'utf8').split('\n').filter((l) => !l.startsWith(`${key}=`));
  fs.writeFileSync(file, `${lines.join('\n').trimEnd()}\n${key}=${value}\n`);
}

async function doctor(stack: WiredStack): Promise<{ code: number; out: string }> {
  const r = await run(process.execPath, [...cliArgs, 'doctor', stack.project.dir], { cwd: repoRoot, timeoutMs: 120_000 });
  return { code: r.code, out: r.stdout + r.stderr };
}

/** module -> the file Prosody (the stand-in, by pluginloader's rules) says it loaded. */
async function prosodyLoaded(stack: WiredStack): Promise<{ loaded: Map<string, string>; log: string }> {
  const log = (await run('docker', ['logs', await stack.project.containerOf('prosody')])).stdout;
  const loaded = new Map<string, string>();
  for (const m of log.matchAll(/^\S+:(\S+) info Loaded from (\S+)$/gm)) loaded.set(m[1]!, m[2]!);
  return { loaded, log };
}

/** A login through the IdP; the token the meeting URL carries. */
async function loginToken(browser: Browser, stack: WiredStack, user: string, password: string): Promise<string> {
  const context = await newContext(browser);
  try {
    const page = await context.newPage();
    await page.goto(tokenAuthUrl(stack.publicUrl, 'Lecture', ''));
    await submitIdpLogin(page, user, password);
    await page.waitForURL((url) => clientJwtFromUrl(url.href).jwt !== undefined, { timeout: 60_000 });
    return clientTokenOf(page.url());
  } finally {
    await context.close();
  }
}

/** The user Prosody sees in a token (after the independent verifier accepts it for the room). */
function prosodyUser(stack: WiredStack, token: string): Record<string, unknown> {
  const verdict = prosodyAccepts(token, { ...prosodyFor(stack.env), room: 'lecture' });
  if (!verdict.ok) throw new Error(`Prosody would refuse the token: ${verdict.reason}`);
  return (verdict.claims.context as { user: Record<string, unknown> }).user;
}

/**
 * doctor's failures about Prosody's modules, jicofo's auto-owner and the policy. (A shared, loaded
 * machine can make a container's healthcheck time out meanwhile: not what these tests are about.)
 */
function roleFailures(out: string): Array<{ what: string; fix: string }> {
  return [...out.matchAll(/^FAIL {2}(.*)\n {6}fix: (.*)$/gm)]
    .map((m) => ({ what: m[1]!, fix: m[2]! }))
    .filter((f) => /prosody module|jicofo|policy|muc_wait_for_host/.test(f.what));
}

const sortedLines = (text: string): string[] => text.split('\n').filter((l) => l !== '').sort();

describe('docker: moderators and the lobby, from setup --moderators to a running stack', function () {
  this.timeout(30 * 60_000);
  let stack: WiredStack;
  let browser: Browser | undefined;
  let policyDir: string;

  before(async () => {
    policyDir = fs.mkdtempSync(path.join(os.tmpdir(), 'saml2jwt-roles-policy-'));
    const policyFile = path.join(policyDir, 'policy.yml');
    fs.writeFileSync(policyFile, universityPolicy());
    stack = await startWiredStack({
      name: projectName,
      jitsiCore: true,
      setupFlags: ['--moderators', policyFile, '--wait-for-host', '--guests', '--lobby', '--readonly-names'],
      // The release the operator runs, which doctor checks the features against.
      env: { JITSI_IMAGE_VERSION: 'stable-10888' },
      // The operator's .env names muc_foo and muc_bar (XMPP_MUC_MODULES): their own plugins, in
      // both layouts Prosody reads.
      prepare: (project) => {
        const custom = path.join(project.configDir, 'prosody', 'prosody-plugins-custom');
        fs.mkdirSync(path.join(custom, 'muc_bar'), { recursive: true });
        fs.writeFileSync(path.join(custom, 'mod_muc_foo.lua'), '-- the operator\'s module\n');
        fs.writeFileSync(path.join(custom, 'muc_bar', 'mod_muc_bar.lua'), '-- the operator\'s module\n');
      },
    });
  });

  stackHooks(() => ({ stack, browser }));
  after(() => fs.rmSync(policyDir, { recursive: true, force: true }));

  it('setup wires Prosody and jicofo with no manual step, and says nothing about installing modules', () => {
    expect(stack.env.get('XMPP_MUC_MODULES'), 'the operator\'s modules kept').to.equal('muc_foo,muc_bar,token_affiliation,token_lobby_bypass,muc_wait_for_host,lobby_autostart,muc_displayname');
    expect(stack.env.get('XMPP_MODULES')).to.equal('persistent_lobby');
    // --lobby found persistent_lobby there already (--wait-for-host): its record names only what it added.
    expect(stack.env.get('SAML2JWT_LOBBY')).to.equal('XMPP_MUC_MODULES:lobby_autostart');
    expect(stack.env.get('READONLY_NAMES')).to.equal('true');
    expect(stack.env.get('ENABLE_AUTO_OWNER')).to.equal('0');
    expect(stack.env.get('WAIT_FOR_HOST_DISABLE_AUTO_OWNERS')).to.equal('1');
    expect(stack.env.get('ENABLE_GUESTS')).to.equal('1');
    expect(stack.env.get('POLICY_FILE')).to.equal('/config/policy/policy.yml');
    expect(fs.readFileSync(path.join(stack.project.configDir, 'saml2jwt', 'policy', 'policy.yml'), 'utf8')).to.equal(universityPolicy());
    expect(stack.setupOutput).to.include('token_affiliation');
    expect(stack.setupOutput).not.to.match(/mod_token_affiliation\.lua|download|wget|prosody-plugins-custom/i);
  });

  it('prosody loads every module the .env names from the image\'s folders; jicofo renders auto-owner off', async () => {
    const prosody = await stack.project.containerOf('prosody');
    const cfg = await docker(['exec', prosody, 'cat', '/run/prosody/config/conf.d/jitsi-meet.cfg.lua']);
    const muc = cfg.slice(cfg.indexOf('Component "muc.meet.jitsi" "muc"'));
    for (const m of ['muc_foo', 'muc_bar', 'token_affiliation', 'token_lobby_bypass', 'muc_wait_for_host', 'lobby_autostart', 'muc_displayname', 'token_verification']) expect(muc).to.include(`"${m}";`);
    expect(muc).to.include('wait_for_host_disable_auto_owners = true');
    expect(cfg.slice(0, cfg.indexOf('Component'))).to.include('"persistent_lobby";');

    const { loaded, log } = await prosodyLoaded(stack);
    expect(log).not.to.include('Unable to load module');
    expect(loaded.get('token_affiliation')).to.equal('/prosody-plugins/mod_token_affiliation.lua');
    expect(loaded.get('token_lobby_bypass')).to.equal('/prosody-plugins-contrib/token_lobby_bypass/mod_token_lobby_bypass.lua');
    expect(loaded.get('muc_bar')).to.equal('/prosody-plugins-custom/muc_bar/mod_muc_bar.lua');

    const jicofoConf = await docker(['exec', await stack.project.containerOf('jicofo'), 'cat', '/run/jicofo/config/jicofo.conf']);
    expect(jicofoConf).to.match(/^\s*enable-auto-owner = false$/m);
  });

  it('doctor confirms it: each module with the file Prosody loads, auto-owner off, every check passing', async () => {
    // doctor also reports each container's health: let a check that timed out on a loaded machine recover first.
    await waitHealthy(await Promise.all([...stackServices, ...jitsiCoreServices].map((s) => stack.project.containerOf(s))), 120_000);
    const { code, out } = await doctor(stack);
    expect(code, out).to.equal(0);
    const { loaded } = await prosodyLoaded(stack);
    const named: [string, string][] = [
      ...['muc_foo', 'muc_bar', 'token_affiliation', 'token_lobby_bypass', 'muc_wait_for_host', 'lobby_autostart', 'muc_displayname'].map((m): [string, string] => [m, 'XMPP_MUC_MODULES']),
      ['persistent_lobby', 'XMPP_MODULES'],
    ];
    for (const [module, list] of named) {
      // doctor finds each module where Prosody itself loads it from.
      expect(loaded.get(module), module).to.be.a('string');
      expect(out).to.include(`ok    prosody module ${module} (${list}): ${loaded.get(module)}\n`);
    }
    for (const line of [
      'ok    the policy names moderators and prosody reads them (token_affiliation)',
      "ok    the policy names moderators, and jicofo's auto-owner is off (ENABLE_AUTO_OWNER=0)",
      'ok    the policy grants lobby_bypass and prosody honours it (token_lobby_bypass)',
      'ok    muc_wait_for_host has persistent_lobby (XMPP_MODULES)',
      'ok    muc_wait_for_host leaves owners to token_affiliation (WAIT_FOR_HOST_DISABLE_AUTO_OWNERS=1)',
      'ok    lobby_autostart has persistent_lobby (XMPP_MODULES)',
      'ok    every lobby is on, and moderators pass theirs (token_lobby_bypass)',
      'ok    display names come from the token (READONLY_NAMES=true, muc_displayname)',
      'ok    docker-jitsi-meet stable-10888 (from JITSI_IMAGE_VERSION in .env)',
      'ok    stable-10888 has WAIT_FOR_HOST_DISABLE_AUTO_OWNERS (muc_wait_for_host) (since stable-10655)',
    ]) {
      expect(out).to.include(`${line}\n`);
    }
    for (const service of jitsiCoreServices) expect(out).to.match(new RegExp(`^ok\\s+${service} is running`, 'm'));
    expect(out).to.match(/^all \d+ checks passed$/m);
    for (const key of ['JWT_APP_SECRET', 'SIDECAR_PROXY_SECRET']) expect(out, `${key} leaked`).not.to.contain(stack.env.get(key));
  });

  it('doctor\'s unit fixtures are what this prosody prints for the same probe', async () => {
    const r = await run('docker', ['exec', await stack.project.containerOf('prosody'), ...pluginProbe]);
    expect(r.code, r.stderr).to.equal(0);
    expect(sortedLines(r.stdout)).to.deep.equal(sortedLines(fs.readFileSync(path.join(execFixtures, 'find-prosody-plugins.txt'), 'utf8')));
  });

  it('staff sign in as owners who skip the lobby; students as members, with no role fields', async () => {
    browser = await launchBrowser();
    const staff = prosodyUser(stack, await loginToken(browser, stack, 'alice', 'alice-pass'));
    expect(staff).to.include({ email: 'alice@example.test', affiliation: 'owner', moderator: true, lobby_bypass: true });
    // --readonly-names: every token carries the boolean Prosody's muc_displayname reads.
    const verdict = prosodyAccepts(await loginToken(browser, stack, 'alice', 'alice-pass'), { ...prosodyFor(stack.env), room: 'lecture' });
    if (!verdict.ok) throw new Error(verdict.reason);
    expect((verdict.claims.context as { features: Record<string, unknown> }).features['name-readonly']).to.equal(true);
    expect(prosodyRole(staff)).to.deep.equal({ affiliation: 'owner', lobbyBypass: true });

    const student = prosodyUser(stack, await loginToken(browser, stack, 'bob', 'bob-pass'));
    expect(student.email).to.equal('bob@example.test');
    expect(student, 'never false or null').not.to.have.any.keys('affiliation', 'moderator', 'lobby_bypass');
    expect(prosodyRole(student)).to.deep.equal({ affiliation: 'member', lobbyBypass: false });
  });

  it('doctor fails a release older than what the features in use need, with the upgrade', async () => {
    editDotenv(stack, 'JITSI_IMAGE_VERSION', 'stable-9955');
    try {
      const { code, out } = await doctor(stack);
      expect(code, out).to.equal(1);
      expect(out).to.match(/^FAIL {2}stable-9955 is older than stable-10008, which nginx-custom\/\*\.conf \(our \/saml2jwt\/ location, path mode\) needs/m);
      expect(out).to.match(/^FAIL {2}stable-9955 is older than stable-10655, which WAIT_FOR_HOST_DISABLE_AUTO_OWNERS \(muc_wait_for_host\) needs: the older image ignores it/m);
      expect(out).to.include('fix: upgrade docker-jitsi-meet to stable-10655 or later');
    } finally {
      editDotenv(stack, 'JITSI_IMAGE_VERSION', 'stable-10888');
    }
  });

  it('an image without jitsi-contrib\'s plugins and auto-owner back on: doctor names both, with the fixes, as Prosody logs it', async () => {
    await buildStandIn('prosody-before-9457');
    // doctor's fixture of such an image is what its probe prints there.
    const old = await run('docker', ['run', '--rm', standInImages['prosody-before-9457'], ...pluginProbe]);
    expect(old.code).to.equal(1);
    expect(sortedLines(old.stdout + old.stderr)).to.deep.equal(sortedLines(fs.readFileSync(path.join(execFixtures, 'find-prosody-plugins-before-9457.txt'), 'utf8')));

    editDotenv(stack, 'JITSI_PROSODY_STAND_IN_IMAGE', standInImages['prosody-before-9457']);
    editDotenv(stack, 'ENABLE_AUTO_OWNER', '1');
    await stack.project.compose(['up', '-d', '--no-build', 'prosody', 'jicofo'], 180_000);
    await waitHealthy(await Promise.all(['prosody', 'jicofo'].map((s) => stack.project.containerOf(s))), 120_000);

    const { log } = await prosodyLoaded(stack);
    expect(log).to.include("Unable to load module 'token_lobby_bypass'");
    const { code, out } = await doctor(stack);
    expect(code, out).to.equal(1);
    const failed = roleFailures(out);
    const nowhere = '/prosody-plugins-custom, /prosody-plugins, /prosody-plugins-contrib, /usr/lib/prosody/modules';
    expect(failed.map((f) => f.what), out).to.deep.equal([
      `prosody module token_lobby_bypass (XMPP_MUC_MODULES) is in none of ${nowhere}`,
      `prosody module lobby_autostart (XMPP_MUC_MODULES) is in none of ${nowhere}`,
      `prosody module muc_displayname (XMPP_MUC_MODULES) is in none of ${nowhere}`,
      'the policy names moderators, but jicofo makes the first participant owner (ENABLE_AUTO_OWNER=1): the wrong people become owners',
    ]);
    for (const f of failed.slice(0, 2)) expect(f.fix).to.include('stable-9457').and.include('/prosody-plugins-contrib').and.not.include('mod_token_affiliation');
    expect(failed[2]!.fix).to.include("Jitsi's prosody package ships it in /prosody-plugins");
    expect(failed[3]!.fix).to.include('ENABLE_AUTO_OWNER=0').and.include('recreate jicofo');
    expect(out).to.include('ok    prosody module token_affiliation (XMPP_MUC_MODULES): /prosody-plugins/mod_token_affiliation.lua\n');

    // The fixes as doctor words them: a current image, ENABLE_AUTO_OWNER=0, recreate both.
    editDotenv(stack, 'JITSI_PROSODY_STAND_IN_IMAGE', standInImages.prosody);
    editDotenv(stack, 'ENABLE_AUTO_OWNER', '0');
    await stack.project.compose(['up', '-d', '--no-build', 'prosody', 'jicofo'], 180_000);
    await waitHealthy(await Promise.all(['prosody', 'jicofo'].map((s) => stack.project.containerOf(s))), 120_000);
    const fixed = await doctor(stack);
    expect(roleFailures(fixed.out), fixed.out).to.deep.equal([]);
    expect(fixed.out).to.include('ok    prosody module token_lobby_bypass (XMPP_MUC_MODULES): /prosody-plugins-contrib/token_lobby_bypass/mod_token_lobby_bypass.lua\n');
    expect(fixed.out).to.include("ok    the policy names moderators, and jicofo's auto-owner is off (ENABLE_AUTO_OWNER=0)\n");
  });
});
