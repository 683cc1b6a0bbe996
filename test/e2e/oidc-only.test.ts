// OpenID Connect alone (SP_LOGIN=oidc), live: Chromium -> Jitsi stand-in -> SP (Apache +
// mod_auth_openidc, no shibd) -> the test provider -> SP -> the real sidecar -> the meeting with a
// token Prosody's rules accept. No choice page, nothing of SAML answers, the health check needs no
// shibd, and logout ends the session.
import { expect } from 'chai';
import { existsSync, readFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { clientJwtFromUrl } from '../support/jitsi-client';
import { gotoPastHostNetworkChanges, newContext, tokenAuthUrl } from './support/browser';
import { httpGet } from './support/http-request';
import { silentLogout } from './support/inline-client';
import { JWT_PATTERN } from './support/login-attempt';
import { ensureSidecarBuilt } from './support/sidecar';
import { runHealthcheck } from './support/sp';
import { startStack, type Stack } from './support/stack';
import { acceptedUser, prosodyCheck } from './support/verify-token';

const APP_ID = 'saml2jwt-e2e-oidc-only';
const APP_SECRET = randomBytes(32).toString('hex');
const XMPP_DOMAIN = 'meet.jitsi';

describe('e2e: OpenID Connect alone (SP_LOGIN=oidc: Chromium, Apache + mod_auth_openidc without shibd, oidc-provider, sidecar)', function () {
  this.timeout(90000);
  let stack: Stack;
  let publicOrigin: string;
  let issuer: string;
  const verify = prosodyCheck(APP_ID, APP_SECRET, XMPP_DOMAIN);

  before(async function () {
    this.timeout(240000);
    ensureSidecarBuilt();
    stack = await startStack({ backend: { appId: APP_ID, appSecret: APP_SECRET, xmppDomain: XMPP_DOMAIN }, spLogin: 'oidc' });
    publicOrigin = new URL(stack.publicUrl).origin;
    issuer = stack.op!.issuer;
  });

  after(async function () {
    this.timeout(30000);
    if (stack) await stack.stop();
  });

  beforeEach(() => {
    stack.op!.user = { sub: 'op-user-1', name: 'Olive Provider', email: 'olive@staff.example.test', email_verified: true };
  });

  /** Opens `url` in a page of `context` and follows it until it settles on the public site (or not). */
  async function follow(context: BrowserContext, url: string): Promise<{ page: Page; navigations: string[]; statuses: Array<[string, number]>; authRequests: number }> {
    const before = stack.op!.authRequests;
    const page = await context.newPage();
    const navigations: string[] = [];
    const statuses: Array<[string, number]> = [];
    page.on('request', (r) => {
      if (r.isNavigationRequest() && r.frame() === page.mainFrame()) navigations.push(r.url());
    });
    page.on('response', (r) => {
      if (r.request().isNavigationRequest() && r.frame() === page.mainFrame()) statuses.push([r.url(), r.status()]);
    });
    await gotoPastHostNetworkChanges(page, url);
    await page.waitForURL((u) => u.origin === publicOrigin && !u.pathname.startsWith('/saml2jwt/'), { timeout: 15000 }).catch(() => undefined);
    await page.waitForLoadState('load').catch(() => undefined);
    return { page, navigations, statuses, authRequests: stack.op!.authRequests - before };
  }

  function userOf(page: Page, room: string): Record<string, unknown> {
    const { jwt } = clientJwtFromUrl(page.url());
    expect(jwt, page.url()).to.match(JWT_PATTERN);
    return acceptedUser(verify, String(jwt), room);
  }

  it('TOKEN_AUTH_URL goes straight to the provider (no choice page) and lands in the meeting with a token for "<sub>@<issuer>"', async () => {
    const context = await newContext(stack.browser);
    try {
      const a = await follow(context, tokenAuthUrl(stack.publicUrl, 'OnlyRoom', ''));
      expect(a.authRequests, 'authorization requests').to.equal(1);
      // The SP's first answer is the redirect to the provider, not a page of its own.
      expect(a.statuses[0]?.[1], JSON.stringify(a.statuses)).to.equal(302);
      expect(new URL(a.navigations[1] ?? '').origin, a.navigations.join('\n')).to.equal(issuer);
      expect(a.navigations.filter((u) => new URL(u).pathname.includes('/saml2jwt/saml/'))).to.deep.equal([]);
      expect(new URL(a.page.url()).pathname).to.equal('/OnlyRoom');
      expect(userOf(a.page, 'onlyroom')).to.include({ id: `op-user-1@${issuer}`, name: 'Olive Provider', email: 'olive@staff.example.test' });
    } finally {
      await context.close();
    }
  });

  it('no shibd and nothing of SAML: no shibboleth2.xml, mod_shib not loaded, and Shibboleth\'s handler paths do not answer as SAML', async () => {
    expect(existsSync(join(stack.spLayout.shibConfigDir, 'shibboleth2.xml'))).to.equal(false);
    expect(existsSync(join(stack.spLayout.shibRunDir, 'shibd.sock'))).to.equal(false);
    expect(readFileSync(join(stack.spLayout.apacheConfigDir, 'saml2jwt-login.conf'), 'utf8').trim()).to.equal('Define SAML2JWT_OIDC');
    const sp = `http://127.0.0.1:${stack.sp.port}/saml2jwt/Shibboleth.sso`;
    for (const path of ['/Metadata', '/Status', '/Session', '/Login?target=%2Fsaml2jwt%2FredirectWithToken', '/Logout', '/SAML2/POST']) {
      // Without a session: mod_auth_openidc sends a browser (Accept: text/html; else 401) to the
      // provider, as for any path under /saml2jwt/. (Host as Jitsi's nginx sends it.)
      const anonymous = await httpGet(`${sp}${path}`, { accept: 'text/html', host: new URL(stack.publicUrl).host, 'x-forwarded-proto': 'https' });
      expect(anonymous.status, path).to.equal(302);
      expect(String(anonymous.headers.location), path).to.match(new RegExp(`^${issuer.replace(/[.]/g, '\\.')}/auth\\?`));
      expect(anonymous.body, path).not.to.match(/EntityDescriptor|<OK\/>|SAMLRequest|shibsession/i);
    }
    // With an OpenID Connect session: nothing there either (no handler, not the sidecar).
    const context = await newContext(stack.browser);
    try {
      await follow(context, tokenAuthUrl(stack.publicUrl, 'ShibPaths', ''));
      const page = await context.newPage();
      for (const path of ['/Metadata', '/Status', '/Session']) {
        const response = await page.goto(`${stack.publicUrl}/saml2jwt/Shibboleth.sso${path}`);
        expect(response?.status(), path).to.equal(404);
        expect(await page.content(), path).not.to.match(/EntityDescriptor|<OK\/>|Miscellaneous|Session Expiration/i);
      }
    } finally {
      await context.close();
    }
  });

  it("ignores identity headers a client sends: the token is for the provider's user", async () => {
    stack.op!.user = { sub: 'op-user-3', name: 'Plain User', email: 'plain@staff.example.test', email_verified: true };
    const context = await newContext(stack.browser, {
      'oidc-sub': `admin@${issuer}`,
      'oidc-issuer': issuer,
      mail: 'admin@staff.example.test',
      displayname: 'Admin',
      eppn: 'admin@example.test',
      'shib-identity-provider': 'https://idp.example.test/evil',
      'x-saml2jwt-proxy-secret': stack.proxySecret,
    });
    try {
      const a = await follow(context, tokenAuthUrl(stack.publicUrl, 'Spoofed', ''));
      const user = userOf(a.page, 'spoofed');
      expect(user).to.include({ id: `op-user-3@${issuer}`, name: 'Plain User', email: 'plain@staff.example.test' });
    } finally {
      await context.close();
    }
  });

  it('the health check is healthy without shibd; with Apache gone it says so', async () => {
    const healthy = await runHealthcheck(stack.spLayout, stack.sp.port, { SP_LOGIN: 'oidc' });
    expect(healthy.code, healthy.stderr).to.equal(0);
    expect(healthy.stderr).to.equal('');
    await stack.group.stop('sp-apache');
    try {
      const down = await runHealthcheck(stack.spLayout, stack.sp.port, { SP_LOGIN: 'oidc' });
      expect(down.code).to.equal(1);
      expect(down.stderr).to.include(`unhealthy: Apache (http://127.0.0.1:${stack.sp.port}/) did not answer`);
    } finally {
      await stack.restartSp({});
    }
    expect((await runHealthcheck(stack.spLayout, stack.sp.port, { SP_LOGIN: 'oidc' })).code).to.equal(0);
  });

  it("tokenLogoutUrl (/saml2jwt/logout) as a page ends the session and the provider's: a token again asks the provider again", async () => {
    const context = await newContext(stack.browser);
    try {
      const first = await follow(context, tokenAuthUrl(stack.publicUrl, 'Before', ''));
      expect(userOf(first.page, 'before')).to.include({ id: `op-user-1@${issuer}` });
      const alive = await follow(context, tokenAuthUrl(stack.publicUrl, 'Alive', ''));
      expect(alive.authRequests, 'renewal with the session alive').to.equal(0);
      userOf(alive.page, 'alive');

      const endSessions = stack.op!.endSessionRequests;
      const logout = await context.newPage();
      await logout.goto(`${stack.publicUrl}/saml2jwt/logout`);
      await logout.waitForURL((u) => u.pathname === '/saml2jwt/loggedOut', { timeout: 15000 });
      expect(stack.op!.endSessionRequests - endSessions, "the provider's end-session endpoint").to.equal(1);

      const after = await follow(context, tokenAuthUrl(stack.publicUrl, 'After', ''));
      expect(after.authRequests, 'a new authorization request').to.equal(1);
      expect(userOf(after.page, 'after')).to.include({ id: `op-user-1@${issuer}` });
    } finally {
      await context.close();
    }
  });

  it("Jitsi's silent logout (hidden iframe) on tokenLogoutUrl: logout-success, the SP's session ends, the provider is not framed", async () => {
    const context = await newContext(stack.browser);
    try {
      const first = await follow(context, tokenAuthUrl(stack.publicUrl, 'Framed', ''));
      userOf(first.page, 'framed');
      const endSessions = stack.op!.endSessionRequests;
      expect(await silentLogout(first.page, `${stack.publicUrl}/saml2jwt/logout`, 8000)).to.equal('logout-success');
      expect(stack.op!.endSessionRequests - endSessions, "the provider's end-session endpoint").to.equal(0);
      const after = await follow(context, tokenAuthUrl(stack.publicUrl, 'AfterFrame', ''));
      expect(after.authRequests, 'a new authorization request').to.equal(1);
      userOf(after.page, 'afterframe');
    } finally {
      await context.close();
    }
  });
});
