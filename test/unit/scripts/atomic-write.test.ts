// scripts/atomic-write: staged writes that a reader (or a crash) sees whole or not at all.
import { expect } from 'chai';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { backupFile, commitStaged, removeStaleTemps, stageFile, tempPrefix } from '../../../scripts/atomic-write';

describe('scripts/atomic-write', () => {
  let dir: string;
  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'saml2jwt-write-'))));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('stages beside the target, invisible until committed, keeping the target\'s mode', () => {
    const target = path.join(dir, '.env');
    fs.writeFileSync(target, 'OLD=1\n', { mode: 0o640 });
    fs.chmodSync(target, 0o640);
    const staged = stageFile(target, 'NEW=1\n');
    expect(path.dirname(staged.temp)).to.equal(dir);
    expect(path.basename(staged.temp).startsWith(tempPrefix)).to.equal(true);
    expect(fs.readFileSync(target, 'utf8')).to.equal('OLD=1\n');
    commitStaged(staged, true);
    expect(fs.readFileSync(target, 'utf8')).to.equal('NEW=1\n');
    expect(fs.statSync(target).mode & 0o777).to.equal(0o640);
    expect(fs.readdirSync(dir)).to.deep.equal(['.env']);
  });

  it('never clobbers when told not to replace (keys), and sweeps stale temps', () => {
    const key = path.join(dir, 'sp-key.pem');
    const staged = stageFile(key, 'first', 0o600);
    fs.writeFileSync(key, 'appeared meanwhile');
    expect(() => commitStaged(staged, false)).to.throw(/EEXIST/);
    expect(fs.readFileSync(key, 'utf8')).to.equal('appeared meanwhile');
    expect(removeStaleTemps(dir)).to.have.length(1);
    expect(fs.readdirSync(dir)).to.deep.equal(['sp-key.pem']);
    const fresh = stageFile(path.join(dir, 'new.pem'), 'x', 0o600);
    commitStaged(fresh, false);
    expect(fs.statSync(path.join(dir, 'new.pem')).mode & 0o777).to.equal(0o600);
  });

  it('a file of secrets gets the mode and owner it is given, not the old file\'s; so does its backup', () => {
    const target = path.join(dir, '.env');
    fs.writeFileSync(target, 'OLD=1\n');
    fs.chmodSync(target, 0o644);
    const own = { mode: 0o600, uid: process.getuid?.() ?? 0, gid: process.getgid?.() ?? 0 };
    backupFile(target, `${target}.bak`, own);
    commitStaged(stageFile(target, 'SECRET=1\n', 0o644, own), true);
    for (const file of [target, `${target}.bak`]) expect(fs.statSync(file).mode & 0o777, file).to.equal(0o600);
    expect(fs.readFileSync(`${target}.bak`, 'utf8')).to.equal('OLD=1\n');
    expect(() => backupFile(target, `${target}.bak`, own)).to.throw(/EEXIST/);
  });
});
