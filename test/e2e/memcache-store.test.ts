// SP_SESSION_STORE=memcache with a real memcached: sessions and relay state outlive shibd, a
// login survives an SP restart between the AuthnRequest and the IdP's answer, and with memcached
// gone the SP is unhealthy (saying why) and no token is issued; it recovers on its own.
import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { gotoPastHostNetworkChanges, newContext, submitIdpLogin, tokenAuthUrl } from './support/browser';
import { memcachedKeys, startMemcached as startMemcachedIn } from './support/memcached';
import { freePort } from './support/ports';
import { delay, waitFor } from './support/processes';
import { counterTotal, sidecarBackendPort, sidecarLog } from './support/sidecar-audit';
import { ensureSidecarBuilt } from './support/sidecar';
import { healthLogFile, runHealthcheck } from './support/sp';
import { startStack, type Stack } from './support/stack';
import { clientJwtFromUrl } from '../support/jitsi-client';

const JWT_PATTERN = /eyJ[\w-]+\.[\w-]+\.[\w-]+/;

describe('e2e: SP sessions in memcached (SP_SESSION_STORE=memcache)', function () {
  this.timeout(90000);
  let stack: Stack;
  let mcPort: number;
  let publicOrigin: string;
  let sidecarBackend: number;
  let signedIn: BrowserContext;
  /** restartSp renders over the start-time environment: name the store every time. */
  const memcacheEnv = (): Record<string, string> => ({ SP_SESSION_STORE: 'memcache', MEMCACHED_HOSTS: `127.0.0.1:${mcPort}` });

  const startMemcached = (): Promise<void> => startMemcachedIn(stack.group, mcPort);
  const healthcheck = () => runHealthcheck(stack.spLayout, stack.sp.port, { SP_SESSION_STORE: 'memcache', MEMCACHED_HOSTS: `127.0.0.1:${mcPort}` });
  const issuedTotal = () => counterTotal(sidecarBackend, 'saml2jwt_tokens_issued_total');
  /** Every main-frame URL the page visits. */
  const track = (page: Page): string[] => {
    const urls: string[] = [];
    page.on('framenavigated', (f) => {
      if (f === page.mainFrame()) urls.push(f.url());
    });
    return urls;
  };
  const landedWithToken = async (page: Page): Promise<void> => {
    await page.waitForURL((u) => u.origin === publicOrigin && !u.pathname.startsWith('/saml2jwt/'), { timeout: 20000 });
    expect(clientJwtFromUrl(page.url())).to.have.property('jwt').that.matches(JWT_PATTERN);
  };

  before(async function () {
    this.timeout(180000);
    ensureSidecarBuilt();
    stack = await startStack({
      backend: { appId: 'saml2jwt-e2e-memcache', appSecret: randomBytes(32).toString('hex'), xmppDomain: 'meet.jitsi' },
    });
    publicOrigin = new URL(stack.publicUrl).origin;
    await waitFor('the sidecar listening line', () => sidecarLog(stack.dir).some((l) => l.msg === 'listening'), 5000);
    sidecarBackend = sidecarBackendPort(stack.dir);
    mcPort = await freePort();
    await startMemcached();
    await stack.restartSp(memcacheEnv());
    signedIn = await newContext(stack.browser);
  });

  after(async function () {
    this.timeout(30000);
    if (signedIn) await signedIn.close().catch(() => undefined);
    if (stack) await stack.stop();
  });

  it('healthy; a login gets a token, and its session lives in memcached under this deployment\'s prefix', async function () {
    const check = await healthcheck();
    expect(check.code, check.stderr).to.equal(0);
    const page = await signedIn.newPage();
    await gotoPastHostNetworkChanges(page, tokenAuthUrl(stack.publicUrl, 'first', ''));
    await submitIdpLogin(page, 'alice', 'alice-pass');
    await landedWithToken(page);
    const prefix = /prefix="(saml2jwt-[0-9a-f]{16}:)"/.exec(readFileSync(join(stack.spLayout.shibConfigDir, 'shibboleth2.xml'), 'utf8'))?.[1];
    expect(prefix).to.be.a('string');
    const keys = await memcachedKeys(mcPort);
    expect(keys.some((k) => k.startsWith(prefix as string)), keys.join('\n')).to.equal(true);
  });

  it('an SP restart keeps the session: the signed-in browser gets a token without visiting the IdP', async function () {
    await stack.restartSp(memcacheEnv());
    const page = await signedIn.newPage();
    const visited = track(page);
    await gotoPastHostNetworkChanges(page, tokenAuthUrl(stack.publicUrl, 'afterrestart', ''));
    await landedWithToken(page);
    expect(visited.filter((u) => u.includes(stack.idp.entityId.split('/')[2] as string))).to.deep.equal([]);
  });

  it('an SP restart between the AuthnRequest and the IdP\'s answer: the login still completes (relay state and request in memcached)', async function () {
    const context = await newContext(stack.browser);
    try {
      const page = await context.newPage();
      await gotoPastHostNetworkChanges(page, tokenAuthUrl(stack.publicUrl, 'midlogin', ''));
      await page.waitForSelector('#username', { timeout: 15000 });
      await stack.restartSp(memcacheEnv()); // the SP that sent the AuthnRequest is gone
      await submitIdpLogin(page, 'bob', 'bob-pass');
      await landedWithToken(page);
      expect(new URL(page.url()).pathname).to.equal('/midlogin');
    } finally {
      await context.close();
    }
  });

  it('memcached killed: the health check fails at once, saying why; no browser gets a token', async function () {
    const issuedBefore = await issuedTotal();
    const pid = stack.group.pid('memcached') as number;
    expect(readFileSync(`/proc/${pid}/cmdline`, 'utf8')).to.include('memcached');
    process.kill(pid, 'SIGKILL');
    await stack.group.stop('memcached', 0);

    const check = await healthcheck();
    expect(check.code).to.equal(1);
    expect(check.stderr).to.include(`unhealthy: memcached 127.0.0.1:${mcPort} does not answer`);
    expect(readFileSync(healthLogFile(stack.spLayout), 'utf8')).to.include('memcached');

    for (const context of [signedIn, await newContext(stack.browser)]) {
      const page = await context.newPage();
      const visited = track(page);
      await page.goto(tokenAuthUrl(stack.publicUrl, 'nomemcached', ''), { timeout: 20000 }).catch(() => undefined);
      await page.waitForLoadState('load');
      if ((await page.locator('#username').count().catch(() => 0)) > 0) {
        await submitIdpLogin(page, 'alice', 'alice-pass');
        await page.waitForLoadState('load');
      }
      await delay(1000);
      expect(visited.filter((u) => u.includes('jwt=')), 'navigations with a token').to.deep.equal([]);
      expect(await page.content()).not.to.match(JWT_PATTERN);
      if (context !== signedIn) await context.close();
    }
    await delay(1200); // past the sidecar's audit flush
    expect(await issuedTotal()).to.equal(issuedBefore);
  });

  it('memcached back: healthy again and logins work with no manual step (the old sessions are gone: users sign in again)', async function () {
    await startMemcached();
    await waitFor('the health check to pass again', async () => (await healthcheck()).code === 0, 60000);
    expect(readFileSync(healthLogFile(stack.spLayout), 'utf8').trim().split('\n').at(-1)).to.match(/healthy$/);
    const page = await signedIn.newPage();
    const visited = track(page);
    await gotoPastHostNetworkChanges(page, tokenAuthUrl(stack.publicUrl, 'recovered', ''));
    // The IdP still knows the user (its own session): it may answer without the form.
    await Promise.race([
      page.waitForSelector('#username', { timeout: 20000 }).then(() => submitIdpLogin(page, 'alice', 'alice-pass')),
      page.waitForURL((u) => clientJwtFromUrl(u.href).jwt !== undefined, { timeout: 20000 }),
    ]);
    await landedWithToken(page);
    expect(visited.some((u) => new URL(u).port === new URL(stack.idp.metadataUrl).port), 'went back to the IdP').to.equal(true);
  });
});
