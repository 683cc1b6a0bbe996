// scripts/doctor-files: doctor's warning about a .env (or a backup of it) that others can read,
// on copies of the fixture checkout with the modes a real one has.
import { expect } from 'chai';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { formatResult, summarize } from '../../../scripts/doctor-checks';
import { secretFilesCheck } from '../../../scripts/doctor-files';
import { copyCheckout, type Checkout } from './checkout-fixture';

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
