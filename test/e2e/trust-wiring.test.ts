// The SP's trust wiring, checked against a live SAML login with an echo server in the
// sidecar's place: which headers reach the backend, built from which source.
import { expect } from 'chai';
import type { BrowserContext } from 'playwright-core';
import { newContext, submitIdpLogin } from './support/browser';
import type { EchoedRequest } from './support/echo-backend';
import { httpGet } from './support/http-request';
import { runHealthcheck } from './support/sp';
import { startStack, type Stack } from './support/stack';

const IDENTITY_HEADERS = [
  'mail', 'displayname', 'eppn', 'affiliation', 'entitlement', 'persistent-id', 'pairwise-id',
  'subject-id', 'givenname', 'sn', 'schachomeorganization', 'shib-identity-provider',
];

describe('e2e: SP trust wiring (Apache + shibd + SimpleSAMLphp, echo backend)', function () {
  this.timeout(120000);
  let stack: Stack;

  before(async function () {
    this.timeout(90000);
    stack = await startStack({ backend: 'echo' });
  });

  after(async function () {
    this.timeout(30000);
    if (stack) await stack.stop();
  });

  const echoed = (): EchoedRequest[] => stack.echo?.requests ?? [];
  const lastEchoed = (): EchoedRequest => {
    const last = echoed()[echoed().length - 1];
    if (!last) throw new Error('the backend received no request');
    return last;
  };

  /** Logs in through the browser and returns what the backend received for `path`. */
  async function loginAndEcho(context: BrowserContext, path: string, user: string, password: string): Promise<EchoedRequest> {
    const page = await context.newPage();
    const before = echoed().length;
    await page.goto(`${stack.publicUrl}${path}`);
    await submitIdpLogin(page, user, password);
    await page.waitForURL((url) => url.pathname.startsWith('/saml2jwt/redirectWithToken'), { timeout: 20000 });
    await page.waitForLoadState('load');
    expect(echoed().length, 'one request reached the backend').to.equal(before + 1);
    return lastEchoed();
  }

  it('passes the image\'s health check (Shibboleth Status handler over plain HTTP)', async function () {
    const check = await runHealthcheck(stack.spLayout, stack.sp.port);
    expect(check.code, check.stderr).to.equal(0);
  });

  it('serves the SP metadata with the public ACS URL and the SP certificate', async function () {
    const md = await httpGet(`${stack.publicUrl.replace('meet.example.test', '127.0.0.1')}/saml2jwt/Shibboleth.sso/Metadata`, {
      host: new URL(stack.publicUrl).host,
    });
    expect(md.status).to.equal(200);
    expect(md.body).to.include(`entityID="${stack.publicUrl}/saml2jwt/shibboleth"`);
    expect(md.body).to.include(`Location="${stack.publicUrl}/saml2jwt/Shibboleth.sso/SAML2/POST"`);
    expect(md.body).to.match(/<ds:X509Certificate>\s*MII/);
  });

  it('sends the IdP\'s attributes and the proxy secret after a SAML login', async function () {
    const context = await newContext(stack.browser);
    try {
      const got = await loginAndEcho(context, '/saml2jwt/redirectWithToken?room=wiring&tenant=acme', 'alice', 'alice-pass');
      const h = got.headers;
      expect(got.url).to.equal('/saml2jwt/redirectWithToken?room=wiring&tenant=acme');
      expect(h['x-saml2jwt-proxy-secret']).to.equal(stack.proxySecret);
      expect(h.mail).to.equal('alice@example.test');
      expect(h.displayname).to.equal('Alice Example');
      expect(h.givenname).to.equal('Alice');
      expect(h.sn).to.equal('Example');
      expect(h.eppn).to.equal('alice@example.test');
      expect(String(h.affiliation).split(';').sort()).to.deep.equal(['member@example.test', 'staff@example.test']);
      expect(h.entitlement).to.equal('urn:mace:example.test:jitsi:moderator');
      expect(h.schachomeorganization).to.equal('example.test');
      expect(h['pairwise-id']).to.match(/^[0-9a-f]{32}@example\.test$/);
      expect(h['shib-identity-provider']).to.equal(stack.idp.entityId);
    } finally {
      await context.close();
    }
  });

  it('keeps Shibboleth\'s "\\;" escaping in a value and leaves absent attributes out (no "(null)")', async function () {
    const context = await newContext(stack.browser);
    try {
      const h = (await loginAndEcho(context, '/saml2jwt/redirectWithToken?room=escaping', 'bob', 'bob-pass')).headers;
      expect(h.displayname).to.equal('Bob\\; the Builder');
      expect(h).not.to.have.property('entitlement');
      const eve = await newContext(stack.browser);
      try {
        const e = (await loginAndEcho(eve, '/saml2jwt/redirectWithToken?room=escaping', 'eve', 'eve-pass')).headers;
        expect(e.mail).to.equal('eve@example.test');
        for (const absent of ['givenname', 'sn', 'entitlement', 'subject-id', 'persistent-id']) {
          expect(e, absent).not.to.have.property(absent);
        }
        expect(Object.values(e).join('\n')).not.to.include('(null)');
      } finally {
        await eve.close();
      }
    } finally {
      await context.close();
    }
  });

  it('strips identity headers and a proxy secret sent by the browser, in any spelling', async function () {
    const context = await newContext(stack.browser, {
      mail: 'mallory@evil.test',
      Mail: 'mallory2@evil.test',
      displayName: 'Mallory',
      eppn: 'mallory@evil.test',
      'Pairwise-Id': 'mallory@evil.test',
      affiliation: 'faculty@example.test',
      'Shib-Identity-Provider': 'https://evil.test/idp',
      'X-SAML2JWT-Proxy-Secret': 'forged-secret-forged-secret-forged-secret',
      'x-saml2jwt-proxy-secret': 'forged-secret-2',
    });
    try {
      const h = (await loginAndEcho(context, '/saml2jwt/redirectWithToken?room=forged', 'alice', 'alice-pass')).headers;
      expect(h.mail).to.equal('alice@example.test');
      expect(h.displayname).to.equal('Alice Example');
      expect(h.eppn).to.equal('alice@example.test');
      expect(h['pairwise-id']).to.match(/^[0-9a-f]{32}@example\.test$/);
      expect(h.affiliation).not.to.include('faculty');
      expect(h['shib-identity-provider']).to.equal(stack.idp.entityId);
      expect(h['x-saml2jwt-proxy-secret']).to.equal(stack.proxySecret);
      expect(JSON.stringify(h)).not.to.match(/evil\.test|mallory|forged/i);

      // Same browser session, the unprotected escape page: no identity at all reaches the backend.
      const page = await context.newPage();
      const before = echoed().length;
      await page.goto(`${stack.publicUrl}/saml2jwt/redirectWithTokenEscape?room=forged`);
      expect(echoed().length).to.equal(before + 1);
      const escape = lastEchoed().headers;
      for (const name of IDENTITY_HEADERS) expect(escape, name).not.to.have.property(name);
    } finally {
      await context.close();
    }
  });

  it('without a session: forged headers never reach the backend, and protected paths go to the IdP', async function () {
    const spUrl = `http://127.0.0.1:${stack.sp.port}`;
    const forged = { mail: 'mallory@evil.test', MAIL: 'mallory@evil.test', 'X-SAML2JWT-Proxy-Secret': 'forged', host: new URL(stack.publicUrl).host };

    const before = echoed().length;
    const escape = await httpGet(`${spUrl}/saml2jwt/redirectWithTokenEscape?room=x`, forged);
    expect(escape.status).to.equal(200);
    expect(echoed().length).to.equal(before + 1);
    const h = lastEchoed().headers;
    for (const name of IDENTITY_HEADERS) expect(h, name).not.to.have.property(name);
    expect(h['x-saml2jwt-proxy-secret']).to.equal(stack.proxySecret);

    // The logout's return page: reached after the session is gone, so open, and without identity.
    const loggedOut = await httpGet(`${spUrl}/saml2jwt/loggedOut`, forged);
    expect(loggedOut.status).to.equal(200);
    expect(echoed().length).to.equal(before + 2);
    for (const name of IDENTITY_HEADERS) expect(lastEchoed().headers, name).not.to.have.property(name);

    // Deny by default: every other path under /saml2jwt/ needs a session first.
    for (const path of ['/saml2jwt/redirectWithToken?room=x', '/saml2jwt/generateToken?room=x', '/saml2jwt/redirectWithToken/', '/saml2jwt/healthz', '/saml2jwt/anything', '/saml2jwt/loggedOut/x', '/saml2jwt/loggedOutx']) {
      const res = await httpGet(`${spUrl}${path}`, forged);
      expect(res.status, path).to.equal(302);
      expect(String(res.headers.location), path).to.match(/^https:\/\/idp\.example\.test:\d+\/simplesaml\/saml2\/idp\/SSOService\.php\?SAMLRequest=/);
    }
    expect(echoed().length, 'nothing else reached the backend').to.equal(before + 2);
  });
});
