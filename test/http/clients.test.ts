// Every Jitsi client gets its token the way it can take it (JITSI.md "Clients: popup, renewal,
// logout, apps"): the apps through a hand-over page with a link in their own scheme, the inline
// popup through a postMessage page, a plain browser through today's 302.
import { expect } from 'chai';
import { prosodyAccepts } from '../support/prosody-verifier';
import { cspDirectives, cspProblems, inlineScripts, jsonBlock, scriptTagCount } from '../support/page-script';
import { containsToken, get, jitsiState, prosodyFor, spHeaders, startTestSidecar, writePolicy, type TestSidecar } from '../support/test-sidecar';
import { clientJwtFromUrl } from '../support/jitsi-client';

const NONCE = '0f'.repeat(32);
const JWT = /[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+/;

const accepts = (t: TestSidecar, token: string, room: string, tenant?: string): boolean => prosodyAccepts(token, prosodyFor(t, room, tenant)).ok;

/** Jitsi's state for a room, with an app marker and the overrides a real client sends. */
const appState = (room: string, tenant: string, marker?: Record<string, unknown>): string =>
  jitsiState({ room, tenant, 'config.prejoinConfig.enabled': false, 'config.startWithAudioMuted': true, ...marker });

const OVERRIDES = '&config.prejoinConfig.enabled=false&config.startWithAudioMuted=true';

interface Page {
  status: number;
  headers: Headers;
  body: string;
}

async function page(url: string, headers: Record<string, string> = spHeaders()): Promise<Page> {
  const res = await get(url, headers);
  return { status: res.status, headers: res.headers, body: await res.text() };
}

function expectPrivatePage(p: Page, frameAncestors: string): void {
  expect(p.headers.get('content-type')).to.match(/^text\/html/);
  expect(p.headers.get('cache-control')).to.equal('no-store');
  expect(p.headers.get('referrer-policy')).to.equal('no-referrer');
  expect(p.headers.get('location')).to.equal(null);
  const csp = p.headers.get('content-security-policy') ?? '';
  expect(cspProblems(p.body, csp)).to.deep.equal([]);
  expect(inlineScripts(p.body)).to.have.length(1);
  expect(cspDirectives(csp).get('frame-ancestors')).to.deep.equal([frameAncestors]);
}

/** The app link of a hand-over page: the button's href (entities decoded) and the script's JSON block must agree. */
function appLinkOf(p: Page): string {
  const href = /<a class="button primary" id="open" href="([^"]*)"/.exec(p.body)?.[1];
  const link = jsonBlock(p.body, 'app-link') as string;
  expect(href?.replace(/&amp;/g, '&').replace(/&#39;/g, "'").replace(/&quot;/g, '"').replace(/&lt;/g, '<').replace(/&gt;/g, '>')).to.equal(link);
  return link;
}

/** The token as the client (or app) reads it from the link: from the hash, but on Android's intent link. */
const tokenIn = (link: string): string => {
  const { jwt, from } = clientJwtFromUrl(link);
  if (jwt === undefined) throw new Error(`the client finds no token in ${link}`);
  expect(from, link).to.equal(link.startsWith('intent://') ? 'search' : 'hash');
  return jwt;
};

describe('http: Jitsi clients (apps, inline popup, silent logout)', () => {
  let t: TestSidecar;
  before(async () => {
    t = await startTestSidecar({ POLICY_FILE: writePolicy('default: allow\nrules:\n  - name: eve\n    match:\n      - { attribute: affiliation, equals: affiliate@uni.example }\n    allow: false\n    reason: "Eve may not."\n') });
  });
  after(() => t.stop());

  describe('apps: a hand-over page with the link in the app\'s scheme', () => {
    const cases = [
      { app: 'ios', link: (token: string) => `org.jitsi.meet://meet.example.org/acme/Standup#jwt=%22${token}%22${OVERRIDES}` },
      { app: 'electron', link: (token: string) => `jitsi-meet://meet.example.org/acme/Standup#jwt=%22${token}%22${OVERRIDES}` },
      {
        app: 'android',
        // One '#', the intent's: the config overrides cannot travel in it.
        link: (token: string) => `intent://meet.example.org/acme/Standup?jwt=${token}#Intent;scheme=org.jitsi.meet;package=org.jitsi.meet;end`,
      },
    ];
    for (const c of cases) {
      it(`${c.app}: the exact link, a token Prosody accepts for that room and tenant only, a strict page`, async () => {
        const p = await page(`${t.front}/saml2jwt/redirectWithToken?room=Standup&state=${appState('Standup', 'acme', { [c.app]: true })}`);
        expect(p.status).to.equal(200);
        expectPrivatePage(p, "'none'");
        const link = appLinkOf(p);
        const token = tokenIn(link);
        expect(link).to.equal(c.link(token));
        expect(accepts(t, token, 'standup', 'acme')).to.equal(true);
        expect(accepts(t, token, 'standup', 'other')).to.equal(false);
        expect(accepts(t, token, 'other', 'acme')).to.equal(false);
        // The token is in the link only (button and script block), and in no log line.
        expect(p.body.split(token)).to.have.length(3);
        expect(t.rawLogs.join('\n')).not.to.include(token);
      });
    }

    it('a root room: no tenant segment', async () => {
      const p = await page(`${t.front}/redirectWithToken?room=lobby&state=${jitsiState({ room: 'lobby', tenant: '', ios: true })}`);
      const link = appLinkOf(p);
      expect(link).to.equal(`org.jitsi.meet://meet.example.org/lobby#jwt=%22${tokenIn(link)}%22`);
      expect(accepts(t, tokenIn(link), 'lobby')).to.equal(true);
    });

    it('hostile room, tenant and state values stay inert: percent-encoded in the link, escaped in the page', async () => {
      const room = '<img src=x onerror=alert(1)> Ünï';
      const tenant = '<b onmouseover=alert(2)>';
      const state = appState(room, tenant, { android: true, 'config.subject': '</script><script>alert(3)</script>', 'interfaceConfig.x': '<svg onload=alert(4)>' });
      const p = await page(`${t.front}/redirectWithToken?room=x&state=${state}`);
      expect(p.status).to.equal(200);
      expectPrivatePage(p, "'none'");
      expect(scriptTagCount(p.body)).to.equal(2);
      for (const raw of ['<img', '<b ', '</script><script>', '<svg', 'alert(3)', 'alert(4)']) expect(p.body).not.to.include(raw);
      const link = appLinkOf(p);
      const token = tokenIn(link);
      expect(link).to.equal(
        `intent://meet.example.org/${encodeURIComponent(tenant)}/${encodeURIComponent(room).replace(/[()]/g, (ch) => `%${ch.charCodeAt(0).toString(16).toUpperCase()}`)}?jwt=${token}#Intent;scheme=org.jitsi.meet;package=org.jitsi.meet;end`,
      );
      expect(link.split('#')).to.have.length(2);
    });
  });

  describe('rebranded apps (APP_SCHEME_IOS, APP_ANDROID_SCHEME, APP_ANDROID_PACKAGE, APP_SCHEME_ELECTRON)', () => {
    let r: TestSidecar;
    before(async () => {
      r = await startTestSidecar({
        PUBLIC_URL: 'https://video.example.edu:8443',
        APP_SCHEME_IOS: 'edu.example.video',
        APP_ANDROID_SCHEME: 'edu.example.video',
        APP_ANDROID_PACKAGE: 'edu.example.video_app',
        APP_SCHEME_ELECTRON: 'example-video',
      });
    });
    after(() => r.stop());

    const cases = [
      { app: 'ios', link: (token: string) => `edu.example.video://video.example.edu:8443/acme/Lab#jwt=%22${token}%22${OVERRIDES}` },
      { app: 'electron', link: (token: string) => `example-video://video.example.edu:8443/acme/Lab#jwt=%22${token}%22${OVERRIDES}` },
      { app: 'android', link: (token: string) => `intent://video.example.edu:8443/acme/Lab?jwt=${token}#Intent;scheme=edu.example.video;package=edu.example.video_app;end` },
    ];
    for (const c of cases) {
      it(`${c.app}: the operator's scheme (and package), host and port`, async () => {
        const p = await page(`${r.front}/redirectWithToken?room=Lab&state=${appState('Lab', 'acme', { [c.app]: true })}`);
        expect(p.status).to.equal(200);
        expectPrivatePage(p, "'none'");
        const link = appLinkOf(p);
        expect(link).to.equal(c.link(tokenIn(link)));
        expect(accepts(r, tokenIn(link), 'lab', 'acme')).to.equal(true);
      });
    }
  });

  describe('the inline login popup (nonce)', () => {
    const popupUrl = (room: string, tenant: string, nonce = NONCE): string =>
      `${t.front}/saml2jwt/redirectWithToken?room=${room}&state=${appState(room, tenant)}&nonce=${nonce}`;

    it('posts oauth-success with the token to exactly the PUBLIC_URL origin, then closes; the fallback is the meeting URL', async () => {
      const p = await page(popupUrl('Standup', 'acme'));
      expect(p.status).to.equal(200);
      expectPrivatePage(p, "'none'");
      const delivery = jsonBlock(p.body, 'popup-message') as { message: { type: string; accessToken: string }; origin: string; close: boolean; fallback: string };
      expect(delivery.origin).to.equal('https://meet.example.org');
      expect(delivery.message.type).to.equal('oauth-success');
      expect(delivery.close).to.equal(true);
      const token = delivery.message.accessToken;
      expect(token).to.match(JWT);
      expect(accepts(t, token, 'standup', 'acme')).to.equal(true);
      expect(delivery.fallback).to.equal(`https://meet.example.org/acme/Standup#jwt=%22${token}%22${OVERRIDES}`);
      expect(clientJwtFromUrl(delivery.fallback)).to.deep.equal({ jwt: token, from: 'hash' });
      // The fixed script posts with d.origin, never '*'.
      const [script] = inlineScripts(p.body);
      expect(script).to.include('postMessage(d.message,d.origin)');
      expect(script).not.to.include("'*'");
      expect(t.rawLogs.join('\n')).not.to.include(token);
    });

    it('a second request (renewal with a live SP session) gets a fresh token', async () => {
      const tokenOf = async (): Promise<string> => (jsonBlock((await page(popupUrl('Standup', 'acme'))).body, 'popup-message') as { message: { accessToken: string } }).message.accessToken;
      const first = await tokenOf();
      const second = await tokenOf();
      expect(second).not.to.equal(first);
      expect(accepts(t, second, 'standup', 'acme')).to.equal(true);
    });

    it('a refusal posts oauth-error with the reason code and shows the error page, with no token', async () => {
      const p = await page(popupUrl('Standup', ''), spHeaders({ affiliation: 'affiliate@uni.example' }));
      expect(p.status).to.equal(403);
      expect(p.body).to.include('Eve may not.');
      expect(containsToken(p.body)).to.equal(false);
      expect(jsonBlock(p.body, 'popup-message')).to.deep.equal({ message: { type: 'oauth-error', error: 'policy_denied' }, origin: 'https://meet.example.org', close: false });
      expect(cspProblems(p.body, p.headers.get('content-security-policy') ?? '')).to.deep.equal([]);
    });

    it('refusals before the meeting is read (no SP identity, a bad room) also post oauth-error', async () => {
      const untrusted = await page(popupUrl('Standup', ''), {});
      expect(untrusted.status).to.equal(401);
      expect((jsonBlock(untrusted.body, 'popup-message') as { message: unknown }).message).to.deep.equal({ type: 'oauth-error', error: 'untrusted_proxy' });
      const badRoom = await page(`${t.front}/redirectWithToken?room=*&nonce=${NONCE}`);
      expect(badRoom.status).to.equal(400);
      expect((jsonBlock(badRoom.body, 'popup-message') as { message: unknown }).message).to.deep.equal({ type: 'oauth-error', error: 'invalid_room' });
    });

    it('a malformed nonce, or a nonce with an app marker, is refused: no token, no popup script', async () => {
      for (const nonce of ['0f'.repeat(31), 'G'.repeat(64), `${'0'.repeat(64)}%3Cb%3E`]) {
        const p = await page(popupUrl('Standup', '', nonce));
        expect(p.status, nonce).to.equal(400);
        expect(p.body).to.include('invalid_nonce');
        expect(containsToken(p.body)).to.equal(false);
        expect(scriptTagCount(p.body)).to.equal(0);
      }
      const both = await page(`${t.front}/redirectWithToken?room=r&state=${jitsiState({ room: 'r', ios: true })}&nonce=${NONCE}`);
      expect(both.status).to.equal(400);
      expect(both.body).to.include('conflicting_client');
      expect(containsToken(both.body)).to.equal(false);
    });

    it('with AUTH_ERROR_PAGE set, a refused popup still answers its opener here instead of redirecting', async () => {
      const a = await startTestSidecar({ AUTH_ERROR_PAGE: 'static/error.html' });
      try {
        const popup = await page(`${a.front}/redirectWithToken?room=*&nonce=${NONCE}`);
        expect(popup.status).to.equal(400);
        expect(jsonBlock(popup.body, 'popup-message')).to.have.nested.property('message.type', 'oauth-error');
        const plain = await get(`${a.front}/redirectWithToken?room=*`, spHeaders());
        expect(plain.status).to.equal(302);
      } finally {
        await a.stop();
      }
    });
  });

  it('a browser without markers keeps the 302 to the meeting', async () => {
    const res = await get(`${t.front}/redirectWithToken?room=Standup&state=${appState('Standup', 'acme')}`, spHeaders());
    expect(res.status).to.equal(302);
    expect(res.headers.get('location')).to.match(/^https:\/\/meet\.example\.org\/acme\/Standup#jwt=%22/);
    expect(clientJwtFromUrl(res.headers.get('location') as string).from).to.equal('hash');
  });

  it('/saml2jwt/loggedOut posts logout-success to the parent on exactly the PUBLIC_URL origin, needs no identity', async () => {
    const p = await page(`${t.front}/saml2jwt/loggedOut`, {});
    expect(p.status).to.equal(200);
    expectPrivatePage(p, 'https://meet.example.org');
    expect(p.body).to.include('Signed out');
    expect(jsonBlock(p.body, 'parent-origin')).to.equal('https://meet.example.org');
    const [script] = inlineScripts(p.body);
    expect(script).to.include("window.parent.postMessage({type:'logout-success'},JSON.parse(e.textContent))");
    expect(script).to.include('window.parent===window)return');
  });
});
