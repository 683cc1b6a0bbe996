import { expect } from 'chai';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ConfigError, describeConfig, loadConfig } from '../../../sidecar/src/config/load';
import { loadSettings } from '../../../sidecar/src/settings';
import { startProblems, TEST_API_KEY, TEST_APP_SECRET, TEST_PROXY_SECRET, testConfig, testEnv } from '../../support/config-fixture';

const problemsOf = startProblems;

function expectOneProblem(env: Record<string, string | undefined>, variable: string, pattern?: RegExp): void {
  const problems = problemsOf(env);
  expect(problems, problems.join('\n')).to.have.length(1);
  expect(problems[0]).to.match(new RegExp(`^${variable}\\b`));
  if (pattern) expect(problems[0]).to.match(pattern);
}

describe('config/load: defaults', () => {
  it('fills documented defaults from the minimal environment', () => {
    const cfg = testConfig();
    expect(cfg.publicUrl.href).to.equal('https://meet.example.org/');
    expect(cfg.xmppDomain).to.equal('meet.jitsi');
    expect(cfg.jwt).to.deep.equal({ appId: 'saml2jwt-test', appSecret: TEST_APP_SECRET, audience: 'saml2jwt-test', signing: 'HS256' });
    expect(cfg.tokenMode).to.equal('default');
    expect(cfg.validity).to.deep.equal({ defaultSeconds: 3600, maxSeconds: 86400, allowUnlimited: false, byRequest: false, notBeforeSkewSeconds: 30 });
    expect(cfg.avatar).to.equal('none');
    expect(cfg.front).to.deep.equal({ host: '127.0.0.1', port: 8080, rateLimitPerMinute: 120 });
    expect(cfg.backend).to.deep.equal({ host: '127.0.0.1', port: 8081, mintApiEnabled: false, rateLimitPerMinute: 60 });
    expect(cfg.identity.userIdOrder).to.deep.equal(['pairwise-id', 'subject-id', 'eppn', 'persistent-id', 'oidc-sub', 'mail']);
    expect(cfg.identity.headers.mail).to.equal('mail');
    expect(cfg.identity.proxySecret).to.equal(TEST_PROXY_SECRET);
    expect(cfg.identity.proxySecretHeader).to.equal('x-saml2jwt-proxy-secret');
    expect(cfg.jicofo).to.deep.equal({ endpoints: [], callTimeoutMs: 1000, totalTimeoutMs: 2000, answerTtlMs: 3000, maxQuestions: 16 });
    expect(cfg.logLevel).to.equal('info');
    expect(cfg.authErrorPage).to.equal(undefined);
    expect(cfg.serverName).to.equal(undefined);
    expect(cfg.policyFile).to.equal(undefined);
  });

  it('the default policy allows everyone with a mail as a member with recording on', () => {
    const d = loadSettings(testEnv()).policy.decide({ userId: 'u', mail: 'a@b.c', name: 'A', attributes: { mail: ['a@b.c'] } }, undefined);
    expect(d).to.deep.equal({ allowed: true, features: { recording: true, livestreaming: false } });
  });

  it('treats empty values as unset (compose passes KEY= as "")', () => {
    const cfg = testConfig({ XMPP_DOMAIN: '', DEFAULT_VALIDITY: '', AVATAR: '' });
    expect(cfg.xmppDomain).to.equal('meet.jitsi');
    expect(cfg.validity.defaultSeconds).to.equal(3600);
    expect(cfg.avatar).to.equal('none');
  });

  it('reads every optional variable', () => {
    const cfg = testConfig({
      JWT_AUDIENCE: 'jitsi',
      XMPP_DOMAIN: 'Meet.Example.Internal',
      JWT_TOKEN_MODE: 'advanced',
      DEFAULT_VALIDITY: '600',
      MAX_VALIDITY: '7200',
      ENABLE_VALIDITY_BY_REQUEST: 'yes',
      ENABLE_BACKEND_JWT_REQUEST: '1',
      BACKEND_API_KEY: TEST_API_KEY,
      SIDECAR_HOST: '0.0.0.0',
      SIDECAR_PORT: '9000',
      BACKEND_HOST: '0.0.0.0',
      BACKEND_PORT: '9001',
      BACKEND_RATE_LIMIT: '10',
      FRONT_RATE_LIMIT: '30',
      AVATAR: 'gravatar',
      LOG_LEVEL: 'debug',
      AUTH_ERROR_PAGE: 'static/error.html',
      SERVER_NAME: 'sso.example.org:8443',
      JICOFO_ROOM_ENDPOINTS: '10.0.0.1, jicofo:8888 ,https://jicofo.example.org/debug?full=true',
      ATTR_HEADER_MAIL: 'DisplayName',
      ATTR_HEADER_DISPLAY_NAME: 'mail',
      USER_ID_ATTRIBUTES: 'eppn, MAIL',
      PRIVATE_ROOM_OWNER_ATTRIBUTES: 'pairwise-id,EPPN',
    });
    expect(cfg.jwt.audience).to.equal('jitsi');
    expect(cfg.xmppDomain).to.equal('meet.example.internal');
    expect(cfg.tokenMode).to.equal('advanced');
    expect(cfg.validity).to.include({ defaultSeconds: 600, maxSeconds: 7200, byRequest: true });
    expect(cfg.backend).to.deep.equal({ host: '0.0.0.0', port: 9001, mintApiEnabled: true, apiKey: TEST_API_KEY, rateLimitPerMinute: 10 });
    expect(cfg.front).to.deep.equal({ host: '0.0.0.0', port: 9000, rateLimitPerMinute: 30 });
    expect(cfg.avatar).to.equal('gravatar');
    expect(cfg.logLevel).to.equal('debug');
    expect(cfg.authErrorPage).to.equal('static/error.html');
    expect(cfg.serverName).to.equal('sso.example.org:8443');
    expect(cfg.jicofo.endpoints.map((u) => u.href)).to.deep.equal([
      'http://10.0.0.1/debug',
      'http://jicofo:8888/debug',
      'https://jicofo.example.org/debug?full=true',
    ]);
    expect(cfg.identity.headers.mail).to.equal('displayname');
    expect(cfg.identity.userIdOrder).to.deep.equal(['eppn', 'mail']);
    expect(cfg.identity.ownerIdOrder).to.deep.equal(['pairwise-id', 'eppn']);
  });
});

describe('config/load: the Jitsi URL', () => {
  it('PUBLIC_URL wins over JITSI_DOMAIN', () => {
    const cfg = testConfig({ PUBLIC_URL: 'https://meet.example.org:8443/', JITSI_DOMAIN: 'other.example.org' });
    expect(cfg.publicUrl.href).to.equal('https://meet.example.org:8443/');
  });

  it('JITSI_DOMAIN (the reference name) gives https://JITSI_DOMAIN, port kept, trailing / tolerated', () => {
    const cfg = testConfig({ PUBLIC_URL: undefined, JITSI_DOMAIN: 'meet.ji.si:8443/' });
    expect(cfg.publicUrl.href).to.equal('https://meet.ji.si:8443/');
  });

  it('neither PUBLIC_URL nor JITSI_DOMAIN is a problem naming PUBLIC_URL', () => {
    expectOneProblem(testEnv({ PUBLIC_URL: undefined }), 'PUBLIC_URL', /JITSI_DOMAIN/);
  });

  it('PUBLIC_URL must be http(s)', () => {
    expectOneProblem(testEnv({ PUBLIC_URL: 'ftp://meet.example.org' }), 'PUBLIC_URL', /https:\/\//);
  });

  it('PUBLIC_URL must be scheme://host[:port] (the one rule: config/public-url.test.ts)', () => {
    expectOneProblem(testEnv({ PUBLIC_URL: 'meet.example.org' }), 'PUBLIC_URL', /must look like https:\/\/host/);
    expectOneProblem(testEnv({ PUBLIC_URL: 'https://meet.example.org/jitsi' }), 'PUBLIC_URL', /no path/);
  });

  it('JITSI_DOMAIN must be host[:port]', () => {
    expectOneProblem(testEnv({ PUBLIC_URL: undefined, JITSI_DOMAIN: 'https://meet.example.org' }), 'JITSI_DOMAIN');
  });
});

describe('config/load: one problem per configuration error, naming the variable', () => {
  it('JWT_APP_ID missing', () => expectOneProblem(testEnv({ JWT_APP_ID: undefined }), 'JWT_APP_ID', /required/));
  it('JWT_APP_SECRET missing', () => expectOneProblem(testEnv({ JWT_APP_SECRET: undefined }), 'JWT_APP_SECRET', /required/));
  it('JWT_APP_SECRET too short', () => expectOneProblem(testEnv({ JWT_APP_SECRET: 'a1b2c3d4e5f6a7b8c9d0' }), 'JWT_APP_SECRET', /at least 32/));

  for (const placeholder of ['my_jitsi_app_secret', 'MYAPPSECRET', 'changeme', 'secret', 'my_jitsi_app_secret_please_change_me']) {
    it(`JWT_APP_SECRET placeholder "${placeholder}"`, () =>
      expectOneProblem(testEnv({ JWT_APP_SECRET: placeholder }), 'JWT_APP_SECRET', /placeholder/));
  }

  it('JWT_APP_SECRET of one repeated character', () =>
    expectOneProblem(testEnv({ JWT_APP_SECRET: 'a'.repeat(64) }), 'JWT_APP_SECRET', /distinct/));
  it('JWT_APP_SECRET of a short repeated pattern', () =>
    expectOneProblem(testEnv({ JWT_APP_SECRET: 'abc1'.repeat(10) }), 'JWT_APP_SECRET', /distinct/));

  it('SIDECAR_PROXY_SECRET missing', () => expectOneProblem(testEnv({ SIDECAR_PROXY_SECRET: undefined }), 'SIDECAR_PROXY_SECRET', /required/));
  it('SIDECAR_PROXY_SECRET too short', () => expectOneProblem(testEnv({ SIDECAR_PROXY_SECRET: 'f00dbabe12' }), 'SIDECAR_PROXY_SECRET', /32/));

  it('ENABLE_BACKEND_JWT_REQUEST=true without BACKEND_API_KEY', () =>
    expectOneProblem(testEnv({ ENABLE_BACKEND_JWT_REQUEST: 'true' }), 'BACKEND_API_KEY', /required/));
  it('ENABLE_BACKEND_JWT_REQUEST=true with a short BACKEND_API_KEY', () =>
    expectOneProblem(testEnv({ ENABLE_BACKEND_JWT_REQUEST: 'true', BACKEND_API_KEY: '0123456789abcdef' }), 'BACKEND_API_KEY', /32/));
  it('BACKEND_API_KEY is not required while the backend mint API is off', () => {
    expect(testConfig({ ENABLE_BACKEND_JWT_REQUEST: 'false' }).backend.apiKey).to.equal(undefined);
  });

  it('JWT_TOKEN_MODE other than default|advanced', () =>
    expectOneProblem(testEnv({ JWT_TOKEN_MODE: 'fancy' }), 'JWT_TOKEN_MODE', /default, advanced/));

  it('DEFAULT_VALIDITY not a number', () => expectOneProblem(testEnv({ DEFAULT_VALIDITY: '1h' }), 'DEFAULT_VALIDITY', /"1h"/));
  it('DEFAULT_VALIDITY negative', () => expectOneProblem(testEnv({ DEFAULT_VALIDITY: '-5' }), 'DEFAULT_VALIDITY'));
  it('DEFAULT_VALIDITY=0 without ALLOW_UNLIMITED_TOKENS', () =>
    expectOneProblem(testEnv({ DEFAULT_VALIDITY: '0' }), 'DEFAULT_VALIDITY', /ALLOW_UNLIMITED_TOKENS/));
  it('DEFAULT_VALIDITY=0 with ALLOW_UNLIMITED_TOKENS=true is accepted', () => {
    const cfg = testConfig({ DEFAULT_VALIDITY: '0', ALLOW_UNLIMITED_TOKENS: 'true' });
    expect(cfg.validity).to.include({ defaultSeconds: 0, allowUnlimited: true });
  });
  it('DEFAULT_VALIDITY greater than MAX_VALIDITY', () =>
    expectOneProblem(testEnv({ DEFAULT_VALIDITY: '7200', MAX_VALIDITY: '3600' }), 'DEFAULT_VALIDITY', /MAX_VALIDITY/));
  it('MAX_VALIDITY not a number', () => expectOneProblem(testEnv({ MAX_VALIDITY: 'lots' }), 'MAX_VALIDITY'));

  it('boolean that does not parse', () => expectOneProblem(testEnv({ ENABLE_VALIDITY_BY_REQUEST: 'maybe' }), 'ENABLE_VALIDITY_BY_REQUEST', /"maybe"/));
  it('ALLOW_UNLIMITED_TOKENS that does not parse', () => expectOneProblem(testEnv({ ALLOW_UNLIMITED_TOKENS: 'perhaps' }), 'ALLOW_UNLIMITED_TOKENS'));
  it('SIDECAR_PORT out of range', () => expectOneProblem(testEnv({ SIDECAR_PORT: '70000' }), 'SIDECAR_PORT', /65535/));
  it('BACKEND_PORT not a number', () => expectOneProblem(testEnv({ BACKEND_PORT: 'http' }), 'BACKEND_PORT'));
  it('BACKEND_PORT equal to SIDECAR_PORT on the same host', () =>
    expectOneProblem(testEnv({ SIDECAR_PORT: '9000', BACKEND_PORT: '9000' }), 'BACKEND_PORT', /SIDECAR_PORT/));
  it('BACKEND_RATE_LIMIT zero', () => expectOneProblem(testEnv({ BACKEND_RATE_LIMIT: '0' }), 'BACKEND_RATE_LIMIT'));
  it('FRONT_RATE_LIMIT zero turns the limit off', () => expect(testConfig({ FRONT_RATE_LIMIT: '0' }).front.rateLimitPerMinute).to.equal(0));
  it('FRONT_RATE_LIMIT negative', () => expectOneProblem(testEnv({ FRONT_RATE_LIMIT: '-1' }), 'FRONT_RATE_LIMIT', /whole number/));
  it('FRONT_RATE_LIMIT not a number', () => expectOneProblem(testEnv({ FRONT_RATE_LIMIT: 'lots' }), 'FRONT_RATE_LIMIT'));
  it('AVATAR unknown', () => expectOneProblem(testEnv({ AVATAR: 'libravatar' }), 'AVATAR', /none, gravatar/));
  it('LOG_LEVEL unknown', () => expectOneProblem(testEnv({ LOG_LEVEL: 'verbose' }), 'LOG_LEVEL'));
  it('XMPP_DOMAIN with a scheme', () => expectOneProblem(testEnv({ XMPP_DOMAIN: 'https://meet.jitsi' }), 'XMPP_DOMAIN'));
  it('JICOFO_ROOM_ENDPOINTS entry that is not a host or URL', () =>
    expectOneProblem(testEnv({ JICOFO_ROOM_ENDPOINTS: '10.0.0.1,not a host' }), 'JICOFO_ROOM_ENDPOINTS', /"not a host"/));
  it('AUTH_ERROR_PAGE on another origin', () =>
    expectOneProblem(testEnv({ AUTH_ERROR_PAGE: 'https://evil.example.com/x' }), 'AUTH_ERROR_PAGE', /same origin/));
  it('AUTH_ERROR_PAGE protocol-relative', () => expectOneProblem(testEnv({ AUTH_ERROR_PAGE: '//evil.example.com/x' }), 'AUTH_ERROR_PAGE'));
  it('AUTH_ERROR_PAGE as a URL on the Jitsi origin is accepted', () => {
    expect(testConfig({ AUTH_ERROR_PAGE: 'https://meet.example.org/static/error.html' }).authErrorPage).to.equal(
      'https://meet.example.org/static/error.html',
    );
  });
  it('ATTR_HEADER_* that is not a header name', () => expectOneProblem(testEnv({ ATTR_HEADER_MAIL: 'my mail' }), 'ATTR_HEADER_MAIL'));
  it('ATTR_HEADER_* set to the proxy secret header', () =>
    expectOneProblem(testEnv({ ATTR_HEADER_EPPN: 'X-Saml2jwt-Proxy-Secret' }), 'ATTR_HEADER_EPPN'));
  it('ATTR_HEADER_* naming a header the SP does not remove from client requests (a browser could send it)', () => {
    for (const header of ['X-Mail', 'X-Forwarded-User', 'Remote-User', 'Cookie']) {
      expectOneProblem(testEnv({ ATTR_HEADER_MAIL: header }), 'ATTR_HEADER_MAIL', /not a header our SP removes from client requests/);
    }
  });
  it('ATTR_HEADER_* giving two attributes one header', () =>
    expectOneProblem(testEnv({ ATTR_HEADER_SN: 'eppn' }), 'ATTR_HEADER_SN', /already the header of another attribute/));
  it('PRIVATE_ROOM_OWNER_ATTRIBUTES naming an unscoped attribute (mail)', () =>
    expectOneProblem(testEnv({ PRIVATE_ROOM_OWNER_ATTRIBUTES: 'eppn,mail' }), 'PRIVATE_ROOM_OWNER_ATTRIBUTES', /"mail".*allowed: subject-id, pairwise-id, eppn, persistent-id/));
  it('USER_ID_ATTRIBUTES with an unknown attribute', () =>
    expectOneProblem(testEnv({ USER_ID_ATTRIBUTES: 'eppn,uid' }), 'USER_ID_ATTRIBUTES', /"uid"/));

  it('collects every problem at once', () => {
    const problems = problemsOf({ JWT_APP_SECRET: 'changeme', DEFAULT_VALIDITY: 'x', AVATAR: 'y' });
    const variables = problems.map((p) => p.split(/[: ]/)[0]);
    expect(variables).to.have.members(['JWT_APP_ID', 'JWT_APP_SECRET', 'PUBLIC_URL', 'SIDECAR_PROXY_SECRET', 'DEFAULT_VALIDITY', 'AVATAR']);
  });

  it('the ConfigError message lists every problem on its own line', () => {
    const err = (() => {
      try {
        loadConfig({});
      } catch (e) {
        return e as Error;
      }
      return undefined;
    })();
    expect(err?.message.split('\n').filter((l) => l.startsWith('  - '))).to.have.length((err as ConfigError).problems.length);
  });
});

describe('settings: POLICY_FILE', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'saml2jwt-policy-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('loads a valid policy file', () => {
    const file = path.join(dir, 'policy.yml');
    writeFileSync(file, 'default: deny\nrules:\n  - name: staff\n    match: { attribute: affiliation, equals: staff@uni.example }\n');
    const { cfg, policy } = loadSettings(testEnv({ POLICY_FILE: file }));
    expect(cfg.policyFile).to.equal(file);
    const staff = { userId: 'u', mail: 'a@b.c', name: 'A', attributes: { affiliation: ['staff@uni.example'] } };
    expect(policy.decide(staff, undefined).allowed).to.equal(true);
    expect(policy.decide({ ...staff, attributes: {} }, undefined).allowed).to.equal(false);
  });

  it('config stays plain data: loadConfig only records the path', () => {
    const cfg = loadConfig(testEnv({ POLICY_FILE: path.join(dir, 'missing.yml') }));
    expect(cfg.policyFile).to.equal(path.join(dir, 'missing.yml'));
    expect(cfg).to.not.have.property('policy');
  });

  it('an unreadable file is a problem naming POLICY_FILE and the path', () => {
    const file = path.join(dir, 'missing.yml');
    expectOneProblem(testEnv({ POLICY_FILE: file }), 'POLICY_FILE', /missing\.yml: cannot read/);
  });

  it('an invalid policy is a problem giving the YAML path of the error', () => {
    const file = path.join(dir, 'policy.yml');
    writeFileSync(file, 'rules:\n  - name: ok\n  - name: bad\n    match: { attribute: mail, regex: "(" }\n');
    expectOneProblem(testEnv({ POLICY_FILE: file }), 'POLICY_FILE', /policy\.yml: rules\[1\]\.match\.regex: invalid regular expression/);
  });
});

describe('config/load: describeConfig', () => {
  it('masks every secret and keeps the rest', () => {
    const cfg = testConfig({ ENABLE_BACKEND_JWT_REQUEST: 'true', BACKEND_API_KEY: TEST_API_KEY });
    const described = describeConfig(cfg);
    const text = JSON.stringify(described);
    for (const secret of [TEST_APP_SECRET, TEST_PROXY_SECRET, TEST_API_KEY]) expect(text).not.to.include(secret);
    expect(described).to.deep.include({ publicUrl: 'https://meet.example.org/', tokenMode: 'default' });
    expect((described.jwt as Record<string, unknown>).appSecret).to.equal('***');
    expect((described.backend as Record<string, unknown>).apiKey).to.equal('***');
    expect((described.identity as Record<string, unknown>).proxySecret).to.equal('***');
  });
});

describe('config/load: the expected IdP (direct mode)', () => {
  const IDP = 'https://idp.uni.example/idp/shibboleth';
  it('is SSO_URL when SHIBBOLETH_TEMPLATE_XML is direct (the default) or the reference name for it', () => {
    expect(testConfig({ SSO_URL: IDP }).identity.expectedIdp).to.equal(IDP);
    expect(testConfig({ SSO_URL: IDP, SHIBBOLETH_TEMPLATE_XML: 'direct' }).identity.expectedIdp).to.equal(IDP);
    expect(testConfig({ SSO_URL: IDP, SHIBBOLETH_TEMPLATE_XML: 'shibboleth2_sp_direct_idp.xml' }).identity.expectedIdp).to.equal(IDP);
  });
  it('is unset with a discovery service (SSO_URL is then the discovery URL), or without SSO_URL', () => {
    for (const template of ['discovery', 'federation', 'mdq', 'shibboleth2_sp_discovery.xml']) {
      expect(testConfig({ SSO_URL: 'https://ds.example.org/DS', SHIBBOLETH_TEMPLATE_XML: template }).identity.expectedIdp, template).to.equal(undefined);
    }
    expect(testConfig().identity.expectedIdp).to.equal(undefined);
  });
  it('is shown in the start-up description', () => {
    expect((describeConfig(testConfig({ SSO_URL: IDP })).identity as { expectedIdp: unknown }).expectedIdp).to.equal(IDP);
  });
});

describe('config/load: the apps\' schemes and package (config.deeplinking names)', () => {
  it('defaults to Jitsi\'s own apps', () => {
    expect(loadConfig(testEnv()).apps).to.deep.equal({
      iosScheme: 'org.jitsi.meet',
      androidScheme: 'org.jitsi.meet',
      androidPackage: 'org.jitsi.meet',
      electronScheme: 'jitsi-meet',
    });
  });

  it('takes a rebranded app\'s values', () => {
    const env = testEnv({ APP_SCHEME_IOS: 'edu.example.video', APP_ANDROID_SCHEME: 'edu-video', APP_ANDROID_PACKAGE: 'edu.example.Video_2', APP_SCHEME_ELECTRON: 'example+video' });
    expect(loadConfig(env).apps).to.deep.equal({ iosScheme: 'edu.example.video', androidScheme: 'edu-video', androidPackage: 'edu.example.Video_2', electronScheme: 'example+video' });
  });

  for (const variable of ['APP_SCHEME_IOS', 'APP_ANDROID_SCHEME', 'APP_SCHEME_ELECTRON']) {
    for (const bad of ['Org.Jitsi', '1app', 'my app', 'app:', 'a/b', 'x'.repeat(101), 'https', 'javascript', 'data', 'intent']) {
      it(`${variable}="${bad.slice(0, 20)}" is refused, naming the variable`, () => expectOneProblem(testEnv({ [variable]: bad }), variable));
    }
  }

  for (const bad of ['jitsi', 'org..jitsi', 'org.jitsi.', '1org.jitsi', 'org.jitsi-meet', 'org/jitsi', 'org.jitsi;end', 'org.jitsi.meet#x']) {
    it(`APP_ANDROID_PACKAGE="${bad}" is refused`, () => expectOneProblem(testEnv({ APP_ANDROID_PACKAGE: bad }), 'APP_ANDROID_PACKAGE', /Java package name/));
  }
});
