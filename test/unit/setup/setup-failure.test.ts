// setup interrupted at every step of applying its plan: by an error (it must undo everything)
// and by SIGKILL (each file must be either the original or the complete new version).
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { readJitsiCheckout } from '../../../scripts/jitsi-checkout';
import { applySteps, failBeforeVariable } from '../../../scripts/setup-apply';
import { parseSetupArgs, resolveInputs } from '../../../scripts/setup-inputs';
import { planSetup, type SetupPlan } from '../../../scripts/setup-plan';
import { tempPrefix } from '../../../scripts/atomic-write';
import {
  copyCheckout,
  directIdpArgs,
  fingerprint,
  preCreateSpKeys,
  realPackageRoot,
  runSetup,
  sharedSpKeys,
  type Checkout,
} from './checkout-fixture';

const presetSecrets = (t: string): string =>
  t.replace('#JWT_APP_SECRET=my_jitsi_app_secret', `JWT_APP_SECRET=e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855`) + `SIDECAR_PROXY_SECRET=d7a8fbb307d7809469ca9abcb0082e4f8d5651e46d3cdb762d02d0bf37c9e592\n`;

function leftoverTemps(...dirs: string[]): string[] {
  return [...fingerprint(...dirs).keys()].filter((p) => path.basename(p).startsWith(tempPrefix));
}

describe('scripts/setup: interrupted while writing', function () {
  this.timeout(120000);
  let c: Checkout | undefined;
  afterEach(() => c?.cleanup());

  it('an error at any step undoes everything: every file, folder and backup as before', async () => {
    let failAt = 0;
    const seen: string[] = [];
    for (; failAt < 50; failAt++) {
      c = copyCheckout();
      // a custom-config.js of the operator's, so there is an existing file besides .env
      const custom = path.join(c.configDir, 'web', 'custom-config.js');
      fs.mkdirSync(path.dirname(custom), { recursive: true });
      fs.writeFileSync(custom, 'config.disableDeepLinking = true;\n');
      const state = fingerprint(c.root);
      let calls = 0;
      let failedStep: string | undefined;
      const r = await runSetup(c, directIdpArgs, {
        makeSpKeys: () => sharedSpKeys(),
        beforeStep: (step) => {
          if (calls++ === failAt) {
            failedStep = step;
            throw new Error(`injected failure before ${step}`);
          }
        },
      });
      if (failedStep === undefined) {
        expect(r.code, r.err).to.equal(0); // ran past the last step
        break;
      }
      seen.push(failedStep.replace(c.root, '<root>'));
      expect(r.code, failedStep).to.equal(1);
      expect(r.err).to.include('every file is as it was').and.include('injected failure');
      expect(fingerprint(c.root), `after a failure before ${failedStep}`).to.deep.equal(state);
      c.cleanup();
      c = undefined;
    }
    // every kind of step was exercised, keys and .env included, .env committed last
    expect(seen[0]).to.equal('mkdir');
    expect(seen).to.include('stage:<root>/home/.jitsi-meet-cfg/saml2jwt/sp/sp-key.pem');
    expect(seen).to.include('backup:<root>/docker-jitsi-meet/.env');
    expect(seen).to.include('backup:<root>/home/.jitsi-meet-cfg/web/custom-config.js');
    expect(seen).to.include('commit:<root>/home/.jitsi-meet-cfg/saml2jwt/sp/sp-cert.pem');
    expect(seen[seen.length - 2]).to.equal('commit:<root>/docker-jitsi-meet/.env');
    expect(seen[seen.length - 1]).to.equal('done');
  });

  it('SIGKILL at any step leaves each file original or complete, and the original .env safe', async () => {
    const probe = copyCheckout('basic', presetSecrets);
    preCreateSpKeys(probe);
    const steps = applySteps(await planFor(probe));
    probe.cleanup();
    expect(steps.length).to.be.greaterThan(8);

    for (let i = 0; i < steps.length; i++) {
      c = copyCheckout('basic', presetSecrets);
      preCreateSpKeys(c);
      const plan = await planFor(c);
      const step = applySteps(plan)[i] as string;
      const child = spawnSync(
        process.execPath,
        ['--require', 'tsx/cjs', path.join(realPackageRoot, 'scripts/cli.ts'), 'setup', c.dir, ...directIdpArgs],
        { cwd: realPackageRoot, env: { ...process.env, HOME: c.home, [failBeforeVariable]: step }, encoding: 'utf8', timeout: 30000 },
      );
      expect(child.signal, `${step}: ${child.stderr}`).to.equal('SIGKILL');

      for (const file of plan.files) {
        const now = fs.existsSync(file.path) ? fs.readFileSync(file.path, 'utf8') : null;
        expect([file.before, file.after], `${file.path} after a kill before ${step}`).to.include(now);
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
      expect(leftoverTemps(c.root), step).to.deep.equal([]);
      c.cleanup();
      c = undefined;
    }
  });
});

async function planFor(c: Checkout): Promise<SetupPlan> {
  const checkout = readJitsiCheckout(c.dir, c.home);
  const inputs = await resolveInputs(parseSetupArgs([c.dir, ...directIdpArgs]), checkout.env);
  return planSetup(checkout, inputs, { packageRootDir: realPackageRoot, makeSpKeys: null });
}
