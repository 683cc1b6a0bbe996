// The sidecar image on its own: what is inside it, how it runs (non-root, read-only root fs,
// healthcheck, SIGTERM), and that the container really mints tokens Prosody accepts.
import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import { prosodyAccepts } from '../support/prosody-verifier';
import { docker, freePort, imageSizeBytes, localBases, megabytes, run, testPrefix, waitHealthy } from './docker-cli';
import { buildImage, tierImages } from './images';
import { clientTokenOf } from '../support/jitsi-client';
import { VERSION } from '../../sidecar/src/version';

const image = tierImages.saml2jwt;
const container = `${testPrefix}saml2jwt-sidecar-test-${process.pid}`;
const appSecret = randomBytes(32).toString('hex');
const proxySecret = randomBytes(32).toString('hex');
const env = {
  JWT_APP_ID: 'jitsi-saml2jwt',
  JWT_APP_SECRET: appSecret,
  PUBLIC_URL: 'https://meet.example.test:8443',
  XMPP_DOMAIN: 'meet.jitsi',
  SIDECAR_PROXY_SECRET: proxySecret,
};

describe('docker: sidecar image', function () {
  this.timeout(20 * 60_000);
  let front = '';
  let backend = '';

  before(async () => {
    await buildImage('saml2jwt');
    const [frontPort, backendPort] = [await freePort(), await freePort()];
    const envArgs = Object.entries(env).flatMap(([k, v]) => ['-e', `${k}=${v}`]);
    await docker(['run', '-d', '--name', container, '--read-only', '--tmpfs', '/tmp', '-p', `127.0.0.1:${frontPort}:8080`, '-p', `127.0.0.1:${backendPort}:8081`, ...envArgs, image]);
    front = `http://127.0.0.1:${frontPort}`;
    backend = `http://127.0.0.1:${backendPort}`;
  });
  after(async () => {
    await run('docker', ['rm', '-f', '-v', container]);
  });

  it('runs on Node 24 LTS, the Node of its base image', async () => {
    // The entrypoint is the sidecar, so `node --version` is asked for through --entrypoint.
    const version = (await docker(['run', '--rm', '--entrypoint', 'node', image, '--version'])).trim();
    console.log(`      node ${version}`);
    expect(version).to.match(/^v24\.\d+\.\d+$/);
    expect(version).to.equal((await docker(['run', '--rm', localBases.node, 'node', '--version'])).trim());
  });

  it("caps V8's young generation at Node 20's size through the image's NODE_OPTIONS, which an operator can override", async () => {
    // heap_size_limit = old generation + young generation (3 semi-spaces): only the young part moves.
    const heapLimitMb = async (...envArgs: string[]): Promise<number> =>
      Number(await docker(['run', '--rm', ...envArgs, '--entrypoint', 'node', image, '-p', "require('v8').getHeapStatistics().heap_size_limit / 2 ** 20"]));
    const shipped = await heapLimitMb();
    const [semi16, semi32, nodeDefault] = [await heapLimitMb('-e', 'NODE_OPTIONS=--max-semi-space-size=16'), await heapLimitMb('-e', 'NODE_OPTIONS=--max-semi-space-size=32'), await heapLimitMb('-e', 'NODE_OPTIONS=')];
    console.log(`      heap limit ${shipped} MB as shipped, ${nodeDefault} MB with Node's defaults on this host`);
    expect(shipped).to.equal(semi16);
    expect(semi32, 'an operator setting NODE_OPTIONS gets their own size').to.equal(shipped + 3 * 16);
    // Node's default follows the host's memory: 64 MB semi-spaces on a large host, 16 on a small one.
    expect(shipped).to.be.at.most(nodeDefault);
  });

  it('names its release: the org.opencontainers.image.version label, and the backend\'s /healthz header', async () => {
    const label = (await docker(['image', 'inspect', '--format', '{{index .Config.Labels "org.opencontainers.image.version"}}', image])).trim();
    expect(label).to.equal(VERSION);
    await waitHealthy([container], 90_000);
    expect((await fetch(`${backend}/healthz`)).headers.get('x-saml2jwt-version')).to.equal(VERSION);
  });

  it('adds little to the Node base image', async () => {
    const [size, base] = [await imageSizeBytes(image), await imageSizeBytes(localBases.node)];
    console.log(`      sidecar image ${megabytes(size)} (base ${megabytes(base)}, ours ${megabytes(size - base)})`);
    expect(size - base).to.be.below(60e6);
  });

  it('holds the compiled sidecar and its production dependencies only: no operator tools', async () => {
    const check = `const fs = require('fs');
      const has = (p) => fs.existsSync(p);
      const size = (dir) => fs.readdirSync(dir, { withFileTypes: true }).reduce((sum, e) => {
        const p = dir + '/' + e.name;
        return sum + (e.isDirectory() ? size(p) : e.isFile() ? fs.statSync(p).size : 0);
      }, 0);
      console.log(JSON.stringify({
        main: has('dist/sidecar/src/main.js'), koa: has('node_modules/koa'), jsonwebtoken: has('node_modules/jsonwebtoken'),
        dev: ['typescript', 'mocha', 'chai', 'tsx', 'playwright-core', 'autocannon', 'fast-check'].filter((d) => has('node_modules/' + d)),
        tools: ['dockerode', 'node-forge', 'diff'].filter((d) => has('node_modules/' + d)),
        scripts: has('scripts') || has('dist/scripts') || has('dist/sidecar/src/cli.js'),
        sources: has('sidecar') || has('tsconfig.json') || has('test'),
        nodeModulesBytes: size('node_modules'),
      }));`;
    const out = await docker(['run', '--rm', '--entrypoint', 'node', image, '-e', check]);
    const { nodeModulesBytes, ...contents } = JSON.parse(out) as { nodeModulesBytes: number };
    console.log(`      node_modules ${megabytes(nodeModulesBytes)}`);
    expect(contents).to.deep.equal({ main: true, koa: true, jsonwebtoken: true, dev: [], tools: [], scripts: false, sources: false });
  });

  it('turns healthy through its own HEALTHCHECK', async () => {
    await waitHealthy([container], 90_000);
  });

  it('runs as the unprivileged node user on a read-only root filesystem', async () => {
    expect((await docker(['exec', container, 'id', '-u'])).trim()).to.equal('1000');
    expect((await docker(['inspect', '--format', '{{.HostConfig.ReadonlyRootfs}}', container])).trim()).to.equal('true');
    const write = await run('docker', ['exec', container, 'sh', '-c', 'echo x > /app/written']);
    expect(write.code).to.not.equal(0);
  });

  it('answers health and readiness on both published ports (it listens on all interfaces)', async () => {
    for (const base of [front, backend]) {
      expect((await fetch(`${base}/healthz`)).status, `${base}/healthz`).to.equal(200);
      expect((await fetch(`${base}/readyz`)).status, `${base}/readyz`).to.equal(200);
    }
  });

  it('refuses identity headers that come without the SP’s proxy secret', async () => {
    const res = await fetch(`${front}/redirectWithToken?room=standup`, { redirect: 'manual', headers: { mail: 'mallory@evil.example' } });
    expect(res.status).to.be.oneOf([401, 403]);
    expect(res.headers.get('location')).to.equal(null);
    expect(await res.text()).not.to.match(/eyJ[\w-]+\.[\w-]+\.[\w-]+/);
  });

  it('mints, from the SP’s headers, a token Prosody accepts for that room only', async () => {
    const res = await fetch(`${front}/saml2jwt/redirectWithToken?room=standup`, {
      redirect: 'manual',
      headers: { 'x-saml2jwt-proxy-secret': proxySecret, mail: 'alice@uni.example', displayname: 'Alice' },
    });
    expect(res.status).to.equal(302);
    const location = new URL(res.headers.get('location') ?? '');
    expect(`${location.origin}${location.pathname}`).to.equal('https://meet.example.test:8443/standup');
    const token = clientTokenOf(location.href);
    const prosody = { secret: appSecret, acceptedIssuers: [env.JWT_APP_ID], acceptedAudiences: ['*'], xmppDomain: 'meet.jitsi', domainVerification: true };
    const verdict = prosodyAccepts(token, { ...prosody, room: 'standup' });
    expect(verdict, JSON.stringify(verdict)).to.include({ ok: true });
    expect(prosodyAccepts(token, { ...prosody, room: 'other' })).to.include({ ok: false });
  });

  it('keeps the backend mint API off by default', async () => {
    const res = await fetch(`${backend}/getToken?room=standup`);
    expect(res.status).to.equal(404);
    expect(await res.text()).not.to.match(/eyJ[\w-]+\.[\w-]+\.[\w-]+/);
  });

  it('stops cleanly and promptly on docker stop (SIGTERM)', async () => {
    const start = Date.now();
    await docker(['stop', '--time', '20', container]);
    const seconds = (Date.now() - start) / 1000;
    expect((await docker(['inspect', '--format', '{{.State.ExitCode}}', container])).trim()).to.equal('0');
    expect(seconds).to.be.below(10);
  });
});
