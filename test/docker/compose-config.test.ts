// The overlay as docker compose itself reads it, merged with a docker-jitsi-meet checkout and an
// operator's real .env: `docker compose config` must pass and say what the contract says.
import { expect } from 'chai';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse } from 'yaml';
import { ComposeProject, type ComposeModel, type ComposeService } from './compose-project';
import { repoRoot } from './docker-cli';
import { isOverlayFile } from '../../scripts/setup/overlays';

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
    expect(Object.keys(model.networks).sort()).to.deep.equal(['meet.jitsi', 'saml2jwt-internal']);
  });

  it('gives each of our services its <service>.meet.jitsi alias and Jitsi’s restart policy', () => {
    for (const name of ours) {
      const s = svc(withIdp, name);
      const network = name === 'saml2jwt' ? 'saml2jwt-internal' : 'meet.jitsi';
      // The sidecar's front listener binds to its address under the second alias (SIDECAR_HOST).
      expect(s.networks?.[network]?.aliases, name).to.deep.equal(name === 'saml2jwt' ? ['saml2jwt.meet.jitsi', 'saml2jwt-front.saml2jwt-internal'] : [`${name}.meet.jitsi`]);
      expect(s.restart, name).to.equal('unless-stopped');
      expect(s.healthcheck?.test, `${name} healthcheck`).to.be.an('array').that.is.not.empty;
    }
  });

  it('keeps the sidecar off meet.jitsi: it shares an internal network with the SP only', () => {
    // compose merges the top-level networks of every -f file: Jitsi's meet.jitsi stays as it is.
    expect(model.networks['saml2jwt-internal']).to.deep.include({ name: `${projects[0]!.name}_saml2jwt-internal`, internal: true });
    expect(model.networks['meet.jitsi']?.internal ?? false).to.equal(false);
    expect(Object.keys(svc(model, 'saml2jwt').networks ?? {})).to.deep.equal(['saml2jwt-internal']);
    expect(Object.keys(svc(model, 'saml-sp').networks ?? {}).sort()).to.deep.equal(['meet.jitsi', 'saml2jwt-internal']);
    expect(Object.keys(svc(withIdp, 'test-idp').networks ?? {})).to.deep.equal(['meet.jitsi']);
    for (const name of ['web', 'prosody', 'jicofo', 'jvb']) expect(Object.keys(svc(model, name).networks ?? {}), name).to.deep.equal(['meet.jitsi']);
  });

  it('saml2jwt-rs256.yml: the key folder read-only, RS256 with no app secret, the sidecar on meet.jitsi, nothing published', async () => {
    const m = await project({ overlays: ['saml2jwt-rs256.yml'], env: { JWT_SIGNING: 'RS256', JWT_SIGN_TYPE: 'RS256', JWT_ASAP_KEYSERVER: 'http://saml2jwt.meet.jitsi:8081/asap' } }).config();
    const sidecar = svc(m, 'saml2jwt');
    expect(Object.keys(sidecar.networks ?? {}).sort()).to.deep.equal(['meet.jitsi', 'saml2jwt-internal']);
    expect(sidecar.networks?.['meet.jitsi']?.aliases).to.deep.equal(['saml2jwt.meet.jitsi']);
    expect(sidecar.ports ?? []).to.deep.equal([]);
    expect(sidecar.environment).to.include({ JWT_SIGNING: 'RS256', JWT_KEYS_DIR: '/config/jwt-keys', JWT_APP_SECRET_FILE: '' });
    const keys = (sidecar.volumes ?? []).find((v) => v.target === '/config/jwt-keys');
    expect(keys?.source).to.match(/\/saml2jwt\/jwt-keys$/);
    expect(keys?.read_only).to.equal(true);
    // The shared secret's file is replaced by an empty one: RS256 has no shared secret.
    expect(m.secrets?.jwt_app_secret?.file).to.equal('/dev/null');
    // Prosody gets the key server and the algorithm from the .env (docker-jitsi-meet passes both).
    expect(svc(m, 'prosody').environment).to.include({ JWT_SIGN_TYPE: 'RS256', JWT_ASAP_KEYSERVER: 'http://saml2jwt.meet.jitsi:8081/asap' });
  });

  it('puts the sidecar on meet.jitsi too with saml2jwt-meet-network.yml (advanced mode)', async () => {
    const m = await project({ overlays: ['saml2jwt-meet-network.yml'], env: { JWT_TOKEN_MODE: 'advanced' } }).config();
    const networks = svc(m, 'saml2jwt').networks ?? {};
    expect(Object.keys(networks).sort()).to.deep.equal(['meet.jitsi', 'saml2jwt-internal']);
    expect(networks['meet.jitsi']?.aliases).to.deep.equal(['saml2jwt.meet.jitsi']);
    expect(svc(m, 'saml2jwt').ports ?? []).to.deep.equal([]);
    expect(Object.keys(svc(m, 'saml-sp').networks ?? {}).sort()).to.deep.equal(['meet.jitsi', 'saml2jwt-internal']);
  });

  it('with saml2jwt-rs256.yml or saml2jwt-meet-network.yml: the front listener is bound by an alias only saml2jwt-internal has, which the SP uses', async () => {
    for (const overlays of [['saml2jwt-rs256.yml'], ['saml2jwt-meet-network.yml'], ['saml2jwt-ha.yml', 'saml2jwt-rs256.yml']]) {
      const m = await project({ overlays, env: { JWT_SIGNING: 'RS256', JWT_TOKEN_MODE: 'advanced' } }).config();
      const sidecar = svc(m, 'saml2jwt');
      const host = sidecar.environment?.SIDECAR_HOST;
      expect(host, overlays.join(' ')).to.equal('saml2jwt-front.saml2jwt-internal');
      expect(sidecar.networks?.['saml2jwt-internal']?.aliases, overlays.join(' ')).to.include(host);
      expect(sidecar.networks?.['meet.jitsi']?.aliases ?? [], overlays.join(' ')).to.not.include(host);
      expect(new URL(svc(m, 'saml-sp').environment?.SIDECAR_URL ?? '').hostname, overlays.join(' ')).to.equal(host);
    }
  });

  it('drops every capability and new privileges; only the SP and the test IdP keep CHOWN, SETGID, SETUID to drop root', () => {
    for (const name of ours) {
      const s = svc(withIdp, name);
      expect(s.cap_drop, name).to.deep.equal(['ALL']);
      expect(s.security_opt, name).to.deep.equal(['no-new-privileges:true']);
      expect([...(s.cap_add ?? [])].sort(), name).to.deep.equal(name === 'saml2jwt' ? [] : ['CHOWN', 'SETGID', 'SETUID']);
    }
  });

  it('hands the secrets over as files under ${CONFIG}/saml2jwt/secrets/, never in the environment of our services', async () => {
    const cfg = projects[0]!.configDir;
    expect(model.secrets).to.deep.include({
      jwt_app_secret: { name: `${projects[0]!.name}_jwt_app_secret`, file: `${cfg}/saml2jwt/secrets/jwt_app_secret` },
      sidecar_proxy_secret: { name: `${projects[0]!.name}_sidecar_proxy_secret`, file: `${cfg}/saml2jwt/secrets/sidecar_proxy_secret` },
    });
    const sidecar = svc(model, 'saml2jwt');
    expect(sidecar.secrets?.map((x) => [x.source, x.target])).to.deep.equal([
      ['jwt_app_secret', '/run/secrets/jwt_app_secret'],
      ['sidecar_proxy_secret', '/run/secrets/sidecar_proxy_secret'],
    ]);
    expect(sidecar.environment).to.include({ JWT_APP_SECRET_FILE: '/run/secrets/jwt_app_secret', SIDECAR_PROXY_SECRET_FILE: '/run/secrets/sidecar_proxy_secret' });
    const sp = svc(model, 'saml-sp');
    expect(sp.secrets?.map((x) => [x.source, x.target])).to.deep.equal([['sidecar_proxy_secret', '/run/secrets/sidecar_proxy_secret']]);
    expect(sp.environment).to.include({ SIDECAR_PROXY_SECRET_FILE: '/run/secrets/sidecar_proxy_secret' });
    const backend = await project({ overlays: ['saml2jwt-backend.yml'], env: { ENABLE_BACKEND_JWT_REQUEST: 'true', BACKEND_API_KEY: 'b'.repeat(64) } }).config();
    const withKey = svc(backend, 'saml2jwt');
    expect(withKey.secrets?.map((x) => x.source)).to.include('backend_api_key');
    expect(withKey.environment).to.include({ BACKEND_API_KEY_FILE: '/run/secrets/backend_api_key' });
    for (const m of [model, withIdp, backend]) {
      for (const name of ours) {
        const env = JSON.stringify(m.services[name]?.environment ?? {});
        for (const value of [setupLines.JWT_APP_SECRET, setupLines.SIDECAR_PROXY_SECRET, 'b'.repeat(64)]) expect(env, name).not.to.include(value);
      }
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
    for (const key of ['JWT_APP_ID', 'PUBLIC_URL']) expect(sidecar[key], key).to.equal(prosody[key]).and.to.be.a('string');
    expect(sidecar.PUBLIC_URL).to.equal('https://meet.example.org:8443');
    expect(sidecar).to.have.property('XMPP_DOMAIN');
    const sp = svc(model, 'saml-sp').environment ?? {};
    expect(sp.SIDECAR_URL).to.equal('http://saml2jwt-front.saml2jwt-internal:8080');
    for (const name of ['web', 'prosody', 'jicofo', 'jvb']) {
      expect(svc(model, name).environment ?? {}, name).not.to.have.property('SIDECAR_PROXY_SECRET');
      expect(svc(model, name).secrets ?? [], name).to.deep.equal([]);
    }
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
    // Docker publishes nothing from a container on internal networks only: a network of its own.
    expect(Object.keys(svc(m, 'saml2jwt').networks ?? {}).sort()).to.deep.equal(['saml2jwt-backend', 'saml2jwt-internal']);
    expect(m.networks['saml2jwt-backend']?.internal ?? false).to.equal(false);
    expect(svc(m, 'saml-sp').ports ?? []).to.deep.equal([]);
  });

  it('saml2jwt-ha.yml: two replicas each, the SP on memcache, memcached unpublished, memory-limited, on an internal network with the SP only', async () => {
    const m = await project({ overlays: ['saml2jwt-ha.yml'] }).config();
    const ha = (name: string) => svc(m, name) as ComposeService & { deploy?: { replicas?: number }; mem_limit?: string | number; depends_on?: Record<string, { condition: string }> };
    expect(ha('saml-sp').deploy?.replicas).to.equal(2);
    expect(ha('saml2jwt').deploy?.replicas).to.equal(2);
    expect(ha('saml-sp').environment).to.include({ SP_SESSION_STORE: 'memcache', MEMCACHED_HOSTS: 'memcached:11211', SP_ENTITY_ID: setupLines.SP_ENTITY_ID });
    expect(ha('saml-sp').depends_on?.memcached).to.deep.include({ condition: 'service_healthy' });
    // Every replica mounts the one key folder.
    expect(ha('saml-sp').volumes?.find((v) => v.target === '/etc/shibboleth/keys')?.source).to.match(/\/saml2jwt\/sp$/);
    const mc = ha('memcached');
    expect(mc.ports ?? []).to.deep.equal([]);
    expect(Object.keys(mc.networks ?? {})).to.deep.equal(['saml2jwt-sessions']);
    expect(m.networks['saml2jwt-sessions']?.internal).to.equal(true);
    expect(Object.keys(ha('saml-sp').networks ?? {}).sort()).to.deep.equal(['meet.jitsi', 'saml2jwt-internal', 'saml2jwt-sessions']);
    expect(Object.keys(ha('saml2jwt').networks ?? {})).not.to.include('saml2jwt-sessions');
    expect(String(mc.mem_limit)).to.equal(String(128 * 1024 * 1024));
    expect(mc).to.deep.include({ read_only: true, cap_drop: ['ALL'], security_opt: ['no-new-privileges:true'] });
    expect(mc.build).to.deep.include({ context: path.join(overlayDir, 'memcached'), args: { BASE_IMAGE: 'debian:bookworm-slim' } });
    expect(fs.readFileSync(path.join(overlayDir, 'memcached', 'Dockerfile'), 'utf8')).to.match(/^ARG BASE_IMAGE=debian:bookworm-slim$/m);
    // The base image may be the official one, by a variable of its own.
    const official = await project({ overlays: ['saml2jwt-ha.yml'], env: { SAML2JWT_MEMCACHED_BASE_IMAGE: 'memcached:1.6-bookworm' } }).config();
    expect(svc(official, 'memcached').build?.args).to.deep.equal({ BASE_IMAGE: 'memcached:1.6-bookworm' });
  });

  it('saml2jwt-ha.yml with saml2jwt-rs256.yml (setup --ha --signing rs256): both sidecar replicas read the one key folder, serve keys on meet.jitsi, hold no secret', async () => {
    // The order setup prints: -f saml2jwt-ha.yml -f saml2jwt-rs256.yml.
    const m = await project({ overlays: ['saml2jwt-ha.yml', 'saml2jwt-rs256.yml'], env: { JWT_SIGNING: 'RS256', JWT_SIGN_TYPE: 'RS256', JWT_ASAP_KEYSERVER: 'http://saml2jwt.meet.jitsi:8081/asap' } }).config();
    const sidecar = svc(m, 'saml2jwt') as ComposeService & { deploy?: { replicas?: number } };
    expect(sidecar.deploy?.replicas).to.equal(2);
    // One service, so every replica mounts the same folder, read-only: the same keys, kids and schedule
    // (the schedule follows the UTC times in the file names), whichever replica Prosody's fetch reaches.
    const keys = (sidecar.volumes ?? []).find((v) => v.target === '/config/jwt-keys');
    expect(keys?.source).to.match(/\/saml2jwt\/jwt-keys$/);
    expect(keys?.read_only).to.equal(true);
    expect(sidecar.environment).to.include({ JWT_SIGNING: 'RS256', JWT_KEYS_DIR: '/config/jwt-keys', JWT_APP_SECRET_FILE: '' });
    expect(m.secrets?.jwt_app_secret?.file).to.equal('/dev/null');
    // Both replicas answer to saml2jwt.meet.jitsi (Docker's DNS returns each), none is published,
    // and the sessions' network stays the SP's alone.
    expect(Object.keys(sidecar.networks ?? {}).sort()).to.deep.equal(['meet.jitsi', 'saml2jwt-internal']);
    expect(sidecar.networks?.['meet.jitsi']?.aliases).to.deep.equal(['saml2jwt.meet.jitsi']);
    expect(sidecar.ports ?? []).to.deep.equal([]);
    expect(Object.keys(svc(m, 'memcached').networks ?? {})).to.deep.equal(['saml2jwt-sessions']);
    expect((svc(m, 'saml-sp') as { deploy?: { replicas?: number } }).deploy?.replicas).to.equal(2);
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

  it('saml-sp: the MDQ variables reach the SP, and its health check waits as long as the entrypoint waits for shibd (SHIBD_START_TIMEOUT)', async () => {
    expect(svc(model, 'saml-sp').healthcheck?.start_period, 'the default, 120 s').to.equal('2m0s');
    const mdq = {
      SHIBBOLETH_TEMPLATE_XML: 'mdq',
      MDQ_URL: 'https://mdq.example.org/global/',
      MDQ_MIN_CACHE_DURATION: '60',
      MDQ_MAX_CACHE_DURATION: '28800',
      METADATA_SIGNING_CERT: '/etc/shibboleth/keys/metadata-signers',
      SSO_URL: 'https://ds.example.org/ds',
      METADATA_URL: '',
      SHIBD_START_TIMEOUT: '600',
    };
    const sp = svc(await project({ env: mdq }).config(), 'saml-sp');
    expect(sp.environment).to.include(mdq);
    expect(sp.healthcheck?.start_period).to.equal('10m0s');
  });

  it('builds from this checkout through the base-image arguments of the contract', () => {
    const sidecar = svc(withIdp, 'saml2jwt').build;
    expect(sidecar).to.deep.include({ context: repoRoot, dockerfile: 'sidecar/Dockerfile', args: { NODE_IMAGE: 'node:24-bookworm-slim' } });
    expect(svc(withIdp, 'saml-sp').build).to.deep.include({ context: path.join(repoRoot, 'shib-image'), args: { BASE_IMAGE: 'debian:bookworm-slim' } });
    expect(svc(withIdp, 'test-idp').build).to.deep.include({ context: path.join(overlayDir, 'test-idp'), args: { BASE_IMAGE: 'debian:bookworm-slim' } });
    for (const name of ours) {
      const b = svc(withIdp, name).build!;
      const dockerfile = path.join(b.context, b.dockerfile ?? 'Dockerfile');
      expect(fs.existsSync(dockerfile), `${name}: ${dockerfile}`).to.equal(true);
      expect(fs.readFileSync(dockerfile, 'utf8'), dockerfile).to.match(name === 'saml2jwt' ? /^ARG NODE_IMAGE=node:24-bookworm-slim$/m : /^ARG BASE_IMAGE=debian:bookworm-slim$/m);
    }
  });

  it('is written like docker-jitsi-meet’s overlays: services:, plus only our own networks and secrets', () => {
    const topLevel: Record<string, string[]> = {
      'saml2jwt.yml': ['services', 'networks', 'secrets'],
      'saml2jwt-backend.yml': ['services', 'networks', 'secrets'],
      'saml2jwt-ha.yml': ['services', 'networks'],
      'saml2jwt-rs256.yml': ['services', 'secrets'],
    };
    for (const file of fs.readdirSync(overlayDir).filter(isOverlayFile)) {
      const doc = parse(fs.readFileSync(path.join(overlayDir, file), 'utf8')) as Record<string, Record<string, unknown>>;
      expect(Object.keys(doc), file).to.deep.equal(topLevel[file] ?? ['services']);
      // Never redefines Jitsi's own network.
      expect(Object.keys(doc.networks ?? {}), file).not.to.include('meet.jitsi');
    }
  });
});
