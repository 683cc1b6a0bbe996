// The whole login, live: Chromium -> Jitsi stand-in -> SP (Apache + mod_shib + shibd) ->
// test IdP (SimpleSAMLphp) -> SP -> the real sidecar -> back to the meeting with a token that
// Prosody's rules accept.
import { expect } from 'chai';
import { createHash, randomBytes } from 'node:crypto';
import type { BrowserContext, Page } from 'playwright-core';
import { clientJwtFromUrl, clientMeetingFromPath } from '../support/jitsi-client';
import { newContext, submitIdpLogin, tokenAuthUrl } from './support/browser';
import { httpGet } from './support/http-request';
import { ensureSidecarBuilt } from './support/sidecar';
import { prosodyCheck } from './support/verify-token';
import { startStack, type Stack } from './support/stack';

const APP_ID = 'saml2jwt-e2e';
const APP_SECRET = randomBytes(32).toString('hex');
const XMPP_DOMAIN = 'meet.jitsi';

// The test policy (sidecar/src/policy/load.ts format): eve, an affiliate, is refused;
// the moderator entitlement makes alice an owner.
const POLICY = `
defaults:
  features: { recording: true, livestreaming: false }
default: allow
rules:
  - name: affiliates are refused
    match:
      - { attribute: affiliation, equals: affiliate@example.test }
    allow: false
    reason: "Affiliates may not use this meeting service."
  - name: moderators by entitlement
    match:
      - { idp: "{{IDP_ENTITY_ID}}" }
      - { attribute: entitlement, equals: "urn:mace:example.test:jitsi:moderator" }
    affiliation: owner
    moderator: true
  - name: the staff tenant needs a mail
    tenant: staff
    require: [mail]
  - name: the lab needs medium identity assurance
    tenant: lab
    require: [{ attribute: assurance, equals: "https://refeds.org/assurance/IAP/medium" }]
`;

interface Landing {
  page: Page;
  url: URL;
  token: string;
  /** Whether the IdP's login form was shown on the way. */
  idpPrompted: boolean;
}

interface Refused {
  page: Page;
  status: number;
  body: string;
  /** Every URL the page navigated to (none may carry a token). */
  navigations: string[];
}

describe('e2e: SAML login to a Jitsi token (Chromium, Apache + shibd, SimpleSAMLphp, sidecar)', function () {
  this.timeout(120000);
  let stack: Stack;
  let publicOrigin: string;

  before(async function () {
    this.timeout(240000);
    ensureSidecarBuilt();
    stack = await startStack({ backend: { appId: APP_ID, appSecret: APP_SECRET, xmppDomain: XMPP_DOMAIN, policy: POLICY } });
    publicOrigin = new URL(stack.publicUrl).origin;
  });

  after(async function () {
    this.timeout(30000);
    if (stack) await stack.stop();
  });

  /** The pairwise id the test IdP computes for a user and this SP. */
  const pairwiseId = (uid: string): string =>
    `${createHash('sha256').update(`${uid}|${stack.sp.entityId}|${stack.idpSalt}`).digest('hex').slice(0, 32)}@example.test`;

  const tokenAuth = (room: string, tenant: string): string => tokenAuthUrl(stack.publicUrl, room, tenant);

  /** Opens `url`; logs in at the IdP when its form appears; resolves on the meeting page with a token. */
  async function landWithToken(context: BrowserContext, url: string, user?: string, password?: string): Promise<Landing> {
    const page = await context.newPage();
    let idpPrompted = false;
    page.on('framenavigated', (frame) => {
      if (frame === page.mainFrame() && new URL(frame.url()).hostname === 'idp.example.test') idpPrompted = true;
    });
    await page.goto(url);
    if (user !== undefined && password !== undefined) await submitIdpLogin(page, user, password);
    await page.waitForURL((u) => u.origin === publicOrigin && !u.pathname.startsWith('/saml2jwt/'), { timeout: 20000 });
    const landed = new URL(page.url());
    const { jwt: token, from } = clientJwtFromUrl(landed.href);
    if (!token) throw new Error(`landed without a token: ${landed.href}`);
    // The client reads it from the fragment, which the browser never sends: the meeting page's
    // server saw the request without it.
    expect(from).to.equal('hash');
    expect(stack.site.requests.filter((r) => r.includes(token))).to.deep.equal([]);
    expect(stack.site.requests).to.include(landed.pathname);
    return { page, url: landed, token, idpPrompted };
  }

  /** Opens `url`, logs in, and resolves with the sidecar's refusal (a 4xx page at /saml2jwt/). */
  async function refusedAfterLogin(context: BrowserContext, url: string, user: string, password: string): Promise<Refused> {
    const page = await context.newPage();
    const navigations: string[] = [];
    page.on('framenavigated', (frame) => {
      if (frame === page.mainFrame()) navigations.push(frame.url());
    });
    const refusal = page.waitForResponse(
      (r) => new URL(r.url()).pathname.startsWith('/saml2jwt/redirectWithToken') && r.status() >= 400,
      { timeout: 30000 },
    );
    await page.goto(url);
    await submitIdpLogin(page, user, password);
    const response = await refusal;
    await page.waitForLoadState('load');
    return { page, status: response.status(), body: await response.text(), navigations };
  }

  const verify = prosodyCheck(APP_ID, APP_SECRET, XMPP_DOMAIN);

  describe('in one browser', function () {
    let context: BrowserContext;
    before(async () => {
      context = await newContext(stack.browser);
    });
    after(async () => {
      await context.close();
    });

    it('logs in at the IdP and lands on /<tenant>/<room>#jwt="…" with a token Prosody accepts', async function () {
      const landing = await landWithToken(context, tokenAuth('TeamRoom', 'acme'), 'alice', 'alice-pass');
      expect(landing.idpPrompted).to.equal(true);
      expect(landing.url.pathname.toLowerCase()).to.equal('/acme/teamroom');
      expect(landing.url.hash).to.include('config.prejoinConfig.enabled=false');
      expect(await landing.page.textContent('#meeting')).to.equal('Jitsi Meet stand-in');

      const verdict = verify(landing.token, 'teamroom', 'acme');
      expect(verdict, JSON.stringify(verdict)).to.have.property('ok', true);
      if (!verdict.ok) return;
      const claims = verdict.claims as { sub: string; room: string; context: { user: Record<string, unknown>; features: Record<string, unknown> } };
      expect(claims.sub).to.equal('acme');
      expect(claims.room).to.equal('teamroom');
      expect(claims.context.user).to.include({
        id: pairwiseId('alice'),
        name: 'Alice Example',
        email: 'alice@example.test',
        affiliation: 'owner',
        moderator: true,
      });
      expect(claims.context.features).to.include({ recording: true, livestreaming: false });
      // The same token is no good in another tenant or room.
      expect(verify(landing.token, 'teamroom', 'other').ok).to.equal(false);
      expect(verify(landing.token, 'otherroom', 'acme').ok).to.equal(false);
    });

    it('a second login in the same browser reuses the SP session: no IdP prompt, a token for the new room', async function () {
      const landing = await landWithToken(context, tokenAuth('second', ''));
      expect(landing.idpPrompted).to.equal(false);
      expect(landing.url.pathname).to.equal('/second');
      const verdict = verify(landing.token, 'second');
      expect(verdict, JSON.stringify(verdict)).to.have.property('ok', true);
      if (verdict.ok) {
        expect(verdict.claims.sub).to.equal(XMPP_DOMAIN);
        expect((verdict.claims as { context: { user: { id: string } } }).context.user.id).to.equal(pairwiseId('alice'));
      }
    });

    it('refuses room=* (no token, not even for a logged-in user)', async function () {
      const page = await context.newPage();
      const response = await page.goto(`${stack.publicUrl}/saml2jwt/redirectWithToken?room=*`);
      expect(response?.status()).to.equal(400);
      expect(page.url()).not.to.include('jwt=');
      expect(await page.content()).not.to.match(/eyJ[\w-]+\.[\w-]+\.[\w-]+/);
    });
  });

  it('an accented room in a tenant: lands on the name as typed, with a token for the MUC room the client joins', async function () {
    const context = await newContext(stack.browser);
    try {
      const landing = await landWithToken(context, tokenAuth('Réunion équipe', 'acme'), 'alice', 'alice-pass');
      expect(landing.idpPrompted).to.equal(true);
      expect(landing.url.pathname).to.equal('/acme/R%C3%A9union%20%C3%A9quipe');
      // What the Jitsi client reads from that URL, and so the room it joins.
      const seen = clientMeetingFromPath(landing.url.pathname);
      expect(seen).to.deep.equal({ tenant: 'acme', room: 'R%C3%A9union%20%C3%A9quipe' });
      const verdict = verify(landing.token, seen.room as string, seen.tenant);
      expect(verdict, JSON.stringify(verdict)).to.have.property('ok', true);
      if (!verdict.ok) return;
      expect(verdict.claims).to.include({ room: 'r%c3%a9union%20%c3%a9quipe', sub: 'acme' });
      expect(verify(landing.token, 'Réunion', 'acme').ok).to.equal(false);
      expect(verify(landing.token, 'Réunion équipe', 'other').ok).to.equal(false);
    } finally {
      await context.close();
    }
  });

  it('a wrong password gets no token', async function () {
    const context = await newContext(stack.browser);
    try {
      const page = await context.newPage();
      const navigations: string[] = [];
      page.on('framenavigated', (frame) => {
        if (frame === page.mainFrame()) navigations.push(frame.url());
      });
      await page.goto(tokenAuth('pwroom', ''));
      await submitIdpLogin(page, 'alice', 'not-her-password');
      await page.waitForSelector('#username', { timeout: 15000 }); // the form again, with an error
      expect(new URL(page.url()).hostname).to.equal('idp.example.test');
      expect(await page.content()).to.match(/incorrect|wrong/i);
      expect(navigations.filter((u) => u.includes('jwt='))).to.deep.equal([]);
    } finally {
      await context.close();
    }
  });

  it('identity headers and a proxy secret injected by the browser do not change the token', async function () {
    const context = await newContext(stack.browser, {
      mail: 'mallory@evil.test',
      displayName: 'Mallory',
      'pairwise-id': 'mallory@example.test',
      eppn: 'mallory@example.test',
      entitlement: 'urn:mace:example.test:jitsi:moderator',
      'X-SAML2JWT-Proxy-Secret': stack.proxySecret.replace(/./, 'x'),
    });
    try {
      const landing = await landWithToken(context, tokenAuth('injected', ''), 'bob', 'bob-pass');
      const verdict = verify(landing.token, 'injected');
      expect(verdict, JSON.stringify(verdict)).to.have.property('ok', true);
      if (!verdict.ok) return;
      const user = (verdict.claims as { context: { user: Record<string, unknown> } }).context.user;
      expect(user).to.include({ id: pairwiseId('bob'), email: 'bob@example.test', name: 'Bob; the Builder' });
      expect(user).not.to.have.property('moderator');
      expect(JSON.stringify(verdict.claims)).not.to.match(/mallory|evil/i);
    } finally {
      await context.close();
    }
  });

  it('a pseudonymous user (pairwise id and assurance, no mail, no name) gets a token; a tenant that requires a mail refuses them', async function () {
    const context = await newContext(stack.browser);
    try {
      // The assurance value came through SimpleSAMLphp, Shibboleth's attribute-map and our SP's header.
      const landing = await landWithToken(context, tokenAuth('Lab', 'lab'), 'pat', 'pat-pass');
      const verdict = verify(landing.token, 'lab', 'lab');
      expect(verdict, JSON.stringify(verdict)).to.have.property('ok', true);
      if (!verdict.ok) return;
      const user = (verdict.claims as { context: { user: Record<string, unknown> } }).context.user;
      expect(user).to.have.keys('id', 'name');
      expect(user.id).to.equal(pairwiseId('pat'));
      expect(user.name).to.match(/^Guest [0-9a-f]{6}$/);
      // Signed in at the SP already: no IdP form this time, the refusal comes straight back.
      const refused = await (await context.newPage()).goto(tokenAuth('Board', 'staff'));
      expect(refused?.status()).to.equal(403);
      expect(await refused?.text()).to.include('(mail)');
    } finally {
      await context.close();
    }
  });

  it('a user the policy refuses sees the error page and gets no token', async function () {
    const context = await newContext(stack.browser);
    try {
      const refused = await refusedAfterLogin(context, tokenAuth('denied', ''), 'eve', 'eve-pass');
      expect(refused.status).to.equal(403);
      expect(refused.body).to.include('Affiliates may not use this meeting service.');
      expect(refused.body).not.to.match(/eyJ[\w-]+\.[\w-]+\.[\w-]+/);
      expect(refused.navigations.filter((u) => u.includes('jwt='))).to.deep.equal([]);
    } finally {
      await context.close();
    }
  });

  it('the sidecar port itself refuses identity headers without the proxy secret (401)', async function () {
    const url = `http://127.0.0.1:${stack.backendPort}/redirectWithToken?room=direct`;
    const identity = { mail: 'alice@example.test', displayName: 'Alice Example', 'pairwise-id': pairwiseId('alice') };
    const without = await httpGet(url, identity);
    expect(without.status).to.equal(401);
    expect(without.headers.location).to.equal(undefined);
    const wrong = await httpGet(url, { ...identity, 'X-SAML2JWT-Proxy-Secret': 'x'.repeat(48) });
    expect(wrong.status).to.equal(401);
    expect(`${without.body}${wrong.body}`).not.to.match(/eyJ[\w-]+\.[\w-]+\.[\w-]+/);
  });
});
