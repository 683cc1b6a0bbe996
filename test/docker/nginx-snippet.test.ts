// compose-overlay/nginx/saml2jwt.conf inside nginx laid out as Jitsi's web image lays it out
// (the stand-in web image), in front of a stand-in saml-sp that echoes what it receives.
import { expect } from 'chai';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as https from 'node:https';
import * as os from 'node:os';
import * as path from 'node:path';
import { docker, freePort, localBases, repoRoot, run, sleep, testPrefix, waitHealthy } from './docker-cli';
import { buildImage, tierImages } from './images';

const tag = `${testPrefix}saml2jwt-nginx-test-${process.pid}`;
const network = tag;
const web = `${tag}-web`;
const echo = `${tag}-sp`;

// The stand-in SP: answers with what it was sent; ?longHeader=N adds an N-byte response header.
const echoServer = `require('http').createServer((req, res) => {
  const hash = require('crypto').createHash('sha256'); let length = 0;
  req.on('data', (c) => { hash.update(c); length += c.length; });
  req.on('end', () => {
    const n = Number(new URL(req.url, 'http://x').searchParams.get('longHeader') || 0);
    if (n) res.setHeader('x-long', 'a'.repeat(n));
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ method: req.method, url: req.url, headers: req.headers, length, sha256: hash.digest('hex') }));
  });
}).listen(8080);`;

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

describe('docker: web nginx snippet (path mode)', function () {
  this.timeout(20 * 60_000);
  let port = 0;
  let cfg = '';
  const host = () => `meet.example.test:${port}`;

  function request(pathAndQuery: string, opts: { method?: string; body?: Buffer } = {}): Promise<Answer> {
    return new Promise((resolve, reject) => {
      const req = https.request(
        { host: '127.0.0.1', port, path: pathAndQuery, method: opts.method ?? 'GET', rejectUnauthorized: false, maxHeaderSize: 65536, headers: { host: host(), ...(opts.body ? { 'content-type': 'application/x-www-form-urlencoded', 'content-length': opts.body.length } : {}) }, timeout: 15_000 },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
        },
      );
      req.on('timeout', () => req.destroy(new Error('timeout')));
      req.on('error', reject);
      req.end(opts.body);
    });
  }
  const echoed = async (pathAndQuery: string, opts: { method?: string; body?: Buffer } = {}) => {
    const res = await request(pathAndQuery, opts);
    expect(res.status, res.body.slice(0, 300)).to.equal(200);
    return JSON.parse(res.body) as { method: string; url: string; headers: Record<string, string>; length: number; sha256: string };
  };

  before(async () => {
    await buildImage('web');
    cfg = fs.mkdtempSync(path.join(os.tmpdir(), `${tag}-`));
    fs.mkdirSync(path.join(cfg, 'web', 'nginx-custom'), { recursive: true });
    fs.copyFileSync(path.join(repoRoot, 'compose-overlay', 'nginx', 'saml2jwt.conf'), path.join(cfg, 'web', 'nginx-custom', 'saml2jwt.conf'));
    port = await freePort();
    await docker(['network', 'create', network]);
    await docker(['run', '-d', '--name', web, '--network', network, '-v', `${cfg}/web:/config:ro`, '-p', `127.0.0.1:${port}:443`, tierImages.web]);
  });
  after(async () => {
    await run('docker', ['rm', '-f', '-v', web, echo]);
    await run('docker', ['network', 'rm', network]);
    fs.rmSync(cfg, { recursive: true, force: true });
  });

  it('lets nginx start and serve meetings while saml-sp does not exist', async () => {
    await waitHealthy([web], 60_000);
    const page = await request('/standup');
    expect(page.status).to.equal(200);
    expect(page.body).to.contain('Jitsi Meet stand-in');
    const sso = await request('/saml2jwt/Shibboleth.sso/Status');
    expect(sso.status).to.equal(502);
  });

  it('reaches saml-sp once it appears, with the path and query unchanged', async () => {
    await docker(['run', '-d', '--name', echo, '--network', network, '--network-alias', 'saml-sp.meet.jitsi', localBases.node, 'node', '-e', echoServer]);
    // nginx caches the failed lookup for at most `valid=1s`; poll a bounded while.
    let last: Answer | undefined;
    for (let i = 0; i < 45; i++) {
      last = await request('/saml2jwt/Shibboleth.sso/Login?target=%2Fsaml2jwt%2FredirectWithToken%3Froom%3Da');
      if (last.status === 200) break;
      await sleep(1000);
    }
    expect(last?.status, last?.body.slice(0, 200)).to.equal(200);
    const seen = JSON.parse(last!.body) as { url: string };
    expect(seen.url).to.equal('/saml2jwt/Shibboleth.sso/Login?target=%2Fsaml2jwt%2FredirectWithToken%3Froom%3Da');
  });

  it('wins over Jitsi’s tenant location for every /saml2jwt/ path', async () => {
    const seen = await echoed('/saml2jwt/redirectWithToken?room=Standup&state=%7B%22room%22%3A%22Standup%22%7D');
    expect(seen.url).to.equal('/saml2jwt/redirectWithToken?room=Standup&state=%7B%22room%22%3A%22Standup%22%7D');
    // ...and only those: a tenant meeting stays with Jitsi.
    const tenant = await request('/acme/standup');
    expect(tenant.body).to.contain('Jitsi Meet stand-in');
    const lookalike = await request('/saml2jwtx/standup');
    expect(lookalike.body).to.contain('Jitsi Meet stand-in');
  });

  it('forwards the public host, scheme and client address', async () => {
    const seen = await echoed('/saml2jwt/Shibboleth.sso/Session');
    expect(seen.headers.host).to.equal(host());
    expect(seen.headers['x-forwarded-host']).to.equal(host());
    expect(seen.headers['x-forwarded-proto']).to.equal('https');
    expect(seen.headers['x-forwarded-for']).to.match(/^\d+\.\d+\.\d+\.\d+$/);
    expect(seen.headers['x-real-ip']).to.equal(seen.headers['x-forwarded-for']);
  });

  it('passes a large SAML POST through whole', async () => {
    const body = Buffer.from(`SAMLResponse=${encodeURIComponent(Buffer.from('<samlp:Response>'.padEnd(400_000, 'x')).toString('base64'))}&RelayState=ss%3Amem%3Aabc`);
    const seen = await echoed('/saml2jwt/Shibboleth.sso/SAML2/POST', { method: 'POST', body });
    expect(seen.method).to.equal('POST');
    expect(seen.length).to.equal(body.length);
    expect(seen.sha256).to.equal(createHash('sha256').update(body).digest('hex'));
  });

  it('passes long response headers (SP redirects and cookies)', async () => {
    const res = await request('/saml2jwt/Shibboleth.sso/Login?longHeader=30000');
    expect(res.status).to.equal(200);
    expect(String(res.headers['x-long']).length).to.equal(30000);
  });
});
