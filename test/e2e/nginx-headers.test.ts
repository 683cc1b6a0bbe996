// Debian's nginx with docker-jitsi-meet's server-level headers copied verbatim, our snippet
// (compose-overlay/nginx/saml2jwt.conf, as setup installs it) included where Jitsi includes it,
// and a stand-in SP that sends its own Content-Security-Policy, as the sidecar's pages do.
// Jitsi's CSP_HEADER (`always`, server level) is meant for Jitsi's pages: on /saml2jwt/ it would
// be enforced on top of ours. HSTS must still come exactly when Jitsi sends it.
// (Routing through the snippet, in Jitsi's container layout, is test/docker/nginx-snippet.test.ts.)
import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import { createServer, request as httpRequest, type Server } from 'node:http';
import { request as httpsRequest } from 'node:https';
import * as os from 'node:os';
import * as path from 'node:path';
import { jitsiSendsHsts, nginxSnippet } from '../../scripts/nginx-snippet';
import { repoRoot } from './support/paths';
import { freePort } from './support/ports';
import { ProcessGroup, waitFor } from './support/processes';
import { selfSigned } from './support/tls';

const NGINX = '/usr/sbin/nginx';
/** An operator's strict CSP_HEADER, as docker-jitsi-meet's .env may set it. */
const OPERATOR_CSP = "default-src 'none'; frame-ancestors 'none'";
/** What our pages send: the sidecar's kind of policy, one hashed script. */
const OUR_CSP = "default-src 'none'; script-src 'sha256-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA='; base-uri 'none'";

// docker-jitsi-meet at 2e6b31d8334998cb26ceef913a8e172fe9b93686, web/rootfs/defaults/, rendered by
// hand as its templates would with CSP_HEADER set and DEPLOYMENTINFO_SHARD unset.
// ssl.conf lines 25-28 (ENABLE_HSTS, default 1):
const sslConfHsts = `
# HSTS (ngx_http_headers_module is required) (63072000 seconds)
add_header Strict-Transport-Security "max-age=63072000" always;
`;
// meet.conf lines 28-44, then 161-167 (a room page: any one-segment path serves index.html).
const meetConf = (snippet: string): string => `
# Security headers
add_header X-Content-Type-Options nosniff;
add_header X-XSS-Protection "1; mode=block";
add_header Content-Security-Policy "${OPERATOR_CSP}" always;

set $prefix "";

# Opt out of FLoC (deprecated)
add_header Permissions-Policy "interest-cohort=()";

include ${snippet};

location ~ ^/([^/?&:'"]+)$ {
    try_files $uri @root_path;
}

location @root_path {
    rewrite ^/(.*)$ / break;
}
`;

interface Answer {
  status: number;
  /** Every value of a header, as sent (nginx may send a header more than once). */
  all(name: string): string[];
}

function get(url: string): Promise<Answer> {
  const u = new URL(url);
  const request = u.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = request(u, { rejectUnauthorized: false, timeout: 10_000 }, (res) => {
      res.resume();
      res.on('end', () => {
        const raw = res.rawHeaders;
        const all = (name: string): string[] => raw.flatMap((h, i) => (i % 2 === 0 && h.toLowerCase() === name ? [raw[i + 1] as string] : []));
        resolve({ status: res.statusCode ?? 0, all });
      });
    });
    req.on('timeout', () => req.destroy(new Error(`timeout: ${url}`)));
    req.on('error', reject);
    req.end();
  });
}

describe('e2e: Debian nginx, Jitsi\'s server headers and our /saml2jwt/ location', function () {
  this.timeout(60_000);
  let dir = '';
  let group: ProcessGroup;
  let sp: Server;
  const base = { http: '', https: '', httpsNoHsts: '' };

  before(async () => {
    expect(fs.existsSync(NGINX), `${NGINX} is missing: run test/e2e/install-deps.sh`).to.equal(true);
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'saml2jwt-nginx-headers-'));
    fs.chmodSync(dir, 0o711); // run as root, nginx's workers are www-data: they serve www/ and use the temp folders
    group = new ProcessGroup(dir);
    fs.mkdirSync(path.join(dir, 'www'));
    fs.writeFileSync(path.join(dir, 'www', 'index.html'), '<!doctype html><title>Jitsi Meet stand-in</title>\n');
    selfSigned(dir, 'meet.example.test');

    // The stand-in SP: our pages carry our CSP; Shibboleth's handlers carry none.
    const spPort = await freePort();
    sp = createServer((req, res) => {
      if (req.url === '/saml2jwt/gone') return req.socket.destroy(); // nginx answers 502 itself
      if (req.url?.startsWith('/saml2jwt/redirectWithToken')) res.setHeader('Content-Security-Policy', OUR_CSP);
      res.setHeader('Content-Type', 'text/html; charset=utf-8');
      res.end('<!doctype html><title>saml2jwt</title>\n');
    });
    await new Promise<void>((resolve) => sp.listen(spPort, '127.0.0.1', resolve));

    // The snippet as setup installs it for each ENABLE_HSTS, pointed at the stand-in SP.
    const shipped = fs.readFileSync(path.join(repoRoot, 'compose-overlay', 'nginx', 'saml2jwt.conf'), 'utf8');
    expect(shipped).to.include('http://saml-sp.meet.jitsi:8080');
    const snippetFor = (enableHsts: string): string => {
      const file = path.join(dir, `saml2jwt-hsts-${enableHsts}.conf`);
      fs.writeFileSync(file, nginxSnippet(shipped, jitsiSendsHsts(enableHsts)).replace('http://saml-sp.meet.jitsi:8080', `http://127.0.0.1:${spPort}`));
      return file;
    };

    // docker-jitsi-meet's site-confs/default lines 1-25: meet.conf in the plain server, and
    // ssl.conf + meet.conf in the TLS one; a second TLS server as ENABLE_HSTS=0 renders it.
    const [httpPort, httpsPort, httpsNoHstsPort] = [await freePort(), await freePort(), await freePort()];
    const tls = `ssl_certificate ${dir}/meet.example.test-cert.pem;\n        ssl_certificate_key ${dir}/meet.example.test-key.pem;`;
    const temp = ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map((t) => `${t}_temp_path ${dir}/${t}-temp;`).join('\n    ');
    fs.writeFileSync(path.join(dir, 'nginx.conf'), `
worker_processes 1;
pid ${dir}/nginx.pid;
daemon off;
error_log stderr;
events { worker_connections 64; }
http {
    include /etc/nginx/mime.types;
    access_log off;
    ${temp}
    root ${dir}/www;
    index index.html;
    server {
        listen 127.0.0.1:${httpPort};
        ${meetConf(snippetFor('1'))}
    }
    server {
        listen 127.0.0.1:${httpsPort} ssl;
        ${tls}
        ${sslConfHsts}
        ${meetConf(snippetFor('1'))}
    }
    server {
        listen 127.0.0.1:${httpsNoHstsPort} ssl;
        ${tls}
        ${meetConf(snippetFor('0'))}
    }
}
`);
    try {
      execFileSync(NGINX, ['-t', '-p', dir, '-c', path.join(dir, 'nginx.conf')], { stdio: 'pipe' });
    } catch (err) {
      throw new Error(`nginx -t: ${String((err as { stderr?: Buffer }).stderr ?? err)}`);
    }
    group.start('nginx', NGINX, ['-p', dir, '-c', path.join(dir, 'nginx.conf')]);
    base.http = `http://127.0.0.1:${httpPort}`;
    base.https = `https://127.0.0.1:${httpsPort}`;
    base.httpsNoHsts = `https://127.0.0.1:${httpsNoHstsPort}`;
    await waitFor('nginx', async () => {
      group.assertRunning('nginx');
      return (await get(`${base.https}/standup`)).status === 200;
    }).catch((err: Error) => {
      throw new Error(`${err.message}\n${group.tail('nginx')}`);
    });
  });

  after(async () => {
    await group?.stopAll();
    await new Promise<void>((resolve) => (sp ? sp.close(() => resolve()) : resolve()));
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('TLS: our pages carry only our CSP, and Jitsi\'s HSTS; Jitsi\'s pages keep the operator\'s CSP', async () => {
    const ours = await get(`${base.https}/saml2jwt/redirectWithToken?room=standup`);
    expect(ours.status).to.equal(200);
    expect(ours.all('content-security-policy')).to.deep.equal([OUR_CSP]);
    expect(ours.all('strict-transport-security')).to.deep.equal(['max-age=63072000']);
    expect(ours.all('x-content-type-options')).to.deep.equal(['nosniff']);

    const jitsi = await get(`${base.https}/standup`);
    expect(jitsi.status).to.equal(200);
    expect(jitsi.all('content-security-policy')).to.deep.equal([OPERATOR_CSP]);
    expect(jitsi.all('strict-transport-security')).to.deep.equal(['max-age=63072000']);
  });

  it('an SP answer without a CSP of its own gets none from Jitsi either; nginx\'s own errors keep HSTS', async () => {
    const status = await get(`${base.https}/saml2jwt/Shibboleth.sso/Status`);
    expect(status.status).to.equal(200);
    expect(status.all('content-security-policy')).to.deep.equal([]);
    expect(status.all('strict-transport-security')).to.deep.equal(['max-age=63072000']);
    // nginx's own error page, when the SP drops the connection: HSTS is `always`, as Jitsi's.
    const gone = await get(`${base.https}/saml2jwt/gone`);
    expect(gone.status).to.equal(502);
    expect(gone.all('content-security-policy')).to.deep.equal([]);
    expect(gone.all('strict-transport-security')).to.deep.equal(['max-age=63072000']);
  });

  it('plain HTTP (Jitsi\'s port 8000, or behind a TLS proxy): no HSTS from us, as none from Jitsi', async () => {
    const ours = await get(`${base.http}/saml2jwt/redirectWithToken?room=standup`);
    expect(ours.all('content-security-policy')).to.deep.equal([OUR_CSP]);
    expect(ours.all('strict-transport-security')).to.deep.equal([]);
    const jitsi = await get(`${base.http}/standup`);
    expect(jitsi.all('content-security-policy')).to.deep.equal([OPERATOR_CSP]);
    expect(jitsi.all('strict-transport-security')).to.deep.equal([]);
  });

  it('ENABLE_HSTS=0: the snippet setup writes sends no HSTS either', async () => {
    const ours = await get(`${base.httpsNoHsts}/saml2jwt/redirectWithToken?room=standup`);
    expect(ours.all('content-security-policy')).to.deep.equal([OUR_CSP]);
    expect(ours.all('strict-transport-security')).to.deep.equal([]);
    expect((await get(`${base.httpsNoHsts}/standup`)).all('strict-transport-security')).to.deep.equal([]);
  });
});
