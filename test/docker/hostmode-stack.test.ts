// Host mode with the backend API: the SP on its own host name and TLS port
// (saml2jwt-hostmode.yml) and the sidecar's backend published on 127.0.0.1
// (saml2jwt-backend.yml), wired by `setup --mode host` and started the way setup says.
import { expect } from 'chai';
import { randomBytes, X509Certificate } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tls from 'node:tls';
import type { Browser } from 'playwright-core';
import { jitsiState, launchBrowser, newContext, submitIdpLogin } from '../e2e/support/browser';
import { prosodyAccepts } from '../support/prosody-verifier';
import { docker, freePort, run } from './docker-cli';
import { prosodyFor, stackHooks, startWiredStack, type WiredStack } from './wired-stack';
import { clientJwtFromUrl, clientTokenOf } from '../support/jitsi-client';

const projectName = 'saml2jwt-hostmode';
const apiKey = randomBytes(32).toString('hex');

/** The certificate a TLS server presents for a server name. */
function presentedCertificate(port: number, servername: string): Promise<X509Certificate> {
  return new Promise((resolve, reject) => {
    const socket = tls.connect({ host: '127.0.0.1', port, servername, rejectUnauthorized: false }, () => {
      const raw = socket.getPeerCertificate().raw;
      socket.end();
      resolve(new X509Certificate(raw));
    });
    socket.setTimeout(10_000, () => socket.destroy(new Error('TLS timeout')));
    socket.on('error', reject);
  });
}

describe('docker: host mode with the backend API', function () {
  this.timeout(30 * 60_000);
  let stack: WiredStack;
  let spPort = 0;
  let backendPort = 0;
  let serverName = '';
  let browser: Browser | undefined;

  before(async () => {
    [spPort, backendPort] = [await freePort(), await freePort()];
    serverName = `auth.example.test:${spPort}`;
    stack = await startWiredStack({
      name: projectName,
      setupFlags: ['--mode', 'host', '--server-name', serverName],
      env: {
        SAML_SP_HTTPS_PORT: `127.0.0.1:${spPort}`,
        ENABLE_BACKEND_JWT_REQUEST: 'true',
        BACKEND_API_KEY: apiKey,
        SAML2JWT_BACKEND_PUBLISH: `127.0.0.1:${backendPort}`,
      },
      overlays: ['saml2jwt-hostmode.yml', 'saml2jwt-backend.yml'],
    });
  });

  stackHooks(() => ({ stack, browser }));

  it('publishes the SP’s TLS port and the backend on 127.0.0.1, and nothing else of ours', async () => {
    const published = async (service: string) => {
      const ports = JSON.parse(await docker(['inspect', '--format', '{{json .NetworkSettings.Ports}}', await stack.project.containerOf(service)])) as Record<string, Array<{ HostIp: string; HostPort: string }> | null>;
      return Object.fromEntries(Object.entries(ports).filter(([, b]) => b).map(([p, b]) => [p, b!.map((x) => `${x.HostIp}:${x.HostPort}`)]));
    };
    expect(await published('saml-sp')).to.deep.equal({ '8443/tcp': [`127.0.0.1:${spPort}`] });
    expect(await published('saml2jwt')).to.deep.equal({ '8081/tcp': [`127.0.0.1:${backendPort}`] });
  });

  it('serves the SP over TLS with the self-signed certificate it made for SERVER_NAME', async () => {
    const presented = await presentedCertificate(spPort, 'auth.example.test');
    expect(presented.subjectAltName).to.contain('DNS:auth.example.test');
    const onDisk = new X509Certificate(fs.readFileSync(path.join(stack.project.configDir, 'saml2jwt', 'sp', 'tls-cert.pem')));
    expect(presented.fingerprint256).to.equal(onDisk.fingerprint256);
  });

  it('refuses a request body over 512 KB on the Shibboleth handler (the ACS) with 413, and takes a small one', async () => {
    const post = async (bytes: number) => {
      const dir = fs.mkdtempSync(path.join(stack.project.dir, 'body-'));
      const body = path.join(dir, 'body');
      fs.writeFileSync(body, `SAMLResponse=${'A'.repeat(bytes)}`);
      const r = await run('curl', ['-sk', '-o', '/dev/null', '-w', '%{http_code}', '--resolve', `auth.example.test:${spPort}:127.0.0.1`,
        '-H', 'Content-Type: application/x-www-form-urlencoded', '--data-binary', `@${body}`, `https://auth.example.test:${spPort}/saml2jwt/Shibboleth.sso/SAML2/POST`]);
      fs.rmSync(dir, { recursive: true, force: true });
      return r.stdout;
    };
    // Under the 1 MB at which mod_shib's own read of the body fails, so only LimitRequestBody refuses it.
    expect(await post(700 * 1024)).to.equal('413');
    // A small (bogus) response reaches Shibboleth, which refuses it on its own terms.
    expect(await post(100 * 1024)).not.to.equal('413');
  });

  it('logs a user in on the SP’s own host and lands in the tenant meeting with a token Prosody accepts', async () => {
    expect(stack.env.get('TOKEN_AUTH_URL')).to.equal(`https://${serverName}/saml2jwt/redirectWithToken?room={room}&state={state}`);
    browser = await launchBrowser();
    const page = await (await newContext(browser)).newPage();
    // What Jitsi's client makes of TOKEN_AUTH_URL for https://meet.../acme/Planning.
    await page.goto(`https://${serverName}/saml2jwt/redirectWithToken?room=Planning&state=${jitsiState('Planning', 'acme')}`);
    expect(new URL(page.url()).hostname, (await page.content()).slice(0, 500)).to.equal('idp.example.test');
    await submitIdpLogin(page, 'bob', 'bob-pass');
    await page.waitForURL((url) => clientJwtFromUrl(url.href).jwt !== undefined, { timeout: 60_000 });
    const landed = new URL(page.url());
    expect(`${landed.origin}${landed.pathname}`).to.equal(`${stack.publicUrl}/acme/Planning`);
    const token = clientTokenOf(landed.href);
    const prosody = prosodyFor(stack.env);
    const verdict = prosodyAccepts(token, { ...prosody, room: 'planning', tenant: 'acme' });
    expect(verdict, JSON.stringify(verdict)).to.include({ ok: true });
    if (!verdict.ok) return;
    // Bob's display name holds a ";", which Shibboleth escapes in its header as "\;".
    expect((verdict.claims.context as { user: Record<string, unknown> }).user).to.include({ email: 'bob@example.test', name: 'Bob; the Builder' });
    expect(prosodyAccepts(token, { ...prosody, room: 'planning', tenant: 'other' })).to.include({ ok: false });
  });

  it('mints on the published backend port for API-key holders only', async () => {
    const url = `http://127.0.0.1:${backendPort}/getToken?mail=carol%40example.test&room=review`;
    const anonymous = await fetch(url);
    expect(anonymous.status).to.equal(401);
    const res = await fetch(url, { headers: { authorization: `Bearer ${apiKey}` } });
    expect(res.status).to.equal(200);
    const verdict = prosodyAccepts((await res.text()).trim(), { ...prosodyFor(stack.env), room: 'review' });
    expect(verdict, JSON.stringify(verdict)).to.include({ ok: true });
  });

  it('tears down to nothing', async () => {
    expect(await stack.project.destroy()).to.equal('');
    const label = `label=com.docker.compose.project=${stack.project.name}`;
    expect((await docker(['ps', '-aq', '--filter', label])).trim()).to.equal('');
    expect((await docker(['network', 'ls', '-q', '--filter', label])).trim()).to.equal('');
  });
});
