// setup interrupted before each of its writes: by an error (it must undo everything) and by
// SIGKILL (each file must be either the original or the complete new version). The faults come
// from the test (test/support/fs-faults.ts patches node:fs; a preload does it in a child
// process), so setup itself carries no test hook.
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { tempPrefix } from '../../../scripts/atomic-write';
import { readJitsiCheckout } from '../../../scripts/jitsi-checkout';
import { parseSetupArgs, resolveInputs } from '../../../scripts/setup-inputs';
import { planSetup, type SetupPlan } from '../../../scripts/setup-plan';
import {
  accessPrint,
  copyCheckout,
  directIdpArgs,
  fingerprint,
  preCreateSpKeys,
  realPackageRoot,
  runSetup,
  runSetupFailingBefore,
  runsAsRoot,
  sharedSpKeys,
  sudoEnv,
  type Checkout,
} from './checkout-fixture';

const KILL_PRELOAD = path.join(realPackageRoot, 'test/support/kill-before-write.ts');

const presetSecrets = (t: string): string =>
  t.replace('#JWT_APP_SECRET=my_jitsi_app_secret', `JWT_APP_SECRET=e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855`) + `SIDECAR_PROXY_SECRET=d7a8fbb307d7809469ca9abcb0082e4f8d5651e46d3cdb762d02d0bf37c9e592\n`;

function leftoverTemps(...dirs: string[]): string[] {
  return [...fingerprint(...dirs).keys()].filter((p) => path.basename(p).startsWith(tempPrefix));
}

describe('scripts/setup: interrupted while writing', function () {
  this.timeout(300000);
  let c: Checkout | undefined;
  afterEach(() => c?.cleanup());

  it('an error before any write undoes everything: every file, folder and backup as before', async () => {
    const failedBefore: string[] = [];
    for (let at = 0; at < 200; at++) {
      c = copyCheckout();
      // a custom-config.js of the operator's, so there is an existing file besides .env
      const custom = path.join(c.configDir, 'web', 'custom-config.js');
      fs.mkdirSync(path.dirname(custom), { recursive: true });
      fs.writeFileSync(custom, 'config.disableDeepLinking = true;\n');
      fs.chmodSync(c.envPath, 0o644); // as `cp env.example .env` leaves it: setup makes it 0600
      const state = fingerprint(c.root);
      const access = accessPrint(c.root);
      // As root, under "sudo": the private files are also given to the sudo user (fchown).
      const { r, fault } = await runSetupFailingBefore(c, at, directIdpArgs, { makeSpKeys: () => sharedSpKeys(), env: runsAsRoot ? sudoEnv : {} });
      if (!fault.fired) {
        expect(r.code, r.err).to.equal(0); // ran past its last write
        break;
      }
      const write = fault.writes[at] as string;
      failedBefore.push(write.replace(c.root, '<root>'));
      expect(r.code, write).to.equal(1);
      expect(r.err).to.include('every file is as it was').and.include('injected failure');
      expect(fingerprint(c.root), `after a failure before ${write}`).to.deep.equal(state);
      expect(accessPrint(c.root), `modes and owners after a failure before ${write}`).to.deep.equal(access);
      c.cleanup();
      c = undefined;
    }
    // every kind of write was failed: folders, temp files, backups, modes and owners, renames, .env renamed last
    console.log(`      failed before each of ${failedBefore.length} writes`);
    expect(failedBefore.length).to.be.greaterThan(20);
    const kinds = new Set(failedBefore.map((w) => w.split(' ')[0]));
    const expectedKinds = ['mkdirSync', 'chmodSync', 'openSync', 'writeFileSync', 'fchmodSync', 'renameSync', 'linkSync', ...(runsAsRoot ? ['fchownSync', 'chownSync'] : [])];
    for (const kind of expectedKinds) expect([...kinds]).to.include(kind);
    expect(failedBefore.some((w) => /^openSync <root>\/home\/\.jitsi-meet-cfg\/web\/custom-config\.js\.bak-saml2jwt-/.test(w))).to.equal(true);
    expect(failedBefore.some((w) => /^openSync <root>\/docker-jitsi-meet\/\.env\.bak-saml2jwt-/.test(w))).to.equal(true);
    // the secret files and their folder: created, given their mode (and, as root, uid 1000 / gid 0), staged, renamed
    const secrets = '<root>/home/.jitsi-meet-cfg/saml2jwt/secrets';
    const secretWrites = [
      `mkdirSync ${secrets}`,
      `chmodSync ${secrets}`,
      ...(runsAsRoot ? [`chownSync ${secrets}`] : []),
      ...['jwt_app_secret', 'sidecar_proxy_secret'].flatMap((name) => [
        `openSync ${secrets}/.saml2jwt-tmp-${name}-`,
        `fchmodSync fd`,
        ...(runsAsRoot ? ['fchownSync fd'] : []),
        `renameSync ${secrets}/.saml2jwt-tmp-${name}-`,
      ]),
    ];
    for (const write of secretWrites) expect(failedBefore.some((w) => w.startsWith(write)), write).to.equal(true);
    const renames = failedBefore.filter((w) => w.startsWith('renameSync'));
    expect(renames.at(-1)).to.match(/^renameSync <root>\/docker-jitsi-meet\/\.saml2jwt-tmp-\.env-/);
  });

  it('with --moderators --wait-for-host --inline-login: an error before any write undoes everything, the policy copy included', async () => {
    const failedBefore: string[] = [];
    for (let at = 0; at < 200; at++) {
      c = copyCheckout();
      preCreateSpKeys(c);
      const policy = path.join(c.root, 'moderators.yml');
      fs.writeFileSync(policy, 'rules:\n  - { name: staff, match: { attribute: affiliation, equals: staff@uni.example }, moderator: true, lobby_bypass: true }\n');
      const state = fingerprint(c.root);
      const { r, fault } = await runSetupFailingBefore(c, at, [...directIdpArgs, '--moderators', policy, '--wait-for-host', '--inline-login']);
      if (!fault.fired) {
        expect(r.code, r.err).to.equal(0);
        break;
      }
      const write = fault.writes[at] as string;
      failedBefore.push(write.replace(c.root, '<root>'));
      expect(r.code, write).to.equal(1);
      expect(fingerprint(c.root), `after a failure before ${write}`).to.deep.equal(state);
      c.cleanup();
      c = undefined;
    }
    expect(failedBefore.some((w) => w.includes('/saml2jwt/policy/'))).to.equal(true);
  });

  it('an error before any write puts an existing secrets folder and file back, mode and owner included', async () => {
    let failures = 0;
    for (let at = 0; at < 200; at++) {
      c = copyCheckout('basic', presetSecrets);
      preCreateSpKeys(c);
      const secrets = path.join(c.configDir, 'saml2jwt', 'secrets');
      fs.mkdirSync(secrets, { recursive: true });
      fs.chmodSync(secrets, 0o755);
      fs.writeFileSync(path.join(secrets, 'jwt_app_secret'), 'stale\n');
      fs.chmodSync(path.join(secrets, 'jwt_app_secret'), 0o644);
      const state = fingerprint(c.root);
      const access = accessPrint(c.root);
      const { r, fault } = await runSetupFailingBefore(c, at, directIdpArgs);
      if (!fault.fired) {
        expect(r.code, r.err).to.equal(0);
        expect(accessPrint(secrets).get(path.join(secrets, 'jwt_app_secret'))).to.match(/^440 /);
        break;
      }
      failures++;
      const write = fault.writes[at] as string;
      expect(r.code, write).to.equal(1);
      expect(fingerprint(c.root), `after a failure before ${write}`).to.deep.equal(state);
      expect(accessPrint(c.root), `modes and owners after a failure before ${write}`).to.deep.equal(access);
      c.cleanup();
      c = undefined;
    }
    expect(failures).to.be.greaterThan(5);
  });

  it('SIGKILL before any write leaves each file original or complete, and the original .env safe', async () => {
    let killedAt = 0;
    for (let at = 0; at < 200; at++) {
      c = copyCheckout('basic', presetSecrets);
      preCreateSpKeys(c);
      const plan = await planFor(c);
      const child = spawnSync(
        process.execPath,
        ['--require', 'tsx/cjs', '--require', KILL_PRELOAD, path.join(realPackageRoot, 'scripts/cli.ts'), 'setup', c.dir, ...directIdpArgs],
        {
          cwd: realPackageRoot,
          env: { ...process.env, HOME: c.home, SAML2JWT_TEST_KILL_ROOT: c.root, SAML2JWT_TEST_KILL_AT: String(at) },
          encoding: 'utf8',
          timeout: 30000,
        },
      );
      if (child.signal === null) {
        expect(child.status, child.stderr).to.equal(0); // ran past its last write
        break;
      }
      expect(child.signal, `write ${at}: ${child.stderr}`).to.equal('SIGKILL');
      killedAt++;

      for (const file of plan.files) {
        const now = fs.existsSync(file.path) ? fs.readFileSync(file.path, 'utf8') : null;
        expect([file.before, file.after], `${file.path} after a kill before write ${at}`).to.include(now);
      }
      const envNow = fs.readFileSync(c.envPath, 'utf8');
      if (envNow !== c.originalEnv) {
        const backups = fs.readdirSync(c.dir).filter((n) => n.startsWith('.env.bak-saml2jwt-'));
        expect(backups.map((b) => fs.readFileSync(path.join(c!.dir, b), 'utf8'))).to.include(c.originalEnv);
      }

      // the next run finishes the job and sweeps the temporary files of the killed one
      const again = await runSetup(c, directIdpArgs);
      expect(again.code, again.err).to.equal(0);
      for (const file of plan.files) expect(fs.readFileSync(file.path, 'utf8'), file.path).to.equal(file.after);
      expect(leftoverTemps(c.root), `write ${at}`).to.deep.equal([]);
      c.cleanup();
      c = undefined;
    }
    console.log(`      killed before each of ${killedAt} writes`);
    expect(killedAt).to.be.greaterThan(8);
  });
});

async function planFor(c: Checkout): Promise<SetupPlan> {
  const checkout = readJitsiCheckout(c.dir, c.home);
  const inputs = await resolveInputs(parseSetupArgs([c.dir, ...directIdpArgs]), checkout.env);
  return planSetup(checkout, inputs, { packageRootDir: realPackageRoot, makeSpKeys: null });
}
