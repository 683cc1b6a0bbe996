// One PUBLIC_URL rule for the sidecar, setup and the SP image's renderer (a bash script): each
// case is accepted by all three, or refused by all three with the same sentence.
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ConfigError, loadConfig } from '../../../sidecar/src/config/load';
import { checkPublicUrl, InvalidInput } from '../../../scripts/input-checks';
import { testEnv } from '../../support/config-fixture';

const RENDER = path.resolve(__dirname, '../../../shib-image/rootfs/usr/local/bin/saml2jwt-render');

const accepted = ['https://meet.example.org', 'https://meet.example.org/', 'https://meet.example.org:8443', 'https://[2001:db8::1]:8443', 'http://localhost:8000', 'http://web.meet.jitsi'];
const shape = (v: string): string => `PUBLIC_URL must look like https://host or https://host:port (no path, query or credentials), not "${v}"`;
const refused: [string, string][] = [
  ...['https://meet.example.org/jitsi', 'https://meet.example.org:8443/jitsi/', 'https://meet.example.org//', 'meet.example.org', 'ftp://meet.example.org', 'https://user:pw@meet.example.org', 'https://meet.example.org/?room=a', 'https://meet.example.org#x'].map(
    (v): [string, string] => [v, shape(v)],
  ),
  ['http://meet.example.org', 'PUBLIC_URL must start with https:// (plain http only for localhost or *.meet.jitsi), not "http://meet.example.org"'],
];

function sidecarProblem(value: string): string | undefined {
  try {
    loadConfig(testEnv({ PUBLIC_URL: value }));
    return undefined;
  } catch (err) {
    expect(err).to.be.instanceOf(ConfigError);
    const problems = (err as ConfigError).problems;
    expect(problems, problems.join('\n')).to.have.length(1);
    return problems[0];
  }
}

function setupProblem(value: string): string | undefined {
  try {
    checkPublicUrl(value);
    return undefined;
  } catch (err) {
    expect(err).to.be.instanceOf(InvalidInput);
    return (err as Error).message;
  }
}

describe('config/public-url: one rule for the sidecar, setup and saml2jwt-render', () => {
  let outDir: string;
  before(() => {
    outDir = mkdtempSync(path.join(tmpdir(), 'saml2jwt-render-'));
  });
  after(() => rmSync(outDir, { recursive: true, force: true }));

  // The renderer reports every problem on its own line; only the PUBLIC_URL line matters here.
  function renderProblem(value: string): string | undefined {
    const r = spawnSync('bash', [RENDER], {
      env: { PATH: process.env.PATH ?? '', PUBLIC_URL: value, SHIB_CONFIG_DIR: outDir, APACHE_CONFIG_DIR: outDir },
      encoding: 'utf8',
    });
    expect(r.status, r.stderr).to.equal(2); // the other variables are missing on purpose
    const line = r.stderr.split('\n').find((l) => l.startsWith('saml2jwt-render: PUBLIC_URL'));
    return line?.slice('saml2jwt-render: '.length);
  }

  for (const value of accepted) {
    it(`all three accept ${value}`, () => {
      expect(sidecarProblem(value), 'sidecar').to.equal(undefined);
      expect(setupProblem(value), 'setup').to.equal(undefined);
      expect(renderProblem(value), 'saml2jwt-render').to.equal(undefined);
    });
  }

  for (const [value, message] of refused) {
    it(`all three refuse ${value} with the same sentence`, () => {
      expect(sidecarProblem(value), 'sidecar').to.equal(message);
      expect(setupProblem(value), 'setup').to.equal(message);
      expect(renderProblem(value), 'saml2jwt-render').to.equal(message);
    });
  }

  it('the sidecar keeps the URL without its trailing slash', () => {
    expect(loadConfig(testEnv({ PUBLIC_URL: 'https://meet.example.org:8443/' })).publicUrl.href).to.equal('https://meet.example.org:8443/');
    expect(checkPublicUrl('https://meet.example.org:8443/')).to.equal('https://meet.example.org:8443');
  });
});
