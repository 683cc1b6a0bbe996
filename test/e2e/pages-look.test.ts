// The pages a person sees, as Debian's Chromium shows them: each sidecar page in two languages at
// a phone's and a desktop's width, screenshotted into test-results/pages/ (kept as test artifacts
// to look at), and checked for accessibility with axe-core (support/axe.ts: run beside the page
// under its own CSP), plus the basics checked directly: the document's language, one heading, a
// button reachable with the keyboard, and no CSP violation.
import { expect } from 'chai';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { CATALOGUES } from '../../sidecar/src/pages/catalogue';
import { get, jitsiState, spHeaders, startTestSidecar, writePolicy, type TestSidecar } from '../support/test-sidecar';
import { axeViolations, describeViolations } from './support/axe';
import { launchBrowser } from './support/browser';
import { repoRoot } from './support/paths';

export const SCREENSHOTS = join(repoRoot, 'test-results/pages');

const POLICY = `
rules:
  - name: no partner accounts
    match:
      - { idp: "https://idp.partner.example/idp/shibboleth" }
      - { attribute: mail, regex: '.*@partner\\.example' }
    allow: false
    reason: "Partner accounts may not join the university's meetings."
`;
const PARTNER = spHeaders({ mail: 'eve@partner.example', idp: 'https://idp.partner.example/idp/shibboleth' });
const NONCE = 'cd'.repeat(32);
const LOGO = '<svg xmlns="http://www.w3.org/2000/svg" width="120" height="36" viewBox="0 0 120 36"><rect width="36" height="36" rx="8" fill="#f2c200"/><text x="44" y="25" font-family="sans-serif" font-size="18" fill="#fff">UNIX</text></svg>';

export const WIDTHS = { phone: { width: 390, height: 844 }, desktop: { width: 1280, height: 800 } } as const;
export const LANGS = [
  { lang: 'en', locale: 'en-GB' },
  { lang: 'fr', locale: 'fr-FR' },
] as const;

interface PageCase {
  name: string;
  path: string;
  headers?: Record<string, string>;
  status: number;
  /**
   * Its script opens an app's scheme: headless Chromium then swallows keyboard input on every
   * other such page (its external-protocol prompt), so the button's focus is checked directly.
   */
  opensApp?: boolean;
  /** Which sidecar answers (default: plain). */
  on?: 'branded' | 'busy';
}

const PAGES: PageCase[] = [
  { name: 'refusal-policy', path: `/saml2jwt/redirectWithToken?room=Standup&state=${jitsiState({ room: 'Standup', tenant: 'acme' })}`, headers: PARTNER, status: 403 },
  { name: 'refusal-policy-branded', path: '/saml2jwt/redirectWithToken?room=Standup', headers: PARTNER, status: 403, on: 'branded' },
  { name: 'refusal-broken-link', path: `/saml2jwt/redirectWithToken?room=${encodeURIComponent('a*b')}`, headers: spHeaders(), status: 400 },
  { name: 'refusal-too-many', path: '/saml2jwt/redirectWithToken?room=Standup', headers: spHeaders({ mail: 'busy@uni.example' }), status: 429, on: 'busy' },
  { name: 'refusal-not-through-sp', path: '/saml2jwt/redirectWithToken?room=Standup', status: 401 },
  { name: 'popup-refusal', path: `/saml2jwt/redirectWithToken?room=Standup&nonce=${NONCE}`, headers: PARTNER, status: 403 },
  { name: 'popup-signed-in', path: `/saml2jwt/redirectWithToken?room=Standup&nonce=${NONCE}`, headers: spHeaders(), status: 200 },
  { name: 'app-handover', path: `/saml2jwt/redirectWithToken?room=Standup&state=${jitsiState({ room: 'Standup', tenant: '', ios: true })}`, headers: spHeaders(), status: 200, opensApp: true },
  { name: 'iframe-escape', path: '/saml2jwt/redirectWithTokenEscape?room=Standup', status: 200 },
  { name: 'signed-out', path: '/saml2jwt/loggedOut', status: 200 },
];

/**
 * A context whose page stays where it was opened: the pages' scripts follow their link at once,
 * and every later navigation of the top frame gets 204 No Content, which a browser answers by
 * staying on the page it has.
 */
export async function stayingContext(browser: Browser, locale: string, viewport: { width: number; height: number }, headers: Record<string, string> = {}): Promise<BrowserContext> {
  const context = await browser.newContext({ ignoreHTTPSErrors: true, locale, viewport, extraHTTPHeaders: headers });
  let navigations = 0;
  await context.route('**/*', async (route) => {
    const request = route.request();
    if (request.url() === 'https://meet.example.org/images/logo.svg') return route.fulfill({ contentType: 'image/svg+xml', body: LOGO });
    if (request.isNavigationRequest() && request.frame().parentFrame() === null && navigations++ > 0) return route.fulfill({ status: 204, body: '' });
    return route.continue();
  });
  return context;
}

/** What every page must be for a person: its language, one heading, a button the keyboard reaches, no CSP violation, nothing axe finds. */
export async function checkPage(page: Page, lang: string, cspErrors: string[], keyboard = true): Promise<void> {
  expect(await page.getAttribute('html', 'lang')).to.equal(lang);
  const headings = await page.$$eval('h1', (hs) => hs.map((h) => (h.textContent ?? '').trim()));
  expect(headings).to.have.length(1);
  expect(headings[0]).to.not.equal('');
  // From the top of the page, as a keyboard user arrives (a page that tried to open an app may have lost focus).
  await page.bringToFront();
  await page.evaluate(() => {
    (document.activeElement as HTMLElement | null)?.blur();
    window.focus();
  });
  if (keyboard) await page.keyboard.press('Tab');
  else await page.focus('a.button');
  const focused = await page.evaluate(() => {
    const e = document.activeElement;
    return e instanceof HTMLAnchorElement ? { href: e.getAttribute('href'), text: (e.textContent ?? '').trim() } : null;
  });
  expect(focused, 'Tab reaches a link').to.not.equal(null);
  expect(focused?.text).to.not.equal('');
  expect(describeViolations(await axeViolations(page))).to.deep.equal([]);
  // axe ran beside the page, not in it: the page's own world has no trace of it.
  expect(await page.evaluate(() => typeof (window as unknown as { axe?: unknown }).axe)).to.equal('undefined');
  expect(cspErrors).to.deep.equal([]);
}

describe('e2e: the pages a person sees (Chromium: screenshots, axe-core)', function () {
  this.timeout(120000);
  let browser: Browser;
  let plain: TestSidecar;
  let branded: TestSidecar;
  let busy: TestSidecar;

  before(async () => {
    mkdirSync(SCREENSHOTS, { recursive: true });
    const policy = writePolicy(POLICY);
    plain = await startTestSidecar({ POLICY_FILE: policy });
    busy = await startTestSidecar({ POLICY_FILE: policy, FRONT_RATE_LIMIT: '1' });
    branded = await startTestSidecar({
      POLICY_FILE: policy,
      BRAND_NAME: 'Université Exemple',
      BRAND_LOGO_URL: '/images/logo.svg',
      BRAND_COLOR: '#f2c200',
      SUPPORT_URL: 'https://help.uni.example/video',
      SUPPORT_EMAIL: 'video-help@uni.example',
    });
    // busy@ has had its one login this minute.
    await get(`${busy.front}/redirectWithToken?room=Standup`, spHeaders({ mail: 'busy@uni.example' }));
    browser = await launchBrowser();
  });

  after(async () => {
    await browser?.close();
    await plain?.stop();
    await branded?.stop();
    await busy?.stop();
  });

  for (const c of PAGES) {
    for (const { lang, locale } of LANGS) {
      for (const [width, viewport] of Object.entries(WIDTHS)) {
        it(`${c.name}, ${lang}, ${width}`, async () => {
          const context = await stayingContext(browser, locale, viewport, c.headers);
          try {
            const page = await context.newPage();
            const cspErrors: string[] = [];
            page.on('console', (m) => {
              if (/Content Security Policy/i.test(m.text())) cspErrors.push(m.text());
            });
            const sidecar = c.on === 'branded' ? branded : c.on === 'busy' ? busy : plain;
            // Until the response commits only: Playwright follows the page's own navigation (stopped
            // by the 204) and would wait for it; the page is there once its heading is.
            const response = await page.goto(`${sidecar.front}${c.path}`, { waitUntil: 'commit' });
            expect(response?.status()).to.equal(c.status);
            await page.waitForSelector('h1');
            await page.waitForLoadState('load', { timeout: 3000 }).catch(() => undefined);
            await page.screenshot({ path: join(SCREENSHOTS, `${c.name}-${lang}-${width}.png`), fullPage: true });
            await checkPage(page, lang, cspErrors, !c.opensApp);
            if (c.name === 'refusal-policy') expect(await page.textContent('h1')).to.equal(CATALOGUES[lang].titles['403']);
            if (c.on === 'branded') expect(await page.$eval('img.logo', (img) => (img as HTMLImageElement).naturalWidth)).to.be.greaterThan(0);
          } finally {
            await context.close();
          }
        });
      }
    }
  }
});
