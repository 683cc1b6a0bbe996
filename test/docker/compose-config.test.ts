// The overlay as docker compose itself reads it, merged with a docker-jitsi-meet checkout and an
// operator's real .env: `docker compose config` must pass and say what the contract says.
import { expect } from 'chai';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse } from 'yaml';
import { ComposeProject, type ComposeModel, type ComposeService } from './compose-project';
import { repoRoot } from './docker-cli';

const fixture = path.join(repoRoot, 'test', 'fixtures', 'docker-jitsi-meet', 'basic');
const overlayDir = path.join(repoRoot, 'compose-overlay');

// What `setup` adds to an operator's .env (values of the right shape; nothing here is real).
const setupLines = {
  PUBLIC_URL: 'https://meet.example.org:${HTTPS_PORT}',
  ENABLE_AUTH: '1',
  AUTH_TYPE: 'jwt',
  JWT_APP_ID: 'jitsi-saml2jwt',
  JWT_APP_SECRET: 'f'.repeat(64),
  JWT_ENABLE_DOMAIN_VERIFICATION: 'true',
  TOKEN_AUTH_URL: 'https://meet.example.org:8443/saml2jwt/redirectWithToken?room={room}&state={state}',
  SAML2JWT_MODE: 'path',
  SHIBBOLETH_TEMPLATE_XML: 'direct',
  SP_ENTITY_ID: 'https://meet.example.org:8443/saml2jwt/shibboleth',
  METADATA_URL: 'https://idp.example.org/idp/shibboleth',
  SSO_URL: 'https://idp.example.org/idp/shibboleth',
  SIDECAR_PROXY_SECRET: 'a'.repeat(64),
  POLICY_FILE: '/config/policy/policy.yml',
};

const ours = ['saml2jwt', 'saml-sp', 'test-idp'] as const;

describe('docker: compose overlay configuration', function () {
  this.timeout(60_000);
  const projects: ComposeProject[] = [];
  const project = (opts: { env?: Record<string, string>; overlays?: string[]; profiles?: string[] } = {}) => {
    const p = new ComposeProject({
      fixtureDir: fixture,
      name: 'saml2jwt-config-test',
      baseEnvFile: path.join(fixture, 'dotenv'),
      env: { ...setupLines, ...opts.env },
      overlays: opts.overlays,
      profiles: opts.profiles,
    });
    projects.push(p);
    return p;
  };
  after(async () => {
    for (const p of projects) await p.destroy();
  });

  let model: ComposeModel;
  let withIdp: ComposeModel;
  before(async () => {
    model = await project().config();
    withIdp = await project({ profiles: ['test-idp'] }).config();
  });
  const svc = (m: ComposeModel, name: string): ComposeService => {
    const s = m.services[name];
    if (!s) throw new Error(`no service ${name} in ${Object.keys(m.services).join(', ')}`);
    return s;
  };

  it('merges with the checkout: Jitsi services kept, ours added, the test IdP only with its profile', () => {
    expect(Object.keys(model.services).sort()).to.deep.equal(['jicofo', 'jvb', 'prosody', 'saml-sp', 'saml2jwt', 'web']);
    expect(Object.keys(withIdp.services)).to.include('test-idp');
    expect(svc(withIdp, 'test-idp').profiles).to.deep.equal(['test-idp']);
    expect(Object.keys(model.networks)).to.deep.equal(['meet.jitsi']);
  });

  it('puts each of our services on meet.jitsi with its <service>.meet.jitsi alias and Jitsi’s restart policy', () => {
    for (const name of ours) {
      const s = svc(withIdp, name);
      expect(s.networks?.['meet.jitsi']?.aliases, name).to.deep.equal([`${name}.meet.jitsi`]);
      expect(s.restart, name).to.equal('unless-stopped');
      expect(s.healthcheck?.test, `${name} healthcheck`).to.be.an('array').that.is.not.empty;
    }
  });

  it('follows RESTART_POLICY and the image repo/version variables', async () => {
    const m = await project({ env: { RESTART_POLICY: 'always', SAML2JWT_IMAGE_REPO: 'registry.test/acme', SAML2JWT_IMAGE_VERSION: '1.2.3' }, profiles: ['test-idp'] }).config();
    expect(svc(m, 'saml2jwt').restart).to.equal('always');
    expect(svc(m, 'saml2jwt').image).to.equal('registry.test/acme/sidecar:1.2.3');
    expect(svc(m, 'saml-sp').image).to.equal('registry.test/acme/shib-sp:1.2.3');
    expect(svc(m, 'test-idp').image).to.equal('registry.test/acme/test-idp:1.2.3');
    expect(svc(model, 'saml2jwt').image).to.equal('jitsi-saml2jwt/sidecar:latest');
  });

  it('shares Jitsi’s JWT settings and gives the proxy secret to the SP and the sidecar only', () => {
    const sidecar = svc(model, 'saml2jwt').environment ?? {};
    const prosody = svc(model, 'prosody').environment ?? {};
    for (const key of ['JWT_APP_ID', 'JWT_APP_SECRET', 'PUBLIC_URL']) expect(sidecar[key], key).to.equal(prosody[key]).and.to.be.a('string');
    expect(sidecar.PUBLIC_URL).to.equal('https://meet.example.org:8443');
    expect(sidecar).to.have.property('XMPP_DOMAIN');
    const sp = svc(model, 'saml-sp').environment ?? {};
    expect(sp.SIDECAR_PROXY_SECRET).to.equal(setupLines.SIDECAR_PROXY_SECRET).and.equal(sidecar.SIDECAR_PROXY_SECRET);
    expect(sp.SIDECAR_URL).to.equal('http://saml2jwt.meet.jitsi:8080');
    for (const name of ['web', 'prosody', 'jicofo', 'jvb']) expect(svc(model, name).environment ?? {}, name).not.to.have.property('SIDECAR_PROXY_SECRET');
    // Jitsi's own service passwords stay with Jitsi.
    expect(sidecar).not.to.have.property('JICOFO_AUTH_PASSWORD');
    expect(sp).not.to.have.property('JWT_APP_SECRET');
  });

  it('keeps state under ${CONFIG}/saml2jwt/ at the contract’s container paths', () => {
    const cfg = projects[0]!.configDir;
    const mounts = (name: string) => (svc(model, name).volumes ?? []).map((v) => [v.source, v.target, v.read_only === true]);
    expect(mounts('saml2jwt')).to.deep.equal([[`${cfg}/saml2jwt/policy`, '/config/policy', true]]);
    expect(mounts('saml-sp')).to.deep.equal([
      [`${cfg}/saml2jwt/sp`, '/etc/shibboleth/keys', false],
      [`${cfg}/saml2jwt/metadata`, '/var/cache/shibboleth', false],
      [`${cfg}/saml2jwt/test-idp-ca`, '/etc/shibboleth/test-idp-ca', true],
    ]);
    // withIdp is a project of its own (its own CONFIG folder).
    const idpMounts = (svc(withIdp, 'test-idp').volumes ?? []).map((v) => [v.source.replace(/^.*\/cfg\//, ''), v.target, v.read_only === true]);
    expect(idpMounts).to.deep.equal([['saml2jwt/test-idp-ca', '/var/lib/test-idp-ca', false]]);
  });

  it('publishes the test IdP on the loopback interface only', () => {
    const ports = svc(withIdp, 'test-idp').ports ?? [];
    expect(ports.map((p) => [p.host_ip, p.published, p.target])).to.deep.equal([['127.0.0.1', '9443', 8443]]);
  });

  it('runs all three with read-only root filesystems', () => {
    for (const name of ours) {
      expect(svc(withIdp, name).read_only, name).to.equal(true);
      expect(svc(withIdp, name).tmpfs, name).to.include('/tmp');
    }
  });

  it('publishes no port of ours by default', () => {
    expect(svc(model, 'saml2jwt').ports ?? []).to.deep.equal([]);
    expect(svc(model, 'saml-sp').ports ?? []).to.deep.equal([]);
  });

  it('publishes the backend API on 127.0.0.1 only with saml2jwt-backend.yml', async () => {
    const m = await project({ overlays: ['saml2jwt-backend.yml'], env: { ENABLE_BACKEND_JWT_REQUEST: 'true' } }).config();
    expect(svc(m, 'saml2jwt').ports).to.deep.equal([{ mode: 'ingress', host_ip: '127.0.0.1', target: 8081, published: '8081', protocol: 'tcp' }]);
    expect(svc(m, 'saml-sp').ports ?? []).to.deep.equal([]);
  });

  it('publishes the SP’s TLS port only with saml2jwt-hostmode.yml', async () => {
    const m = await project({ overlays: ['saml2jwt-hostmode.yml'], env: { SAML2JWT_MODE: 'host', SERVER_NAME: 'auth.example.org:9444' } }).config();
    const ports = svc(m, 'saml-sp').ports ?? [];
    expect(ports.map((p) => [p.target, p.published])).to.deep.equal([[8443, '9444']]);
    expect(svc(m, 'saml-sp').environment?.SERVER_NAME).to.equal('auth.example.org:9444');
    expect(svc(m, 'saml2jwt').ports ?? []).to.deep.equal([]);
    expect(m.services['test-idp'], 'the test IdP stays behind its profile').to.equal(undefined);
    const idp = await project({ overlays: ['saml2jwt-hostmode.yml'], profiles: ['test-idp'] }).config();
    expect(svc(idp, 'test-idp').environment?.TEST_IDP_SP_METADATA_URL).to.equal('https://saml-sp.meet.jitsi:8443/saml2jwt/Shibboleth.sso/Metadata');
    expect(svc(withIdp, 'test-idp').environment?.TEST_IDP_SP_METADATA_URL).to.equal('http://saml-sp.meet.jitsi:8080/saml2jwt/Shibboleth.sso/Metadata');
  });

  it('builds from this checkout through the base-image arguments of the contract', () => {
    const sidecar = svc(withIdp, 'saml2jwt').build;
    expect(sidecar).to.deep.include({ context: repoRoot, dockerfile: 'sidecar/Dockerfile', args: { NODE_IMAGE: 'node:20-bookworm-slim' } });
    expect(svc(withIdp, 'saml-sp').build).to.deep.include({ context: path.join(repoRoot, 'shib-image'), args: { BASE_IMAGE: 'debian:bookworm-slim' } });
    expect(svc(withIdp, 'test-idp').build).to.deep.include({ context: path.join(overlayDir, 'test-idp'), args: { BASE_IMAGE: 'debian:bookworm-slim' } });
    for (const name of ours) {
      const b = svc(withIdp, name).build!;
      const dockerfile = path.join(b.context, b.dockerfile ?? 'Dockerfile');
      expect(fs.existsSync(dockerfile), `${name}: ${dockerfile}`).to.equal(true);
      expect(fs.readFileSync(dockerfile, 'utf8'), dockerfile).to.match(name === 'saml2jwt' ? /^ARG NODE_IMAGE=node:20-bookworm-slim$/m : /^ARG BASE_IMAGE=debian:bookworm-slim$/m);
    }
  });

  it('is written like docker-jitsi-meet’s overlays: only services:, no top-level networks', () => {
    for (const file of fs.readdirSync(overlayDir).filter((f) => f.endsWith('.yml'))) {
      const doc = parse(fs.readFileSync(path.join(overlayDir, file), 'utf8')) as Record<string, unknown>;
      expect(Object.keys(doc), file).to.deep.equal(['services']);
    }
  });
});
