// doctor's OpenID Connect checks against real loopback servers: an https provider whose
// certificate only OIDC_TLS_CA vouches for, and a plain http stand-in for the SP's redirect URI.
import { expect } from 'chai';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as https from 'node:https';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { oidcChecks, type OidcDoctorInput } from '../../../scripts/doctor-oidc';
import type { CheckResult } from '../../../scripts/doctor-checks';
import { createSpKeyPair, type SpKeyPair } from '../../../scripts/sp-keys';

describe('doctor: OpenID Connect (issue 24 §2)', function () {
  this.timeout(60000);
  let tls: SpKeyPair;
  let provider: https.Server;
  let sp: http.Server;
  let issuer: string;
  let spBase: string;
  let discovery: { status: number; body: string };
  let callbackStatus: number;
  let dir: string;
  let spDir: string;

  before(async () => {
    tls = createSpKeyPair('localhost', 'https://localhost/doctor-oidc-test');
    provider = https.createServer({ key: tls.keyPem, cert: tls.certPem }, (req, res) => {
      if (req.url === '/realms/staff/.well-known/openid-configuration') res.writeHead(discovery.status, { 'content-type': 'application/json' }).end(discovery.body);
      else res.writeHead(404).end();
    });
    sp = http.createServer((req, res) => res.writeHead(req.url === '/saml2jwt/oidc/callback' ? callbackStatus : 404).end());
    await new Promise<void>((r) => provider.listen(0, 'localhost', r));
    await new Promise<void>((r) => sp.listen(0, '127.0.0.1', r));
    issuer = `https://localhost:${(provider.address() as AddressInfo).port}/realms/staff`;
    spBase = `http://127.0.0.1:${(sp.address() as AddressInfo).port}`;
  });
  after(() => {
    provider.close();
    sp.close();
  });
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'saml2jwt-doctor-oidc-'));
    spDir = path.join(dir, 'sp');
    fs.mkdirSync(spDir);
    fs.writeFileSync(path.join(spDir, 'oidc-tls-ca.pem'), tls.certPem);
    fs.writeFileSync(path.join(spDir, 'oidc-client-secret'), 'secret\n', { mode: 0o440 });
    fs.chmodSync(path.join(spDir, 'oidc-client-secret'), 0o440);
    discovery = { status: 200, body: JSON.stringify({ issuer }) };
    callbackStatus = 400; // mod_auth_openidc's answer to a callback without a code
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  const input = (vars: Record<string, string> = {}, envText = ''): OidcDoctorInput => {
    const env: Record<string, string> = {
      OIDC_ISSUER: issuer,
      OIDC_TLS_CA: '/etc/shibboleth/keys/oidc-tls-ca.pem',
      OIDC_CLIENT_SECRET_FILE: '/etc/shibboleth/keys/oidc-client-secret',
      ...vars,
    };
    return { env: (k) => env[k] || undefined, envText: envText || Object.entries(env).map(([k, v]) => `${k}=${v}\n`).join(''), spDir, siteBase: spBase };
  };
  const byWhat = (results: CheckResult[], part: string): CheckResult => {
    const found = results.find((r) => r.what.includes(part));
    expect(found, `a check about ${part} in ${JSON.stringify(results)}`).to.not.equal(undefined);
    return found!;
  };

  it('says nothing without OIDC_ISSUER', async () => {
    expect(await oidcChecks(input({ OIDC_ISSUER: '' }))).to.deep.equal([]);
  });

  it('all four pass: the discovery document over https with OIDC_TLS_CA, the redirect URI, the private file, no secret in the .env', async () => {
    const results = await oidcChecks(input());
    expect(results.map((r) => [r.ok, r.what])).to.deep.equal([
      [true, `the discovery document ${issuer}/.well-known/openid-configuration names the issuer OIDC_ISSUER`],
      [true, `the redirect URI ${spBase}/saml2jwt/oidc/callback answers (HTTP 400)`],
      [true, `the client secret file ${path.join(spDir, 'oidc-client-secret')} is private (mode 0440)`],
      [true, 'the .env holds no OpenID Connect client secret (OIDC_CLIENT_SECRET_FILE names a file)'],
    ]);
  });

  it('fails the discovery check when the document names another issuer (a trailing slash counts), answers 404, or the CA does not vouch for it', async () => {
    discovery.body = JSON.stringify({ issuer: `${issuer}/` });
    let check = byWhat(await oidcChecks(input()), 'discovery document');
    expect(check.ok).to.equal(false);
    expect(check.what).to.include(`names the issuer "${issuer}/", not OIDC_ISSUER "${issuer}"`);
    expect(check.fix).to.include(`set OIDC_ISSUER=${issuer}/`);
    discovery = { status: 404, body: '' };
    check = byWhat(await oidcChecks(input()), 'discovery document');
    expect([check.ok, check.what]).to.deep.equal([false, `the discovery document ${issuer}/.well-known/openid-configuration answers HTTP 404`]);
    discovery = { status: 200, body: JSON.stringify({ issuer }) };
    check = byWhat(await oidcChecks(input({ OIDC_TLS_CA: '' })), 'discovery document'); // the system CAs do not know it
    expect(check.ok).to.equal(false);
    expect(check.what).to.include('cannot be fetched');
  });

  it('fails the redirect URI on a 5xx, and only warns when the public URL cannot be reached from here', async () => {
    callbackStatus = 502;
    let check = byWhat(await oidcChecks(input()), 'redirect URI');
    expect([check.ok, check.warning]).to.deep.equal([false, undefined]);
    expect(check.what).to.include('answers HTTP 502');
    const closed = http.createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((r) => closed.close(r));
    check = byWhat(await oidcChecks({ ...input(), siteBase: `http://127.0.0.1:${port}` }), 'redirect URI');
    expect([check.ok, check.warning]).to.deep.equal([false, true]);
    expect(check.what).to.include('not checked: this host cannot reach the public URL');
  });

  it('fails a secret file every user may read, or one that is missing; 0400 passes', async () => {
    const file = path.join(spDir, 'oidc-client-secret');
    fs.chmodSync(file, 0o644);
    let check = byWhat(await oidcChecks(input()), 'client secret file');
    expect([check.ok, check.what]).to.deep.equal([false, `the client secret file ${file} has mode 0644, not 0440 or 0400`]);
    fs.chmodSync(file, 0o400);
    expect(byWhat(await oidcChecks(input()), 'client secret file').ok).to.equal(true);
    fs.rmSync(file);
    check = byWhat(await oidcChecks(input()), 'client secret file');
    expect([check.ok, check.what]).to.deep.equal([false, `the client secret file ${file} (OIDC_CLIENT_SECRET_FILE) does not exist`]);
  });

  it('fails a .env with an OIDC_CLIENT_SECRET= line that has a value; an empty one is fine', async () => {
    const base = `OIDC_ISSUER=${issuer}\nOIDC_CLIENT_SECRET_FILE=/etc/shibboleth/keys/oidc-client-secret\n`;
    expect(byWhat(await oidcChecks(input({}, `${base}OIDC_CLIENT_SECRET=\n`)), 'client secret (').ok).to.equal(true);
    const check = byWhat(await oidcChecks(input({}, `${base}OIDC_CLIENT_SECRET=hunter2\n`)), 'client secret (');
    expect(check.ok).to.equal(false);
    expect(check.what + check.fix).not.to.include('hunter2');
  });
});
