// One release number everywhere an operator looks (issue 22 §3): the packages, both images'
// labels, the overlay setup copies, the CHANGELOG's newest release, `--version`, and doctor.
import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { ComposeProject, ServiceContainer } from '../../../scripts/doctor-checks';
import { overlayVersion, versionCheck } from '../../../scripts/doctor-versions';
import { VERSION } from '../../../sidecar/src/version';

const root = path.resolve(__dirname, '../../..');
const read = (file: string): string => readFileSync(path.join(root, file), 'utf8');

describe('release: one version everywhere', () => {
  it('is a semantic version, the same in both package.json files and the sidecar', () => {
    const version = (JSON.parse(read('package.json')) as { version: string }).version;
    expect(version).to.match(/^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/);
    expect((JSON.parse(read('sidecar/package.json')) as { version: string }).version).to.equal(version);
    expect(VERSION).to.equal(version);
  });

  it('both images label themselves with it (org.opencontainers.image.version)', () => {
    for (const dockerfile of ['sidecar/Dockerfile', 'shib-image/Dockerfile']) {
      const text = read(dockerfile);
      expect(text, dockerfile).to.include(`ARG SAML2JWT_VERSION=${VERSION}\n`);
      expect(text, dockerfile).to.include('org.opencontainers.image.version="${SAML2JWT_VERSION}"');
    }
  });

  it('the overlay names it on its first line, and the CHANGELOG\'s newest release is it', () => {
    expect(overlayVersion(read('compose-overlay/saml2jwt.yml'))).to.equal(VERSION);
    const releases = [...read('CHANGELOG.md').matchAll(/^## \[(\d+\.\d+\.\d+[^\]]*)\] - (\d{4}-\d{2}-\d{2})$/gm)].map((m) => m[1]);
    expect(releases[0]).to.equal(VERSION);
  });

  it('jitsi-saml2jwt --version prints it', () => {
    const out = execFileSync(process.execPath, ['--require', 'tsx/cjs', path.join(root, 'scripts/cli.ts'), '--version'], { cwd: root, encoding: 'utf8' });
    expect(out).to.equal(`jitsi-saml2jwt ${VERSION}\n`);
  });
});

describe('doctor: which releases are running', () => {
  const container = (service: string, imageVersion?: string): ServiceContainer => ({
    service, name: `jitsi-${service}-1`, status: 'running', env: new Map(), networks: [], aliases: [], mounts: new Map(),
    ...(imageVersion ? { imageVersion } : {}),
  });
  const project = (sidecar?: string, sp?: string): ComposeProject => ({
    name: 'jitsi',
    services: new Map([['saml2jwt', container('saml2jwt', sidecar)], ['saml-sp', container('saml-sp', sp)]]),
  });

  it('one ok line when doctor, both images and the checkout\'s overlay are one release', () => {
    expect(versionCheck(project('0.2.0', '0.2.0'), '# jitsi-saml2jwt 0.2.0\n# ...', '0.2.0')).to.deep.equal({
      ok: true,
      what: "jitsi-saml2jwt 0.2.0: doctor, the saml2jwt image, the saml-sp image, the checkout's saml2jwt.yml",
    });
  });

  it('a warning, not a failure, naming each part, when they differ or an image predates the label', () => {
    const r = versionCheck(project('0.2.0', undefined), '# SAML login for Jitsi Meet (jitsi-saml2jwt)...', '0.2.0');
    expect(r).to.include({ ok: false, warning: true });
    expect(r.what).to.equal("jitsi-saml2jwt releases differ: doctor 0.2.0, the saml2jwt image 0.2.0, the saml-sp image unknown (built before 0.2.0), the checkout's saml2jwt.yml unknown (copied before 0.2.0)");
    expect(r.fix).to.match(/setup .* again .* build saml2jwt saml-sp/);
    expect(versionCheck(project('0.3.0', '0.2.0'), undefined, '0.2.0').ok).to.equal(false);
  });
});
