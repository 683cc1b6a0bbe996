// Jitsi's inline login (config.tokenAuthInline), live: a page on the public origin runs the web
// client's popup-and-message logic (support/inline-client.ts) in Chromium -> popup -> SP
// (Apache + mod_shib + shibd) -> test IdP (SimpleSAMLphp) -> the real sidecar's popup page ->
// postMessage to the opener. Renewal reuses the SP session; a page on another origin gets
// nothing; silent logout ends both sessions, so the next login asks the IdP again.
import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { newContext, submitIdpLogin, tokenAuthUrl } from './support/browser';
import { installInlineClient, loginOutcome, receivedMessages, silentLogout, type LoginOutcome } from './support/inline-client';
import { freePort } from './support/ports';
import { startPublicSite, type PublicSite } from './support/public-site';
import { ensureSidecarBuilt } from './support/sidecar';
import { prosodyCheck } from './support/verify-token';
import { ensureDir } from './support/sp';
import { startStack, type Stack } from './support/stack';
import { selfSigned } from './support/tls';

const APP_ID = 'saml2jwt-e2e-inline';
const APP_SECRET = randomBytes(32).toString('hex');
const XMPP_DOMAIN = 'meet.jitsi';
const POLICY = `
default: allow
rules:
  - name: no affiliates
    match:
      - { attribute: affiliation, equals: affiliate@example.test }
    allow: false
    reason: "Affiliates may not join."
`;

interface Click {
  outcome: LoginOutcome;
  /** Whether the popup showed the IdP's login form. */
  idpPrompted: boolean;
  popupClosed: boolean;
}

describe('e2e: inline popup login, renewal and silent logout (Chromium, SP, SimpleSAMLphp, sidecar)', function () {
  this.timeout(120000);
  let stack: Stack;
  let other: PublicSite;
  let otherOrigin: string;

  before(async function () {
    this.timeout(240000);
    ensureSidecarBuilt();
    stack = await startStack({ backend: { appId: APP_ID, appSecret: APP_SECRET, xmppDomain: XMPP_DOMAIN, policy: POLICY } });
    // Another site, also proxying /saml2jwt/ to the SP: only its origin differs.
    const port = await freePort();
    other = await startPublicSite(selfSigned(ensureDir(join(stack.dir, 'other-tls')), 'other.example.test'), port, stack.sp.port);
    otherOrigin = `https://other.example.test:${port}`;
  });

  after(async function () {
    this.timeout(30000);
    if (other) await other.close();
    if (stack) await stack.stop();
  });

  const verify = prosodyCheck(APP_ID, APP_SECRET, XMPP_DOMAIN);

  /** The SP's logout with its return to our signed-out page: the tokenLogoutUrl setup writes. */
  const tokenLogoutUrl = (): string =>
    `${stack.publicUrl}/saml2jwt/Shibboleth.sso/Logout?return=${encodeURIComponent(`${stack.publicUrl}/saml2jwt/loggedOut`)}`;

  /** A meeting page at `origin` with the inline client for room/tenant on it. */
  async function meetingPage(context: BrowserContext, origin: string, room: string, tenant: string): Promise<Page> {
    const page = await context.newPage();
    await page.goto(`${origin}/${tenant === '' ? '' : `${tenant}/`}${room}`);
    await installInlineClient(page, tokenAuthUrl(stack.publicUrl, room, tenant));
    return page;
  }

  /** Clicks "log in"; signs in at the IdP if its form appears and credentials are given. */
  async function clickLogin(page: Page, user?: string, password?: string): Promise<Click> {
    const popupOpened = page.context().waitForEvent('page');
    await page.click('#login');
    const popup = await popupOpened;
    let idpPrompted = false;
    popup.on('framenavigated', (frame) => {
      if (frame === popup.mainFrame() && new URL(frame.url()).hostname === 'idp.example.test') idpPrompted = true;
    });
    if (user !== undefined && password !== undefined) await submitIdpLogin(popup, user, password);
    const outcome = await loginOutcome(page);
    if (!popup.isClosed()) await popup.waitForEvent('close', { timeout: 5000 }).catch(() => undefined);
    return { outcome, idpPrompted, popupClosed: popup.isClosed() };
  }

  const tokenOf = (click: Click): string => {
    if (!('token' in click.outcome)) throw new Error(`no token: ${JSON.stringify(click.outcome)}`);
    return click.outcome.token;
  };

  describe('in one browser', function () {
    let context: BrowserContext;
    let page: Page;
    const meetingUrl = (): string => `${stack.publicUrl}/acme/TeamRoom`;
    before(async () => {
      context = await newContext(stack.browser);
      page = await meetingPage(context, stack.publicUrl, 'TeamRoom', 'acme');
    });
    after(async () => {
      await context.close();
    });

    it('log in: popup -> IdP form -> the page receives a token for its room and tenant; the popup closes, the page stays', async function () {
      const click = await clickLogin(page, 'alice', 'alice-pass');
      expect(click.idpPrompted).to.equal(true);
      const token = tokenOf(click);
      const verdict = verify(token, 'teamroom', 'acme');
      expect(verdict, JSON.stringify(verdict)).to.have.property('ok', true);
      expect(verify(token, 'teamroom', 'other').ok).to.equal(false);
      expect(click.popupClosed).to.equal(true);
      expect(page.url()).to.equal(meetingUrl());
      expect(await page.evaluate('sessionStorage.getItem("oauth_nonce")')).to.equal(null);
    });

    it('renewal: a second click with the SP session alive gets a new token, no IdP page', async function () {
      const first = (await receivedMessages(page)).find((m) => (m.data as { type?: string }).type === 'oauth-success');
      const click = await clickLogin(page);
      expect(click.idpPrompted).to.equal(false);
      const token = tokenOf(click);
      expect(token).not.to.equal((first?.data as { accessToken?: string } | undefined)?.accessToken);
      expect(verify(token, 'teamroom', 'acme').ok).to.equal(true);
      expect(click.popupClosed).to.equal(true);
      // Every message the page got came from its own origin.
      expect((await receivedMessages(page)).map((m) => m.origin)).to.deep.equal([stack.publicUrl, stack.publicUrl]);
    });

    it('a page on another origin opening the same URL receives nothing; the popup closes', async function () {
      const foreign = await meetingPage(context, otherOrigin, 'TeamRoom', 'acme');
      const click = await clickLogin(foreign);
      expect(click.outcome).to.deep.equal({ cancelled: true });
      expect(click.idpPrompted).to.equal(false);
      expect(click.popupClosed).to.equal(true);
      expect(await receivedMessages(foreign)).to.deep.equal([]);
      expect(JSON.stringify(await foreign.evaluate('document.documentElement.outerHTML'))).not.to.match(/eyJ[\w-]+\.[\w-]+\./);
      await foreign.close();
    });

    it('silent logout: the hidden iframe gets logout-success, and the next login shows the IdP form again', async function () {
      expect(await silentLogout(page, tokenLogoutUrl(), 30000)).to.equal('logout-success');
      expect(page.url()).to.equal(meetingUrl());
      const click = await clickLogin(page, 'alice', 'alice-pass');
      expect(click.idpPrompted).to.equal(true);
      expect(verify(tokenOf(click), 'teamroom', 'acme').ok).to.equal(true);
    });
  });

  it('a refused user: the page gets oauth-error with the reason code, no token', async function () {
    const context = await newContext(stack.browser);
    try {
      const page = await meetingPage(context, stack.publicUrl, 'denied', '');
      const popupOpened = context.waitForEvent('page');
      await page.click('#login');
      const popup = await popupOpened;
      await submitIdpLogin(popup, 'eve', 'eve-pass');
      expect(await loginOutcome(page)).to.deep.equal({ error: 'policy_denied' });
      const messages = await receivedMessages(page);
      expect(JSON.stringify(messages)).not.to.match(/eyJ[\w-]+\.[\w-]+\./);
    } finally {
      await context.close();
    }
  });
});
