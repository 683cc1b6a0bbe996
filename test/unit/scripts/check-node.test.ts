// scripts/check-node.js, the step before `npm test`: a Node older than engines.node stops the run
// with one clear message; Node 24 and newer pass silently.
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

const ROOT = resolve(__dirname, '../../..');
const SCRIPT = resolve(ROOT, 'scripts/check-node.js');

function check(...version: string[]): { code: number | null; err: string } {
  const r = spawnSync(process.execPath, [SCRIPT, ...version], { encoding: 'utf8', timeout: 20_000 });
  return { code: r.status, err: r.stderr };
}

describe('scripts/check-node.js (npm pretest)', () => {
  it('is what npm runs before the tests, and engines.node asks for Node 24', () => {
    const pkg = JSON.parse(readFileSync(resolve(ROOT, 'package.json'), 'utf8')) as { engines: { node: string }; scripts: Record<string, string> };
    expect(pkg.engines.node).to.equal('>=24');
    expect(pkg.scripts.pretest).to.equal('node scripts/check-node.js');
  });

  it('passes the Node that CI pins (.ci/install-node.sh), an even-numbered (LTS) line', () => {
    const pinned = /^NODE_VERSION=(\d+)\.(\d+)\.(\d+)$/m.exec(readFileSync(resolve(ROOT, '.ci/install-node.sh'), 'utf8'));
    expect(pinned, 'NODE_VERSION=X.Y.Z in .ci/install-node.sh').to.not.equal(null);
    expect(Number(pinned?.[1]) % 2).to.equal(0);
    expect(check(`${pinned?.[1]}.${pinned?.[2]}.${pinned?.[3]}`)).to.deep.equal({ code: 0, err: '' });
  });

  it('passes the Node running these tests', () => {
    expect(Number(process.versions.node.split('.')[0])).to.be.at.least(24);
    expect(check()).to.deep.equal({ code: 0, err: '' });
  });

  for (const version of ['24.0.0', 'v24.22.3', '26.1.0']) {
    it(`passes Node ${version}`, () => {
      expect(check(version)).to.deep.equal({ code: 0, err: '' });
    });
  }

  for (const version of ['20.20.2', 'v22.12.0', '23.11.1']) {
    it(`stops Node ${version} with a message that names both versions and the way out`, () => {
      const r = check(version);
      expect(r.code).to.equal(1);
      expect(r.err).to.match(new RegExp(`^jitsi-saml2jwt needs Node 24 or newer \\(package.json engines.node ">=24"\\), but this is Node ${version.replace(/^v/, '').replace(/\./g, '\\.')} `));
      expect(r.err).to.include('.ci/install-node.sh');
      expect(r.err).to.not.match(/^\s+at /m);
    });
  }
});
