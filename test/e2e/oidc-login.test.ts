// OpenID Connect beside SAML (SP_LOGIN=both), live: Chromium -> Jitsi stand-in -> the choice page
// -> SP (Apache + mod_auth_openidc) -> the test provider (oidc-provider, its own CA) -> SP -> the
// real sidecar -> the meeting with a token Prosody's rules accept; and SAML from the same page.
import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { clientJwtFromUrl } from '../support/jitsi-client';
import { gotoPastHostNetworkChanges, newContext, submitIdpLogin, tokenAuthUrl } from './support/browser';
import { installInlineClient, loginOutcome, receivedMessages, silentLogout } from './support/inline-client';
import { JWT_PATTERN } from './support/login-attempt';
import { jitsiState } from '../support/test-sidecar';
import { startOp } from './support/oidc-op';
import { makeCa } from './support/tls-ca';
import { freePort } from './support/ports';
import { sidecarLog } from './support/sidecar-audit';
import { ensureSidecarBuilt } from './support/sidecar';
import { ensureDir } from './support/sp';
import { acceptedUser, prosodyCheck } from './support/verify-token';
import { startStack, type Stack } from './support/stack';

const APP_ID = 'saml2jwt-e2e';
const APP_SECRET = randomBytes(32).toString('hex');
const XMPP_DOMAIN = 'meet.jitsi';

// Groups from the provider make moderators, but only with the provider named (issuer:).
const POLICY = `
default: allow
rules:
  - name: OIDC staff are moderators
    match:
      - { issuer: "{{OIDC_ISSUER}}" }
      - { attribute: groups, equals: staff }
    moderator: true
`;

interface Claims {
  context: { user: Record<string, unknown> };
}

describe('e2e: OpenID Connect beside SAML (Chromium, Apache + mod_auth_openidc + shibd, oidc-provider, sidecar)', function () {
  this.timeout(120000);
  let stack: Stack;
  let publicOrigin: string;
  let issuer: string;
  const verify = prosodyCheck(APP_ID, APP_SECRET, XMPP_DOMAIN);

  before(async function () {
    this.timeout(240000);
    ensureSidecarBuilt();
    // The policy names the provider's issuer ({{OIDC_ISSUER}}), known once the provider runs.
    stack = await startStack({ backend: { appId: APP_ID, appSecret: APP_SECRET, xmppDomain: XMPP_DOMAIN, policy: POLICY }, spLogin: 'both' });
    publicOrigin = new URL(stack.publicUrl).origin;
    issuer = stack.op!.issuer;
  });

  after(async function () {
    this.timeout(30000);
    if (stack) await stack.stop();
  });

  beforeEach(() => {
    stack.op!.user = { sub: 'op-user-1', name: 'Olive Provider', email: 'olive@staff.example.test', email_verified: true, groups: ['staff', 'it'] };
  });

  const tokenAuth = (room: string): string => tokenAuthUrl(stack.publicUrl, room, '');

  /** Follows the flow in a fresh browser until it settles; `choose` clicks a link of the choice page. */
  async function attempt(url: string, choose: 'oidc' | 'saml', context?: BrowserContext): Promise<{ page: Page; navigations: string[]; statuses: number[]; close(): Promise<void> }> {
    const ctx = context ?? (await newContext(stack.browser));
    const page = await ctx.newPage();
    const navigations: string[] = [];
    const statuses: number[] = [];
    // Every URL the main frame asked for, redirects included.
    page.on('request', (r) => {
      if (r.isNavigationRequest() && r.frame() === page.mainFrame()) navigations.push(r.url());
    });
    page.on('response', (r) => {
      if (r.request().isNavigationRequest() && r.frame() === page.mainFrame()) statuses.push(r.status());
    });
    await gotoPastHostNetworkChanges(page, url);
    await page.click(`#login-${choose}`);
    if (choose === 'saml') await submitIdpLogin(page, 'alice', 'alice-pass');
    await page.waitForURL((u) => u.origin === publicOrigin && !u.pathname.startsWith('/saml2jwt/'), { timeout: 15000 }).catch(() => undefined);
    await page.waitForLoadState('load').catch(() => undefined);
    return { page, navigations, statuses, close: () => (context ? Promise.resolve() : ctx.close()) };
  }

  function tokenOf(page: Page): string {
    const { jwt } = clientJwtFromUrl(page.url());
    if (!jwt) throw new Error(`no token at ${page.url()}`);
    return jwt;
  }

  const userOf = (token: string, room: string): Record<string, unknown> => acceptedUser(verify, token, room);

  const issued = (): number => sidecarLog(stack.dir).filter((l) => l.event === 'token_issued').length;

  it('TOKEN_AUTH_URL shows a choice page whose two links carry the request, escaped', async () => {
    const context = await newContext(stack.browser);
    try {
      const page = await context.newPage();
      const url = `${tokenAuth('ChoiceRoom')}&x=%22%3E%3Cb%3E`;
      const response = await page.goto(url);
      // (a net::ERR_NETWORK_CHANGED here is the host's docker; see gotoPastHostNetworkChanges)
      expect(response?.status()).to.equal(200);
      expect(response?.headers()['content-security-policy']).to.include("default-src 'none'");
      const query = new URL(url).search;
      expect(await page.getAttribute('#login-oidc', 'href')).to.equal(`oidc/redirectWithToken${query}`);
      expect(await page.getAttribute('#login-saml', 'href')).to.equal(`saml/redirectWithToken${query}`);
      expect(await page.$('b'), 'no markup from the query').to.equal(null);
    } finally {
      await context.close();
    }
  });

  it('an OpenID Connect login lands in the meeting with a token for "<sub>@<issuer>", the verified mail and the groups policy', async () => {
    const a = await attempt(tokenAuth('OidcRoom'), 'oidc');
    try {
      expect(a.navigations.some((u) => u.startsWith(`${issuer}/`)), a.navigations.join('\n')).to.equal(true);
      const user = userOf(tokenOf(a.page), 'oidcroom');
      expect(user).to.include({ id: `op-user-1@${issuer}`, name: 'Olive Provider', email: 'olive@staff.example.test', moderator: true });
      // The authorization request used PKCE S256 and a state and a nonce (mod_auth_openidc's own checks).
      const auth = a.navigations.map((u) => new URL(u)).find((u) => u.origin === issuer && u.pathname === '/auth');
      expect(auth?.searchParams.get('code_challenge_method')).to.equal('S256');
      expect(auth?.searchParams.get('state')).to.match(/.{16,}/);
      expect(auth?.searchParams.get('nonce')).to.match(/.{16,}/);
    } finally {
      await a.close();
    }
  });

  it('SAML from the same choice page still works', async () => {
    const a = await attempt(tokenAuth('SamlRoom'), 'saml');
    try {
      const user = userOf(tokenOf(a.page), 'samlroom');
      expect(user).to.include({ email: 'alice@example.test' });
      expect(String(user.id)).not.to.include(issuer);
    } finally {
      await a.close();
    }
  });

  it('passes no mail the provider did not verify (email_verified: false)', async () => {
    stack.op!.user = { sub: 'op-user-2', name: 'Una Verified', email: 'boss@staff.example.test', email_verified: false };
    const a = await attempt(tokenAuth('Unverified'), 'oidc');
    try {
      const user = userOf(tokenOf(a.page), 'unverified');
      expect(user).to.include({ id: `op-user-2@${issuer}`, name: 'Una Verified' });
      expect(user).not.to.have.property('email');
    } finally {
      await a.close();
    }
  });

  it('ignores identity headers a client sends: the token is for the provider\'s user', async () => {
    const context = await newContext(stack.browser, {
      'oidc-sub': `admin@${issuer}`,
      'oidc-issuer': issuer,
      mail: 'admin@staff.example.test',
      'oidc-groups': 'staff',
      'shib-identity-provider': 'https://idp.example.test/evil',
    });
    stack.op!.user = { sub: 'op-user-3', name: 'Plain User', email: 'plain@staff.example.test', email_verified: true };
    try {
      const a = await attempt(tokenAuth('Spoofed'), 'oidc', context);
      const user = userOf(tokenOf(a.page), 'spoofed');
      expect(user).to.include({ id: `op-user-3@${issuer}`, email: 'plain@staff.example.test' });
      expect(user).not.to.have.property('moderator', true);
    } finally {
      await context.close();
    }
  });

  it('app hand-over: the iOS, Electron and Android links carry the token as with SAML', async () => {
    const host = new URL(stack.publicUrl).host;
    const schemes = { ios: 'org.jitsi.meet', electron: 'jitsi-meet', android: 'intent' } as const;
    for (const app of ['ios', 'electron', 'android'] as const) {
      const context = await newContext(stack.browser);
      try {
        const page = await context.newPage();
        await gotoPastHostNetworkChanges(page, `${stack.publicUrl}/saml2jwt/redirectWithToken?room=AppRoom&state=${jitsiState({ room: 'AppRoom', tenant: 'acme', [app]: true })}`);
        await page.click('#login-oidc');
        const link = String(await page.getAttribute('#open', 'href', { timeout: 15000 }));
        expect(link.startsWith(`${schemes[app]}://${host}/acme/AppRoom`), link).to.equal(true);
        const { jwt, from } = clientJwtFromUrl(link);
        expect(from, link).to.equal(app === 'android' ? 'search' : 'hash');
        if (app === 'android') expect(link.endsWith('#Intent;scheme=org.jitsi.meet;package=org.jitsi.meet;end'), link).to.equal(true);
        const verdict = verify(String(jwt), 'approom', 'acme');
        expect(verdict, `${app}: ${JSON.stringify(verdict)}`).to.have.property('ok', true);
        expect(verdict.ok && (verdict.claims as unknown as Claims).context.user).to.include({ id: `op-user-1@${issuer}` });
      } finally {
        await context.close();
      }
    }
  });

  describe('Jitsi\'s inline popup and logout, with OpenID Connect', function () {
    let context: BrowserContext;
    let page: Page;
    /** tokenLogoutUrl as setup writes it with OpenID Connect on: the SP's own logout page (oidc.conf). */
    const tokenLogoutUrl = (): string => `${stack.publicUrl}/saml2jwt/logout`;
    before(async () => {
      context = await newContext(stack.browser);
      page = await context.newPage();
      await page.goto(`${stack.publicUrl}/acme/InlineRoom`);
      await installInlineClient(page, tokenAuthUrl(stack.publicUrl, 'InlineRoom', 'acme'));
    });
    after(async () => {
      await context.close();
    });

    /** Clicks "log in", then the OpenID Connect link of the choice page in the popup. */
    async function clickOidcLogin(): Promise<{ token?: string; popupClosed: boolean; authRequests: number }> {
      const before = stack.op!.authRequests;
      const popupOpened = context.waitForEvent('page');
      await page.click('#login');
      const popup = await popupOpened;
      await popup.click('#login-oidc');
      const outcome = await loginOutcome(page);
      if (!popup.isClosed()) await popup.waitForEvent('close', { timeout: 5000 }).catch(() => undefined);
      return { token: 'token' in outcome ? outcome.token : undefined, popupClosed: popup.isClosed(), authRequests: stack.op!.authRequests - before };
    }

    /** Clicks "log in", then the SAML link of the choice page; signs in at the IdP only if it asks. */
    async function clickSamlLogin(): Promise<{ token?: string; askedIdp: boolean }> {
      const popupOpened = context.waitForEvent('page');
      await page.click('#login');
      const popup = await popupOpened;
      await popup.click('#login-saml');
      const outcome = loginOutcome(page);
      const form = popup.waitForSelector('#username', { timeout: 15000 }).then(() => true, () => false);
      const askedIdp = await Promise.race([outcome.then(() => false), form]);
      if (askedIdp) await submitIdpLogin(popup, 'alice', 'alice-pass');
      const settled = await outcome;
      return { token: 'token' in settled ? settled.token : undefined, askedIdp };
    }

    it('log in: popup -> choice page -> provider -> the page receives a token for its room and tenant; the popup closes', async () => {
      const click = await clickOidcLogin();
      expect(click.authRequests, 'authorization requests at the provider').to.equal(1);
      expect(click.token, 'a token by postMessage').to.be.a('string');
      const verdict = verify(click.token!, 'inlineroom', 'acme');
      expect(verdict, JSON.stringify(verdict)).to.have.property('ok', true);
      expect(verdict.ok && (verdict.claims as unknown as Claims).context.user).to.include({ id: `op-user-1@${issuer}` });
      expect(verify(click.token!, 'inlineroom', 'other').ok).to.equal(false);
      expect(click.popupClosed).to.equal(true);
      expect(page.url()).to.equal(`${stack.publicUrl}/acme/InlineRoom`);
      expect((await receivedMessages(page)).map((m) => m.origin)).to.deep.equal([stack.publicUrl]);
    });

    it("Jitsi's silent logout (hidden iframe) on tokenLogoutUrl: logout-success, the SP's OpenID Connect and SAML sessions end, the provider is not framed", async () => {
      const renewal = await clickOidcLogin();
      expect(renewal.authRequests, 'renewal with the session alive').to.equal(0);
      const saml = await clickSamlLogin();
      expect(saml.token, 'a SAML session beside it').to.be.a('string');
      expect((await clickSamlLogin()).askedIdp, 'the SAML session is alive').to.equal(false);
      const endSessions = stack.op!.endSessionRequests;
      expect(await silentLogout(page, tokenLogoutUrl(), 8000)).to.equal('logout-success');
      // The provider's end-session page cannot work in a cross-site frame: not sent there.
      expect(stack.op!.endSessionRequests - endSessions, "the provider's end-session endpoint").to.equal(0);
      const next = await clickOidcLogin();
      expect(next.authRequests, 'a new authorization request').to.equal(1);
      expect(verify(next.token!, 'inlineroom', 'acme').ok).to.equal(true);
      const nextSaml = await clickSamlLogin();
      expect(nextSaml.askedIdp, 'the IdP asks again: the SAML session ended too').to.equal(true);
      expect(nextSaml.token).to.be.a('string');
    });

    it("tokenLogoutUrl as a page (top level) reaches the provider's end-session endpoint and the signed-out page; the next login asks the provider again", async () => {
      const renewal = await clickOidcLogin();
      // (the session alive: mod_auth_openidc asks the provider nothing)
      expect(renewal.authRequests, 'renewal with the session alive').to.equal(0);
      expect(renewal.token).to.be.a('string');
      const endSessions = stack.op!.endSessionRequests;
      const logout = await context.newPage();
      try {
        const response = await logout.goto(tokenLogoutUrl());
        // (the page itself: framed only by Jitsi's page, its one script allowed by hash)
        expect(response?.headers()['content-security-policy']).to.match(new RegExp(`script-src 'sha256-[A-Za-z0-9+/]+=*'; connect-src 'self';.*frame-ancestors 'self' ${stack.publicUrl}$`));
        await logout.waitForURL((u) => u.pathname === '/saml2jwt/loggedOut', { timeout: 15000 });
      } finally {
        await logout.close();
      }
      expect(stack.op!.endSessionRequests - endSessions, "the provider's end-session endpoint").to.equal(1);
      const next = await clickOidcLogin();
      expect(next.authRequests, 'a new authorization request').to.equal(1);
      expect(verify(next.token!, 'inlineroom', 'acme').ok).to.equal(true);
    });
  });

  it('refuses a forged state at the redirect URI: no code redeemed, no token', async () => {
    await new Promise((r) => setTimeout(r, 700)); // the sidecar writes its audit lines every 500 ms
    const before = { issued: issued(), redeemed: stack.op!.tokenRequests };
    const context = await newContext(stack.browser);
    try {
      const page = await context.newPage();
      // The provider's answer (a fresh code, the state mod_auth_openidc sent) is held back, and
      // sent on with another state, in the browser that holds the state cookie.
      const navigations: string[] = [];
      page.on('request', (r) => {
        if (r.isNavigationRequest() && r.frame() === page.mainFrame()) navigations.push(r.url());
      });
      stack.op!.holdAnswer = true;
      await gotoPastHostNetworkChanges(page, tokenAuth('Forged'));
      await page.click('#login-oidc');
      await page.waitForURL((u) => u.origin === issuer && u.pathname.startsWith('/auth/'), { timeout: 20000 });
      const held = stack.op!.heldAnswer;
      stack.op!.holdAnswer = false;
      const answer = new URL(held ?? 'about:blank');
      expect(answer.searchParams.get('code'), 'the provider answered with a code').to.match(/.{16,}/);
      const forged = new URL(answer.href);
      forged.searchParams.set('state', 'forged-state-value');
      const response = await page.goto(forged.href);
      await page.waitForLoadState('load').catch(() => undefined);
      await new Promise((r) => setTimeout(r, 700));
      expect(response?.status(), navigations.join('\n')).to.be.at.least(400);
      expect(navigations.filter((u) => /[#&?]jwt=/.test(u))).to.deep.equal([]);
      expect(await page.content()).not.to.match(JWT_PATTERN);
      expect(stack.op!.tokenRequests, 'codes redeemed').to.equal(before.redeemed);
      expect(issued()).to.equal(before.issued);
    } finally {
      stack.op!.holdAnswer = false;
      await context.close();
    }
  });

  it("checks the provider's TLS certificate: with OIDC_TLS_CA naming another CA the SP never sends the browser to the provider", async function () {
    this.timeout(90000);
    const strangerCa = makeCa(ensureDir(join(stack.dir, 'stranger-ca')), 'stranger');
    await new Promise((r) => setTimeout(r, 700)); // the sidecar writes its audit lines every 500 ms
    const before = { issued: issued(), asked: stack.op!.authRequests };
    try {
      await stack.restartSp({ OIDC_TLS_CA: strangerCa.certFile });
      const a = await attempt(tokenAuth('TlsCheck'), 'oidc');
      try {
        expect(a.statuses.at(-1), a.navigations.join('\n')).to.be.at.least(400);
        expect(a.navigations.filter((u) => u.startsWith(issuer)), 'no visit to the provider').to.deep.equal([]);
        expect(stack.op!.authRequests).to.equal(before.asked);
        expect(a.navigations.filter((u) => /[#&?]jwt=/.test(u))).to.deep.equal([]);
        expect(await a.page.content()).not.to.match(JWT_PATTERN);
        expect(issued()).to.equal(before.issued);
      } finally {
        await a.close();
      }
    } finally {
      await stack.restartSp({});
    }
  });

  it('refuses a user of another issuer (wrong_issuer) though the SP was pointed at that provider', async function () {
    this.timeout(90000);
    // A second provider the SP trusts fully (its discovery document, TLS and client match), as a
    // mistaken or tampered OIDC_ISSUER on the SP would: the sidecar still expects the first.
    const other = await startOp({
      dir: ensureDir(join(stack.dir, 'op-other')),
      port: await freePort(),
      redirectUri: `${stack.publicUrl}/saml2jwt/oidc/callback`,
      postLogoutRedirectUri: `${stack.publicUrl}/saml2jwt/loggedOut`,
    });
    const secretFile = join(stack.spLayout.root, 'oidc-client-secret-other');
    writeFileSync(secretFile, other.clientSecret, { mode: 0o440 });
    await new Promise((r) => setTimeout(r, 700)); // the sidecar writes its audit lines every 500 ms
    const before = issued();
    try {
      await stack.restartSp({ OIDC_ISSUER: other.issuer, OIDC_CLIENT_ID: other.clientId, OIDC_CLIENT_SECRET_FILE: secretFile, OIDC_TLS_CA: other.caFile });
      const a = await attempt(tokenAuth('OtherIssuer'), 'oidc');
      try {
        expect(other.tokenRequests, 'the login at the other provider completed').to.equal(1);
        expect(a.statuses.at(-1)).to.equal(403);
        expect(a.navigations.filter((u) => /[#&?]jwt=/.test(u))).to.deep.equal([]);
        expect(issued()).to.equal(before);
        expect(sidecarLog(stack.dir).some((l) => l.reason === 'wrong_issuer')).to.equal(true);
      } finally {
        await a.close();
      }
    } finally {
      await stack.restartSp({});
      await other.close();
    }
  });
});
