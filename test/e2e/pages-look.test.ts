// The pages a person sees, as Debian's Chromium shows them: each sidecar page in two languages at
// a phone's and a desktop's width, screenshotted into test-results/pages/ (kept as test artifacts
// to look at), and checked for accessibility with axe-core (support/axe.ts: run beside the page
// under its own CSP), plus the basics checked directly: the document's language, one heading, a
// button reachable with the keyboard, and no CSP violation.
import { expect } from 'chai';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { CATALOGUES } from '../../sidecar/src/pages/catalogue';
import { get, jitsiState, spHeaders, startTestSidecar, writePolicy, type TestSidecar } from '../support/test-sidecar';
import { PARTNER as PARTNER_USER, PARTNER_POLICY } from '../support/partner-policy';
import { launchBrowser } from './support/browser';
import { checkPage, LANGS, SCREENSHOTS, stayingContext, WIDTHS } from './support/page-check';


const PARTNER = spHeaders(PARTNER_USER);
const NONCE = 'cd'.repeat(32);

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

describe('e2e: the pages a person sees (Chromium: screenshots, axe-core)', function () {
  this.timeout(120000);
  let browser: Browser;
  let plain: TestSidecar;
  let branded: TestSidecar;
  let busy: TestSidecar;

  before(async () => {
    mkdirSync(SCREENSHOTS, { recursive: true });
    const policy = writePolicy(PARTNER_POLICY);
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
