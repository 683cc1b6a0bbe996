// Host mode, live: the SP on its own name (SERVER_NAME) with TLS, as rendered by the image's
// scripts, and the image's health check against it.
import { expect } from 'chai';
import { chmodSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEchoBackend, type EchoBackend } from './support/echo-backend';
import { httpGet } from './support/http-request';
import { idpMetadata, startMetadataServer, type MetadataServer } from './support/metadata-server';
import { freePort } from './support/ports';
import { ProcessGroup } from './support/processes';
import { ensureDir, runHealthcheck, spLayout, startSp, type SpLayout } from './support/sp';
import { selfSigned } from './support/tls';

const IDP = 'https://idp.example.test/idp/shibboleth';

describe('e2e: SP in host mode (TLS on SERVER_NAME, image health check)', function () {
  this.timeout(60000);
  let dir: string;
  let group: ProcessGroup;
  let md: MetadataServer;
  let echo: EchoBackend;
  let port: number;
  let serverName: string;
  let layout: SpLayout;
  const healthcheck = async (env: Record<string, string>): Promise<number> => (await runHealthcheck(layout, port, env)).code;

  before(async function () {
    dir = mkdtempSync(join(tmpdir(), 'saml2jwt-hostmode-'));
    chmodSync(dir, 0o711);
    group = new ProcessGroup(ensureDir(join(dir, 'logs')));
    md = await startMetadataServer();
    const certDir = ensureDir(join(dir, 'idp-cert'));
    selfSigned(certDir, 'idp.example.test');
    md.set('/idp.xml', idpMetadata(IDP, readFileSync(join(certDir, 'idp.example.test-cert.pem'), 'utf8')));
    const echoPort = await freePort();
    echo = await startEchoBackend(echoPort);
    port = await freePort();
    serverName = `auth.example.test:${port}`;
    await startSp(
      group,
      {
        layout: (layout = spLayout(ensureDir(join(dir, 'sp')))),
        env: {
          SAML2JWT_MODE: 'host',
          SERVER_NAME: serverName,
          PUBLIC_URL: 'https://meet.example.test',
          METADATA_URL: md.url('/idp.xml'),
          SSO_URL: IDP,
          SIDECAR_URL: `http://127.0.0.1:${echoPort}`,
          SIDECAR_PROXY_SECRET: 'host-mode-secret-0123456789abcdef0123456789',
        },
      },
      port,
    );
  });

  after(async function () {
    this.timeout(20000);
    if (group) await group.stopAll();
    if (echo) await echo.close();
    if (md) await md.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('the image health check passes against the running SP', async function () {
    expect(await healthcheck({ SAML2JWT_MODE: 'host', SP_PORT: String(port) })).to.equal(0);
    // ... and fails where no SP answers (plain HTTP on the TLS port).
    expect(await healthcheck({ SAML2JWT_MODE: 'path', SP_PORT: String(port) })).not.to.equal(0);
  });

  it('serves metadata whose ACS is on https://SERVER_NAME', async function () {
    const res = await httpGet(`https://127.0.0.1:${port}/saml2jwt/Shibboleth.sso/Metadata`);
    expect(res.status).to.equal(200);
    expect(res.body).to.include(`Location="https://${serverName}/saml2jwt/Shibboleth.sso/SAML2/POST"`);
    expect(res.body).to.include('entityID="https://meet.example.test/saml2jwt/shibboleth"');
  });

  it('sends redirectWithToken to the IdP and the escape page to the backend without identity', async function () {
    const login = await httpGet(`https://127.0.0.1:${port}/saml2jwt/redirectWithToken?room=x`, { mail: 'mallory@evil.test' });
    expect(login.status).to.equal(302);
    expect(String(login.headers.location)).to.match(/^https:\/\/idp\.example\.test\/sso\?SAMLRequest=/);
    expect(echo.requests).to.have.length(0);

    const escape = await httpGet(`https://127.0.0.1:${port}/saml2jwt/redirectWithTokenEscape?room=x`, { mail: 'mallory@evil.test', 'X-SAML2JWT-Proxy-Secret': 'forged' });
    expect(escape.status).to.equal(200);
    expect(echo.requests).to.have.length(1);
    expect(echo.requests[0]?.headers).not.to.have.property('mail');
    expect(echo.requests[0]?.headers['x-saml2jwt-proxy-secret']).to.equal('host-mode-secret-0123456789abcdef0123456789');
  });
});
