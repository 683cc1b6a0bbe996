// scripts/doctor-files: doctor's warning about a .env (or a backup of it) that others can read,
// on copies of the fixture checkout with the modes a real one has.
import { expect } from 'chai';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { formatResult, summarize } from '../../../scripts/doctor-checks';
import { secretFilesCheck, secretMountsCheck } from '../../../scripts/doctor-files';
import { copyCheckout, runsAsRoot, type Checkout } from './checkout-fixture';

describe('scripts/doctor-files: the .env and its backups are private', () => {
  let c: Checkout | undefined;
  afterEach(() => c?.cleanup());

  it('passes when the .env and every backup are 0600 (or stricter)', () => {
    c = copyCheckout();
    fs.chmodSync(c.envPath, 0o600);
    fs.writeFileSync(path.join(c.dir, '.env.bak-saml2jwt-20261201T120000Z'), c.originalEnv, { mode: 0o400 });
    const results = secretFilesCheck(c.dir);
    expect(results).to.have.length(1);
    expect(results[0]).to.deep.equal({ ok: true, what: `the .env and its 1 backup in ${c.dir} are readable by their owner only (they hold secrets)` });
  });

  it('warns, naming each file and its mode, when the .env or a backup is open to its group or others; exit status stays 0', () => {
    c = copyCheckout();
    fs.chmodSync(c.envPath, 0o644); // what `cp env.example .env` leaves
    const privateBackup = path.join(c.dir, '.env.bak-saml2jwt-20261201T120000Z');
    const groupBackup = path.join(c.dir, '.env.bak-saml2jwt-20261201T130000Z');
    fs.writeFileSync(privateBackup, c.originalEnv, { mode: 0o600 });
    fs.writeFileSync(groupBackup, c.originalEnv);
    fs.chmodSync(groupBackup, 0o640);
    const [result] = secretFilesCheck(c.dir);
    expect(result?.ok).to.equal(false);
    expect(result?.warning).to.equal(true);
    expect(result?.what).to.include('.env (0644), .env.bak-saml2jwt-20261201T130000Z (0640)').and.not.include('120000Z');
    expect(formatResult(result!)).to.equal(
      `WARN  readable by others than their owner, though they hold JWT_APP_SECRET and Jitsi's passwords: .env (0644), .env.bak-saml2jwt-20261201T130000Z (0640)\n` +
        `      fix: chmod 600 ${c.envPath} ${groupBackup}`,
    );
    expect(summarize([{ ok: true, what: 'x' }, result!])).to.deep.equal({ line: 'all 1 checks passed, 1 warning', failed: 0 });
    expect(summarize([{ ok: false, what: 'y', fix: 'z' }, result!]).failed).to.equal(1);
  });

  it('says nothing about a folder without a .env (doctor may run on another machine)', () => {
    c = copyCheckout('no-env');
    expect(secretFilesCheck(c.dir)).to.deep.equal([]);
    expect(secretFilesCheck(path.join(c.dir, 'absent'))).to.deep.equal([]);
  });
});

describe('scripts/doctor-files: the secret files the containers mount', () => {
  let c: Checkout | undefined;
  afterEach(() => c?.cleanup());
  const secretFiles = (mode: number, owner?: [number, number]): string[] => {
    c = copyCheckout();
    const dir = path.join(c.configDir, 'saml2jwt', 'secrets');
    fs.mkdirSync(dir, { recursive: true });
    return ['jwt_app_secret', 'sidecar_proxy_secret'].map((name) => {
      const file = path.join(dir, name);
      fs.writeFileSync(file, 'x'.repeat(40) + '\n');
      fs.chmodSync(file, mode);
      if (owner) fs.chownSync(file, ...owner);
      return file;
    });
  };

  it('passes for 0440 files of uid 1000 and group 0, as setup writes them', function () {
    if (!runsAsRoot) this.skip();
    const results = secretMountsCheck(secretFiles(0o440, [1000, 0]));
    expect(results).to.deep.equal([{ ok: true, what: 'the secret files the containers mount are not readable by other users: jwt_app_secret (0440 1000:0), sidecar_proxy_secret (0440 1000:0)' }]);
  });

  it('fails when a secret file is readable by every user, and says how to fix it', function () {
    if (!runsAsRoot) this.skip();
    const files = secretFiles(0o444, [1000, 0]);
    const results = secretMountsCheck(files);
    expect(results).to.have.length(1);
    expect(formatResult(results[0]!)).to.equal(
      `FAIL  secret files readable by every user of the host: ${files[0]} (0444), ${files[1]} (0444)\n      fix: chmod 0440 ${files[0]} ${files[1]} (jitsi-saml2jwt setup writes them so)`,
    );
    expect(summarize(results).failed).to.equal(1);
  });

  it('warns when they do not belong to uid 1000 and group 0 (the containers cannot read them after a restart)', () => {
    const files = secretFiles(0o440);
    const results = secretMountsCheck(files);
    const warning = results.find((r) => !r.ok);
    expect(warning?.warning).to.equal(true);
    expect(warning?.fix).to.equal(`sudo chown -R 1000:0 ${path.dirname(files[0]!)}`);
    expect(summarize(results).failed).to.equal(0);
  });

  it('says nothing about files that are not on this machine', () => {
    expect(secretMountsCheck(['/nonexistent/saml2jwt/secrets/jwt_app_secret'])).to.deep.equal([]);
  });
});
