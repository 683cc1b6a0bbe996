// Fault injection: shibd dies (SIGKILL) while Apache + mod_shib keep running. The SP's own
// health check (the image's HEALTHCHECK command, every 10 s) must fail within one interval,
// and no browser, with or without an SP session, may get a token while the SP cannot vouch
// for anyone.
import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { BrowserContext, Page, Response } from 'playwright-core';
import { newContext, submitIdpLogin, tokenAuthUrl } from './support/browser';
import { httpGet } from './support/http-request';
import { delay, waitFor } from './support/processes';
import { counterTotal, sidecarBackendPort, sidecarLog } from './support/sidecar-audit';
import { ensureSidecarBuilt } from './support/sidecar';
import { healthLogFile, runHealthcheck } from './support/sp';
import { startStack, type Stack } from './support/stack';
import { clientJwtFromUrl } from '../support/jitsi-client';

/** The health check asks shibd's socket directly: it fails at once, not after mod_shib's 5-6 s of retries. */
const HEALTHCHECK_FAILS_WITHIN_MS = 2000;
const JWT_PATTERN = /eyJ[\w-]+\.[\w-]+\.[\w-]+/;

interface Attempt {
  page: Page;
  /** Every response to a /saml2jwt/redirectWithToken request, in order. */
  tokenRouteResponses: Response[];
  navigations: string[];
}

describe('e2e fault: shibd killed while Apache runs (SP health check, no token without the SP)', function () {
  this.timeout(60000);
  let stack: Stack;
  let publicOrigin: string;
  let sidecarBackend: number;
  /** A browser that logged in before the fault and keeps its SP session cookie. */
  let sessionContext: BrowserContext;
  let issuedBeforeKill = 0;
  let auditLinesBeforeKill = 0;
  let sidecarRequestsBeforeKill = 0;

  const healthcheck = () => runHealthcheck(stack.spLayout, stack.sp.port);
  const tokenAuth = (room: string): string => tokenAuthUrl(stack.publicUrl, room, '');
  const issuedTotal = () => counterTotal(sidecarBackend, 'saml2jwt_tokens_issued_total');
  const sidecarTokenRequests = () =>
    counterTotal(sidecarBackend, 'saml2jwt_http_request_duration_seconds_count', 'route="redirectWithToken"');
  const issuedLines = () => sidecarLog(stack.dir).filter((l) => l.event === 'token_issued');

  /** Opens TOKEN_AUTH_URL and waits until the page has settled wherever the SP sent it. */
  async function attempt(context: BrowserContext, url: string): Promise<Attempt> {
    const page = await context.newPage();
    const tokenRouteResponses: Response[] = [];
    const navigations: string[] = [];
    page.on('response', (r) => {
      if (new URL(r.url()).pathname.startsWith('/saml2jwt/redirectWithToken')) tokenRouteResponses.push(r);
    });
    page.on('framenavigated', (frame) => {
      if (frame === page.mainFrame()) navigations.push(frame.url());
    });
    await page.goto(url, { timeout: 20000 });
    await page.waitForLoadState('load');
    return { page, tokenRouteResponses, navigations };
  }

  /** The fault: no token; the one answer is mod_shib's own error page (from Apache, not the proxy in front). */
  async function expectNoToken(a: Attempt): Promise<void> {
    expect(a.tokenRouteResponses.map((r) => r.status()), 'answers to /saml2jwt/redirectWithToken').to.deep.equal([500]);
    const [response] = a.tokenRouteResponses as [Response];
    expect(response.headers().server).to.equal('Apache');
    expect(response.headers().location).to.equal(undefined);
    expect(await response.text()).to.include('Cannot connect to shibd process');
    const landed = new URL(a.page.url());
    expect(landed.origin).to.equal(publicOrigin);
    expect(landed.pathname).to.equal('/saml2jwt/redirectWithToken');
    expect(a.navigations.filter((u) => u.includes('jwt='))).to.deep.equal([]);
    expect(await a.page.content()).not.to.match(JWT_PATTERN);
  }

  before(async function () {
    this.timeout(120000);
    ensureSidecarBuilt();
    stack = await startStack({
      backend: { appId: 'saml2jwt-e2e-fault', appSecret: randomBytes(32).toString('hex'), xmppDomain: 'meet.jitsi' },
    });
    publicOrigin = new URL(stack.publicUrl).origin;
    await waitFor('the sidecar listening line', () => sidecarLog(stack.dir).some((l) => l.msg === 'listening'), 5000);
    sidecarBackend = sidecarBackendPort(stack.dir);
    sessionContext = await newContext(stack.browser);
  });

  after(async function () {
    this.timeout(30000);
    if (sessionContext) await sessionContext.close().catch(() => undefined);
    if (stack) await stack.stop();
  });

  it('with shibd running: the health check passes and a login gets a token (audited, counted)', async function () {
    const check = await healthcheck();
    expect(check.code, check.stderr).to.equal(0);

    const issuedAtStart = await issuedTotal();
    const page = await sessionContext.newPage();
    await page.goto(tokenAuth('beforefault'));
    await submitIdpLogin(page, 'alice', 'alice-pass');
    await page.waitForURL((u) => u.origin === publicOrigin && !u.pathname.startsWith('/saml2jwt/'), { timeout: 20000 });
    expect(clientJwtFromUrl(page.url())).to.have.property('jwt').that.matches(JWT_PATTERN);
    const cookies = await sessionContext.cookies();
    expect(cookies.map((c) => c.name).filter((n) => n.startsWith('_shibsession_'))).to.have.length(1);

    // The audit line is flushed within 500 ms; the counter moves at once.
    await waitFor('the token_issued audit line', () => issuedLines().length === 1, 5000);
    expect(await issuedTotal()).to.equal(issuedAtStart + 1);
    issuedBeforeKill = await issuedTotal();
    auditLinesBeforeKill = issuedLines().length;
    sidecarRequestsBeforeKill = await sidecarTokenRequests();
    expect(sidecarRequestsBeforeKill).to.be.at.least(1);
  });

  it('SIGKILL to shibd alone: the health check fails at once, saying why, while Apache keeps running', async function () {
    // Only this stack's shibd, never another one on the machine.
    const pid = stack.group.pid('shibd') as number;
    expect(pid, 'pid of this stack\'s shibd').to.be.a('number');
    expect(readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0')[0]).to.match(/shibd$/);

    const killedAt = Date.now();
    process.kill(pid, 'SIGKILL');
    await waitFor('shibd to exit', () => {
      try {
        stack.group.assertRunning('shibd');
        return false;
      } catch {
        return true;
      }
    }, 5000);

    // Polled every 250 ms for up to 15 s, so a late failure is measured, not cut off.
    let failedAfterMs: number | undefined;
    let last = { code: 0, stderr: '' };
    for (let i = 0; i < 60 && failedAfterMs === undefined; i++) {
      last = await healthcheck();
      if (last.code !== 0) failedAfterMs = Date.now() - killedAt;
      else await delay(250);
    }
    process.stdout.write(`      (health check failed ${failedAfterMs ?? 'never'} ms after the kill, exit ${last.code})\n`);
    expect(failedAfterMs, 'health check never failed').not.to.equal(undefined);
    expect(failedAfterMs).to.be.at.most(HEALTHCHECK_FAILS_WITHIN_MS);
    expect(last.stderr).to.match(/unhealthy: shibd is not listening on .*shibd\.sock/);
    // The container's log says it once (the check writes there only when its verdict changes).
    const healthLog = readFileSync(healthLogFile(stack.spLayout), 'utf8').trim().split('\n');
    expect(healthLog.at(-1)).to.match(/unhealthy: shibd is not listening/);
    await healthcheck();
    expect(readFileSync(healthLogFile(stack.spLayout), 'utf8').trim().split('\n')).to.have.length(healthLog.length);

    // The fault is shibd alone: Apache's process is alive and still answers.
    expect(() => stack.group.assertRunning('sp-apache')).not.to.throw();
    const status = await httpGet(`http://127.0.0.1:${stack.sp.port}/saml2jwt/Shibboleth.sso/Status`, {}, 20000);
    expect(status.status).to.be.at.least(500);
    expect(status.body).not.to.include('<OK/>');
  });

  it('a fresh browser (no SP session) gets the SP\'s error, not a token', async function () {
    const context = await newContext(stack.browser);
    try {
      await expectNoToken(await attempt(context, tokenAuth('freshafterfault')));
    } finally {
      await context.close();
    }
  });

  it('a browser with an SP session from before the fault gets no token either', async function () {
    const cookies = await sessionContext.cookies();
    expect(cookies.map((c) => c.name).filter((n) => n.startsWith('_shibsession_'))).to.have.length(1);
    await expectNoToken(await attempt(sessionContext, tokenAuth('sessionafterfault')));
  });

  it('the sidecar, still healthy, was not asked and issued nothing after the kill; Apache still runs, the health check still fails', async function () {
    expect((await httpGet(`http://127.0.0.1:${stack.backendPort}/healthz`)).status).to.equal(200);
    await delay(1200); // past the sidecar's 500 ms audit flush
    expect(issuedLines()).to.have.length(auditLinesBeforeKill);
    expect(await issuedTotal()).to.equal(issuedBeforeKill);
    expect(await sidecarTokenRequests()).to.equal(sidecarRequestsBeforeKill);
    expect(() => stack.group.assertRunning('sp-apache')).not.to.throw();
    expect((await healthcheck()).code).not.to.equal(0);
  });
});
