// doctor's conclusions, on `docker inspect` output captured from a real compose project
// (test/fixtures/docker-jitsi-meet/inspect/), varied the way real deployments go wrong.
import { expect } from 'chai';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  chooseProject,
  configurationChecks,
  formatResult,
  metadataCheck,
  readSecrets,
  readyzCheck,
  secretFileSources,
  secretFromProbe,
  type CheckResult,
  type ContainerInspect,
  type ComposeProject,
  type SecretReadings,
} from '../../../scripts/doctor-checks';
import { run as doctor } from '../../../scripts/doctor';
import { fixturesDir } from './checkout-fixture';

const inspectDir = path.join(fixturesDir, 'inspect');
const load = (name: string): ContainerInspect[] => JSON.parse(fs.readFileSync(path.join(inspectDir, name), 'utf8'));
const ours = ['saml2jwt', 'saml-sp'];
const serviceOf = (c: ContainerInspect): string => c.Config.Labels?.['com.docker.compose.service'] ?? '';
/** Jitsi's containers, and ours as the overlay runs them now: secrets as files, the sidecar on saml2jwt-internal only. */
const running = (): ContainerInspect[] => [...load('running-path-mode.json').filter((c) => !ours.includes(serviceOf(c))), ...load('saml-services-least-privilege.json')];
/** Ours as an older overlay ran them: secrets in the environment, both on meet.jitsi only. */
const runningOldOverlay = (): ContainerInspect[] => load('running-path-mode.json');

// What each container's secret file holds (the fixture's prosody has the same JWT_APP_SECRET).
const appSecret = '0123456789abcdef0123456789abcdef0123456789abcdef';
const proxySecret = 'fedcba9876543210fedcba9876543210fedcba98';
type Files = Record<string, string>; // "<service> <path in the container>" -> content
const goodFiles = (): Files => ({
  'saml2jwt /run/secrets/jwt_app_secret': `${appSecret}\n`,
  'saml2jwt /run/secrets/sidecar_proxy_secret': `${proxySecret}\n`,
  'saml-sp /run/secrets/sidecar_proxy_secret': `${proxySecret}\n`,
});
/** readSecrets as doctor runs it, with `cat` inside the containers replaced by these files. */
function secretsOf(project: ComposeProject, files: Files = goodFiles()): Promise<SecretReadings> {
  return readSecrets(project, async (c, file) => {
    const content = files[`${c.service} ${file}`];
    return content === undefined ? { exitCode: 1, output: `cat: ${file}: No such file or directory\n` } : { exitCode: 0, output: content };
  });
}
async function checksOf(containers: ContainerInspect[], files?: Files): Promise<CheckResult[]> {
  const project = chooseProject(containers)!;
  return configurationChecks(project, await secretsOf(project, files));
}

function service(containers: ContainerInspect[], name: string): ContainerInspect {
  const found = containers.find((c) => c.Config.Labels?.['com.docker.compose.service'] === name);
  if (!found) throw new Error(`fixture has no ${name}`);
  return found;
}
function setEnv(c: ContainerInspect, key: string, value: string | undefined): void {
  const env = (c.Config.Env ?? []).filter((e) => !e.startsWith(`${key}=`));
  if (value !== undefined) env.push(`${key}=${value}`);
  c.Config.Env = env;
}
const failures = (results: CheckResult[]): string[] => results.filter((r) => !r.ok).map((r) => r.what);

describe('scripts/doctor-checks: judging a running deployment from docker inspect', () => {
  it('passes every configuration check on a well wired project', async () => {
    const project = chooseProject(running());
    expect(project?.name).to.equal('docker-jitsi-meet');
    expect(project?.workingDir).to.equal('/srv/docker-jitsi-meet');
    const results = configurationChecks(project!, await secretsOf(project!));
    expect(failures(results)).to.deep.equal([]);
    expect(results.length).to.be.greaterThan(12);
    expect(results.map((r) => r.what)).to.include.members([
      "saml-sp and saml2jwt share SIDECAR_PROXY_SECRET, strong by the sidecar's rule (values not shown)",
      "prosody and saml2jwt share JWT_APP_SECRET, strong by the sidecar's rule (values not shown)",
      'saml-sp is on the meet.jitsi and saml2jwt-internal networks (docker-jitsi-meet_meet.jitsi, docker-jitsi-meet_saml2jwt-internal)',
      'saml2jwt is on the saml2jwt-internal network, where saml-sp reaches it (docker-jitsi-meet_saml2jwt-internal)',
    ]);
  });

  it('reads the secrets from the files their *_FILE variables name, inside the containers, never from a guess', async () => {
    const project = chooseProject(running())!;
    const asked: string[] = [];
    await readSecrets(project, async (c, file) => {
      asked.push(`${c.name} ${file}`);
      return { exitCode: 0, output: 'x' };
    });
    expect(asked.sort()).to.deep.equal([
      'docker-jitsi-meet-saml-sp-1 /run/secrets/sidecar_proxy_secret',
      'docker-jitsi-meet-saml2jwt-1 /run/secrets/jwt_app_secret',
      'docker-jitsi-meet-saml2jwt-1 /run/secrets/sidecar_proxy_secret',
    ]);
    // one final newline is dropped, as the sidecar and the SP do; a failed read is a problem, not a value
    expect(secretFromProbe('/run/secrets/x', { exitCode: 0, output: 'abc\n' })).to.deep.equal({ value: 'abc' });
    expect(secretFromProbe('/run/secrets/x', { exitCode: 1, output: 'cat: /run/secrets/x: Permission denied\n' })).to.deep.equal({
      problem: 'cannot read /run/secrets/x in the container (cat: /run/secrets/x: Permission denied)',
    });
    // the host paths of the mounted secret files, for the mode check
    expect(secretFileSources(project)).to.deep.equal([
      '/srv/.jitsi-meet-cfg/saml2jwt/secrets/jwt_app_secret',
      '/srv/.jitsi-meet-cfg/saml2jwt/secrets/sidecar_proxy_secret',
    ]);
  });

  it('fails the shared-secret checks, naming the cause and never a value, when a file differs, is weak or cannot be read', async () => {
    const cases: [string, Files, RegExp, RegExp][] = [
      ['differs', { ...goodFiles(), 'saml-sp /run/secrets/sidecar_proxy_secret': `${'ab12'.repeat(10)}\n` }, /^saml-sp and saml2jwt share SIDECAR_PROXY_SECRET/, /they differ/],
      ['weak', { ...goodFiles(), 'saml-sp /run/secrets/sidecar_proxy_secret': 'short\n', 'saml2jwt /run/secrets/sidecar_proxy_secret': 'short\n' }, /^saml-sp and saml2jwt share SIDECAR_PROXY_SECRET/, /SIDECAR_PROXY_SECRET /],
      ['unreadable', (() => { const f = goodFiles(); delete f['saml2jwt /run/secrets/jwt_app_secret']; return f; })(), /^prosody and saml2jwt share JWT_APP_SECRET/, /saml2jwt: cannot read \/run\/secrets\/jwt_app_secret in the container \(cat: /],
    ];
    for (const [label, files, what, fix] of cases) {
      const failed = (await checksOf(running(), files)).filter((r) => !r.ok);
      expect(failed.map((f) => f.what), label).to.have.length(1);
      expect(failed[0]!.what, label).to.match(what);
      expect(failed[0]!.fix, label).to.match(fix);
      expect(formatResult(failed[0]!), label).not.to.include(proxySecret).and.not.include(appSecret).and.not.include('ab12ab12');
    }
  });

  it('expects the sidecar on meet.jitsi too in advanced mode, and warns when it is there without need', async () => {
    const advanced = running();
    setEnv(service(advanced, 'saml2jwt'), 'JWT_TOKEN_MODE', 'advanced');
    expect(failures(await checksOf(advanced))).to.deep.equal([
      'saml2jwt is on the meet.jitsi network too, to ask Jicofo about private rooms (JWT_TOKEN_MODE=advanced)',
    ]);
    const joined = running();
    const sidecar = service(joined, 'saml2jwt');
    sidecar.NetworkSettings.Networks!['docker-jitsi-meet_meet.jitsi'] = { Aliases: ['saml2jwt', 'saml2jwt.meet.jitsi'] };
    expect(failures(await checksOf(joined))).to.deep.equal([
      'saml2jwt is on the meet.jitsi network though JWT_TOKEN_MODE is not advanced and JWT_SIGNING is not RS256: every Jitsi container reaches its ports',
    ]);
    expect((await checksOf(joined)).find((r) => !r.ok)?.warning).to.equal(true);
    setEnv(sidecar, 'JWT_TOKEN_MODE', 'advanced');
    expect(failures(await checksOf(joined))).to.deep.equal([]);
  });

  it('an older overlay (secrets in the environment, the sidecar on meet.jitsi): the secrets still compare, the networks fail', async () => {
    const results = await checksOf(runningOldOverlay());
    expect(failures(results)).to.deep.equal([
      'saml-sp is on the meet.jitsi and saml2jwt-internal networks (docker-jitsi-meet_meet.jitsi)',
      'saml2jwt is on the saml2jwt-internal network, where saml-sp reaches it (docker-jitsi-meet_meet.jitsi)',
      'saml2jwt is on the meet.jitsi network though JWT_TOKEN_MODE is not advanced and JWT_SIGNING is not RS256: every Jitsi container reaches its ports',
    ]);
    expect(results.filter((r) => r.ok).map((r) => r.what)).to.include("saml-sp and saml2jwt share SIDECAR_PROXY_SECRET, strong by the sidecar's rule (values not shown)");
  });

  it('fails, without crashing, when services are missing or stopped', async () => {
    const noProsody = running().filter((c) => c.Config.Labels?.['com.docker.compose.service'] !== 'prosody');
    expect(failures(await checksOf(noProsody))).to.deep.equal(['prosody runs']);

    const exited = [...noProsody, load('prosody-exited.json') as unknown as ContainerInspect];
    const results = await checksOf(exited);
    expect(failures(results)).to.deep.equal(['prosody is exited (docker-jitsi-meet-prosody-1)']);
    expect(results.find((r) => !r.ok)?.fix).to.include('docker logs docker-jitsi-meet-prosody-1');

    const noOverlay = running().filter((c) => !['saml2jwt', 'saml-sp'].includes(c.Config.Labels?.['com.docker.compose.service'] ?? ''));
    expect(failures(await checksOf(noOverlay))).to.deep.equal(['saml2jwt runs', 'saml-sp runs']);
  });

  it('names each misconfiguration on its own line, never showing a secret', async () => {
    const cases: [string, (cs: ContainerInspect[]) => void, RegExp][] = [
      ['auth type', (cs) => setEnv(service(cs, 'prosody'), 'AUTH_TYPE', 'internal'), /^prosody uses JWT auth .*AUTH_TYPE=internal/],
      ['app id', (cs) => setEnv(service(cs, 'saml2jwt'), 'JWT_APP_ID', 'other'), /^prosody and saml2jwt share JWT_APP_ID \(prosody: jitsi, saml2jwt: other\)/],
      ['app secret', (cs) => setEnv(service(cs, 'prosody'), 'JWT_APP_SECRET', 'x'.repeat(40)), /^prosody and saml2jwt share JWT_APP_SECRET/],
      ['token auth url', (cs) => setEnv(service(cs, 'web'), 'TOKEN_AUTH_URL', undefined), /^web sends logins to our SP \(TOKEN_AUTH_URL=unset\)/],
      ['domain verification', (cs) => setEnv(service(cs, 'prosody'), 'JWT_ENABLE_DOMAIN_VERIFICATION', 'false'), /JWT_ENABLE_DOMAIN_VERIFICATION/],
      [
        'weak app secret, shared',
        (cs) => ['prosody', 'saml2jwt'].forEach((s) => setEnv(service(cs, s), 'JWT_APP_SECRET', 'my_jitsi_app_secret')),
        /^prosody and saml2jwt share JWT_APP_SECRET, strong by the sidecar's rule/,
      ],
      [
        'short proxy secret, shared, in the environment (an older overlay)',
        (cs) => ['saml-sp', 'saml2jwt'].forEach((s) => setEnv(service(cs, s), 'SIDECAR_PROXY_SECRET', 'a1b2c3d4e5f6')),
        /^saml-sp and saml2jwt share SIDECAR_PROXY_SECRET, strong by the sidecar's rule/,
      ],
      ['health', (cs) => ((service(cs, 'saml-sp').State.Health as { Status: string }).Status = 'unhealthy'), /^saml-sp is healthy \(unhealthy\)/],
      ['network', (cs) => (service(cs, 'saml2jwt').NetworkSettings.Networks = { bridge: {} }), /^saml2jwt is on the saml2jwt-internal network, where saml-sp reaches it \(bridge\)/],
    ];
    for (const [label, breakIt, expected] of cases) {
      const containers = running();
      breakIt(containers);
      const failed = (await checksOf(containers)).filter((r) => !r.ok);
      expect(failed.map((f) => f.what), label).to.have.length(1);
      expect(failed[0]!.what, label).to.match(expected);
      const line = formatResult(failed[0]!);
      expect(line, label).to.match(/^FAIL  .*\n      fix: \S/);
      expect(line, label).not.to.include('0123456789abcdef0123'); // the fixture's secrets
    }
  });

  describe('the test IdP next to a real one', () => {
    const testIdpUrl = 'https://test-idp.meet.jitsi:8443/simplesaml/saml2/idp/metadata.php';
    const withTestIdp = (metadataUrl: string | undefined, tlsCa?: string): ContainerInspect[] => {
      const containers = [...running(), load('test-idp-running.json') as unknown as ContainerInspect];
      setEnv(service(containers, 'saml-sp'), 'METADATA_URL', metadataUrl);
      if (tlsCa !== undefined) setEnv(service(containers, 'saml-sp'), 'METADATA_TLS_CA', tlsCa);
      return containers;
    };

    it('fails loudly when the test-idp container runs while the SP reads another IdP\'s metadata', async () => {
      for (const url of ['https://idp.uni.example/idp/shibboleth', 'http://md.federation.example/aggregate.xml', undefined]) {
        const results = await checksOf(withTestIdp(url));
        const failed = results.filter((r) => !r.ok);
        expect(failed.map((f) => f.what), String(url)).to.deep.equal([
          `the test IdP (docker-jitsi-meet-test-idp-1) runs next to a real IdP (saml-sp: METADATA_URL=${url ?? 'unset'}); its users and passwords are public`,
        ]);
        expect(failed[0]?.warning).to.equal(undefined); // a failure, not a warning: doctor exits 1
        expect(formatResult(failed[0]!)).to.match(/^FAIL  .*\n      fix: remove it: docker compose rm -sf test-idp/);
      }
      const local = withTestIdp(undefined);
      setEnv(service(local, 'saml-sp'), 'METADATA_FILE', '/etc/shibboleth/keys/idp-metadata.xml');
      expect(failures(await checksOf(local))).to.deep.equal([
        'the test IdP (docker-jitsi-meet-test-idp-1) runs next to a real IdP (saml-sp: METADATA_FILE=/etc/shibboleth/keys/idp-metadata.xml); its users and passwords are public',
      ]);
    });

    it('passes, with a reminder, when the SP uses the test IdP itself; a stopped test-idp is no finding', async () => {
      const results = await checksOf(withTestIdp(testIdpUrl, '/etc/shibboleth/test-idp-ca/ca-cert.pem'));
      expect(failures(results)).to.deep.equal([]);
      expect(results.map((r) => r.what)).to.include(
        `the test IdP (docker-jitsi-meet-test-idp-1) runs as the SP's only IdP (METADATA_URL=${testIdpUrl}); never use it in production`,
      );
      const stopped = withTestIdp('https://idp.uni.example/idp/shibboleth');
      service(stopped, 'test-idp').State.Status = 'exited';
      expect(failures(await checksOf(stopped))).to.deep.equal([]);
    });

    it('fails when the SP checks a real metadata server against the test IdP\'s CA', async () => {
      const containers = running();
      setEnv(service(containers, 'saml-sp'), 'METADATA_URL', 'https://idp.uni.example/idp/shibboleth');
      setEnv(service(containers, 'saml-sp'), 'METADATA_TLS_CA', '/etc/shibboleth/test-idp-ca/ca-cert.pem');
      const failed = (await checksOf(containers)).filter((r) => !r.ok);
      expect(failed.map((f) => f.what)).to.deep.equal([
        "saml-sp checks the TLS certificate of METADATA_URL=https://idp.uni.example/idp/shibboleth against the test IdP's CA (METADATA_TLS_CA=/etc/shibboleth/test-idp-ca/ca-cert.pem)",
      ]);
      expect(failed[0]?.fix).to.include('empties METADATA_TLS_CA');
    });
  });

  it('prefers the project started from the given folder', () => {
    const other = running().map((c) => {
      const copy = JSON.parse(JSON.stringify(c)) as ContainerInspect;
      copy.Config.Labels!['com.docker.compose.project'] = 'staging';
      copy.Config.Labels!['com.docker.compose.project.working_dir'] = '/srv/staging';
      return copy;
    });
    const mixed = [...other, ...running()];
    expect(chooseProject(mixed, '/srv/docker-jitsi-meet/')?.name).to.equal('docker-jitsi-meet');
    expect(chooseProject(mixed, '/srv/staging')?.name).to.equal('staging');
    // containers of other compose projects that are not Jitsi are never chosen
    const unrelated = running().filter((c) => ['jvb', 'jicofo'].includes(c.Config.Labels?.['com.docker.compose.service'] ?? ''));
    expect(chooseProject(unrelated)).to.equal(undefined);
  });

  it('reads the probes run inside the containers', () => {
    expect(readyzCheck({ exitCode: 0, output: '200 ready\n' })).to.deep.equal({ ok: true, what: 'saml2jwt answers /readyz (200 ready)' });
    expect(readyzCheck({ exitCode: 1, output: '503 not ready\n' }).ok).to.equal(false);
    expect(readyzCheck({ exitCode: null, output: '' }).what).to.include('timed out');
    expect(readyzCheck(undefined).ok).to.equal(false);

    const entity = 'https://meet.example.com:8443/saml2jwt/shibboleth';
    const metadata = `<?xml version="1.0"?>\n<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="${entity}"></md:EntityDescriptor>`;
    expect(metadataCheck({ exitCode: 0, output: metadata }, entity).ok).to.equal(true);
    expect(metadataCheck({ exitCode: 0, output: metadata }, 'https://other/sp').what).to.include('instead of SP_ENTITY_ID');
    expect(metadataCheck({ exitCode: 22, output: 'curl: (22) The requested URL returned error: 404' }, entity).what).to.include('404');
    expect(metadataCheck({ exitCode: 0, output: '<html>hello</html>' }, entity).ok).to.equal(false);
  });

  it('without a Docker daemon: one clear error, exit 1', async () => {
    let out = '';
    let err = '';
    const socket = path.join(os.tmpdir(), `no-docker-${process.pid}.sock`);
    const code = await doctor(['--socket', socket], { out: (t) => (out += t), err: (t) => (err += t) });
    expect(code).to.equal(1);
    expect(out).to.equal('');
    expect(err.trim().split('\n')).to.have.length(1);
    expect(err).to.include(`cannot reach the Docker daemon at ${socket}`);
  });
});
