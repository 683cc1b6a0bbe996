// The pages a person sees, as a browser gets them: in the reader's language (Accept-Language,
// English as the fallback), with the operator's branding and support contact, and with a way on
// from every refusal, the reason code small at the bottom.
import { expect } from 'chai';
import { CATALOGUES } from '../../sidecar/src/pages/catalogue';
import { cspDirectives, cspProblems } from '../support/page-script';
import { containsToken, get, jitsiState, spHeaders, startTestSidecar, TEST_PROXY_SECRET, writePolicy, type TestSidecar } from '../support/test-sidecar';
import { PARTNER, PARTNER_POLICY, PARTNER_REASON } from '../support/partner-policy';
import { visibleText } from '../support/visible-text';

const NONCE = 'ab'.repeat(32);

interface Page {
  status: number;
  headers: Headers;
  body: string;
}

async function page(url: string, headers: Record<string, string>): Promise<Page> {
  const res = await get(url, headers);
  return { status: res.status, headers: res.headers, body: await res.text() };
}

/** The hrefs of the page's buttons, entities decoded, by their text. */
function buttons(body: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const m of body.matchAll(/<a class="button[^"]*"[^>]* href="([^"]*)"[^>]*>([^<]*)<\/a>/g)) {
    out.set((m[2] as string).replace(/&#39;/g, "'"), (m[1] as string).replace(/&amp;/g, '&'));
  }
  return out;
}

describe('http: pages in the reader\'s language', () => {
  let t: TestSidecar;
  before(async () => {
    t = await startTestSidecar({ POLICY_FILE: writePolicy(PARTNER_POLICY) });
  });
  after(() => t.stop());

  const cases: [string | undefined, string][] = [
    [undefined, 'en'],
    ['fr-FR,fr;q=0.9,en;q=0.8', 'fr'],
    ['de-CH', 'de'],
    ['es', 'es'],
    ['it-IT,it;q=0.9', 'it'],
    ['nl-BE,nl;q=0.9', 'nl'],
    ['ja,pt;q=0.8', 'en'],
    ['ja,nl;q=0.5,fr;q=0.4', 'nl'],
    ['*', 'en'],
  ];
  for (const [header, lang] of cases) {
    it(`Accept-Language ${header ?? '(none)'} → ${lang}`, async () => {
      const headers: Record<string, string> = spHeaders(PARTNER);
      if (header !== undefined) headers['accept-language'] = header;
      const p = await page(`${t.front}/redirectWithToken?room=a`, headers);
      expect(p.status).to.equal(403);
      expect(p.body).to.include(`<html lang="${lang}">`);
      expect(p.headers.get('content-language')).to.equal(lang);
      expect(p.headers.get('vary')).to.match(/accept-language/i);
      const t9n = CATALOGUES[lang as keyof typeof CATALOGUES];
      expect(p.body).to.include(`<h1>${t9n.titles['403'].replace(/'/g, '&#39;')}</h1>`);
      expect(visibleText(p.body)).to.include(t9n.reasons.policy_denied.what);
    });
  }

  it('the signed-out and escape pages follow the language too', async () => {
    for (const path of ['/saml2jwt/loggedOut', '/saml2jwt/redirectWithTokenEscape?room=a']) {
      const p = await page(`${t.front}${path}`, { 'accept-language': 'de' });
      expect(p.body, path).to.include('<html lang="de">');
      expect(p.headers.get('content-language')).to.equal('de');
    }
  });

  it('a policy refusal: what happened, the operator\'s reason, sign in with another account, home, the code at the bottom', async () => {
    const state = jitsiState({ room: 'Standup', tenant: 'acme' });
    const p = await page(`${t.front}/saml2jwt/redirectWithToken?room=Standup&state=${state}`, { ...spHeaders(PARTNER), 'accept-language': 'en' });
    const text = visibleText(p.body);
    expect(text).to.include('Your account is not allowed to join meetings here.');
    expect(text).to.include(`Message from this service: ${PARTNER_REASON}`);
    const login = '/saml2jwt/redirectWithToken?room=Standup&tenant=acme';
    expect([...buttons(p.body)]).to.deep.equal([
      ['Sign in with another account', `/saml2jwt/Shibboleth.sso/Logout?return=${encodeURIComponent(login)}`],
      ['Go to the Jitsi Meet home page', 'https://meet.example.org/'],
    ]);
    // The reason code, small, after everything else in the card.
    expect(p.body).to.match(/<p class="code">For the helpdesk: reason <code>policy_denied<\/code>, status 403<\/p>\n<\/main>/);
    expect(containsToken(p.body)).to.equal(false);
  });

  it('an identity refusal (before the meeting is read) still links back to the same meeting', async () => {
    // Through the SP, but the IdP released no identifier at all.
    const p = await page(`${t.front}/redirectWithToken?room=Lab&tenant=acme`, { 'x-saml2jwt-proxy-secret': TEST_PROXY_SECRET });
    expect(p.status).to.equal(403);
    expect(p.body).to.include('<code>no_user_id</code>');
    expect(buttons(p.body).get('Sign in with another account')).to.equal(
      `/saml2jwt/Shibboleth.sso/Logout?return=${encodeURIComponent('/saml2jwt/redirectWithToken?room=Lab&tenant=acme')}`,
    );
  });

  it('a broken link offers the home page only, and reflects nothing of the link', async () => {
    const p = await page(`${t.front}/redirectWithToken?room=${encodeURIComponent('<b>*</b>')}`, spHeaders());
    expect(p.status).to.equal(400);
    expect(p.body).to.include('<code>invalid_room</code>');
    expect([...buttons(p.body).keys()]).to.deep.equal(['Go to the Jitsi Meet home page']);
    expect(p.body).to.not.include('<b>');
  });

  it('the popup keeps its oauth-error message with the reason code, and a retry keeps its nonce', async () => {
    const p = await page(`${t.front}/redirectWithToken?room=a&nonce=${NONCE}`, spHeaders(PARTNER));
    expect(p.body).to.include('"error":"policy_denied"');
    expect(cspProblems(p.body, p.headers.get('content-security-policy') ?? '')).to.deep.equal([]);
    const switchAccount = buttons(p.body).get('Sign in with another account') as string;
    expect(decodeURIComponent(switchAccount.split('return=')[1] as string)).to.equal(`/saml2jwt/redirectWithToken?room=a&nonce=${NONCE}`);
  });
});

describe('http: branding and support (BRAND_*, SUPPORT_*)', () => {
  let t: TestSidecar;
  before(async () => {
    t = await startTestSidecar({
      POLICY_FILE: writePolicy(PARTNER_POLICY),
      BRAND_NAME: 'Uni <Video>',
      BRAND_LOGO_URL: 'https://cdn.uni.example/brand/logo.svg?v=2',
      BRAND_COLOR: '#FC0',
      SUPPORT_URL: 'https://help.uni.example/video',
      SUPPORT_EMAIL: 'video-help@uni.example',
    });
  });
  after(() => t.stop());

  it('every page carries the brand, the logo (allowed by exactly its URL) and the colour', async () => {
    for (const [url, headers] of [
      [`${t.front}/redirectWithToken?room=a`, spHeaders(PARTNER)],
      [`${t.front}/saml2jwt/loggedOut`, {}],
      [`${t.front}/saml2jwt/redirectWithTokenEscape?room=a`, {}],
      [`${t.front}/redirectWithToken?room=a&state=${jitsiState({ room: 'a', tenant: '', ios: true })}`, spHeaders()],
      [`${t.front}/redirectWithToken?room=a&nonce=${NONCE}`, spHeaders()],
    ] as const) {
      const p = await page(url, headers);
      expect(p.body, url).to.include('<span class="brand">Uni &lt;Video&gt;</span>');
      expect(p.body, url).to.include('<img class="logo" src="https://cdn.uni.example/brand/logo.svg?v=2" alt="">');
      expect(p.body, url).to.include('--brand:#ffcc00;--on-brand:#000000');
      const csp = p.headers.get('content-security-policy') ?? '';
      expect(cspDirectives(csp).get('img-src'), url).to.deep.equal(['https://cdn.uni.example/brand/logo.svg']);
      expect(cspDirectives(csp).get('default-src'), url).to.deep.equal(["'none'"]);
      expect(cspProblems(p.body, csp), url).to.deep.equal([]);
    }
  });

  it('a refusal shows the support link and a mail to support naming the reason', async () => {
    const p = await page(`${t.front}/redirectWithToken?room=a`, { ...spHeaders(PARTNER), 'accept-language': 'fr' });
    expect(p.body).to.include('<a href="https://help.uni.example/video" rel="noreferrer">Contacter l&#39;assistance</a>');
    const mailto = /<a href="(mailto:[^"]*)">/.exec(p.body)?.[1]?.replace(/&amp;/g, '&') as string;
    const url = new URL(mailto);
    expect(url.pathname).to.equal('video-help@uni.example');
    expect(url.searchParams.get('subject')).to.equal('Problème de connexion à Uni <Video> (policy_denied)');
    expect(visibleText(p.body)).to.include("Écrire à l'assistance : video-help@uni.example");
  });
});
