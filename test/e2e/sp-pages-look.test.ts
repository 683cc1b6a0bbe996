// The SP's own error pages (Shibboleth's templates, ours: scripts/docs/sp-pages.ts), served by the
// real Apache + mod_shib + shibd: in the language Apache picks from Accept-Language, in the
// operator's look, with Shibboleth's own values filled in; screenshotted beside the sidecar's
// pages and checked the same way (pages-look.test.ts checkPage, axe-core).
import { expect } from 'chai';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { CATALOGUES, type Language } from '../../sidecar/src/pages/catalogue';
import { checkPage, SCREENSHOTS, stayingContext, WIDTHS } from './support/page-check';
import { httpGet } from './support/http-request';
import { startStack, type Stack } from './support/stack';

/** The ACS without a SAML message: Shibboleth answers with its session error page. */
const ACS = '/saml2jwt/Shibboleth.sso/SAML2/POST';

describe('e2e: the SP\'s error pages (Apache, mod_shib, shibd; Chromium: screenshots, axe-core)', function () {
  this.timeout(180000);
  let stack: Stack;

  before(async function () {
    this.timeout(240000);
    mkdirSync(SCREENSHOTS, { recursive: true });
    stack = await startStack({ backend: 'echo' });
  });

  after(async function () {
    this.timeout(30000);
    if (stack) await stack.stop();
  });

  /** `locale`: what the browser is set to, which makes its Accept-Language. */
  async function open(locale: string, viewport: { width: number; height: number }): Promise<{ page: Page; status: number | undefined; cspErrors: string[]; close: () => Promise<void> }> {
    const context = await stayingContext(stack.browser, locale, viewport);
    const page = await context.newPage();
    const cspErrors: string[] = [];
    page.on('console', (m) => {
      if (/Content Security Policy/i.test(m.text())) cspErrors.push(m.text());
    });
    const response = await page.goto(`${stack.publicUrl}${ACS}`, { waitUntil: 'load' });
    return { page, status: response?.status(), cspErrors, close: () => context.close() };
  }

  const cases: [string, Language][] = [
    ['en-GB', 'en'],
    ['fr-FR', 'fr'],
  ];
  for (const [locale, lang] of cases) {
    for (const [width, viewport] of Object.entries(WIDTHS)) {
      it(`session error, ${lang}, ${width}: our page, filled in by Shibboleth`, async () => {
        const { page, status, cspErrors, close } = await open(locale, viewport);
        try {
          expect(status).to.be.within(400, 599);
          await page.screenshot({ path: join(SCREENSHOTS, `sp-session-error-${lang}-${width}.png`), fullPage: true });
          expect(await page.textContent('h1')).to.equal(CATALOGUES[lang].sp.sessionError.title);
          const html = await page.content();
          expect(html).to.not.include('shibmlp');
          expect(html).to.not.include('${');
          // Shibboleth's error type, small at the bottom, for the helpdesk.
          expect(await page.textContent('p.code code')).to.match(/^[A-Za-z:]+/);
          expect(await page.getAttribute('a.button.primary', 'href')).to.equal(`${stack.publicUrl}/`);
          await checkPage(page, lang, cspErrors);
        } finally {
          await close();
        }
      });
    }
  }

  it('Apache picks the first of our languages the browser lists', async () => {
    for (const [header, lang] of [
      ['ja, nl;q=0.7, fr;q=0.5', 'nl'],
      ['fr-CA,fr;q=0.9,en;q=0.8', 'fr'],
      ['en-US,en;q=0.9,de;q=0.8', 'en'],
      ['de-AT', 'de'],
      ['es-419,es;q=0.9', 'es'],
      ['it', 'it'],
      ['pt-BR, ja', 'en'],
      ['', 'en'],
    ] as const) {
      const res = await httpGet(`http://127.0.0.1:${stack.sp.port}${ACS}`, header === '' ? {} : { 'accept-language': header });
      expect(res.body, header).to.include(`<html lang="${lang}">`);
      expect(res.headers['cache-control'], header).to.match(/no-store/);
    }
  });

  describe('with the operator\'s branding', () => {
    before(async function () {
      this.timeout(120000);
      await stack.restartSp({
        BRAND_NAME: 'Hogeschool Voorbeeld',
        BRAND_LOGO_URL: '/images/logo.svg',
        BRAND_COLOR: '#7a1f5c',
        SUPPORT_URL: 'https://help.hogeschool.example/video',
        SUPPORT_EMAIL: 'video@hogeschool.example',
      });
    });

    for (const [width, viewport] of Object.entries(WIDTHS)) {
      it(`session error, nl, ${width}: brand, logo under the page's CSP, support`, async () => {
        const { page, cspErrors, close } = await open('nl-NL', viewport);
        try {
          await page.screenshot({ path: join(SCREENSHOTS, `sp-session-error-branded-nl-${width}.png`), fullPage: true });
          expect(await page.textContent('.brand')).to.equal('Hogeschool Voorbeeld');
          expect(await page.$eval('img.logo', (img) => (img as HTMLImageElement).naturalWidth)).to.be.greaterThan(0);
          expect(await page.getAttribute('.support a', 'href')).to.equal('https://help.hogeschool.example/video');
          expect(await page.textContent('.support')).to.include('video@hogeschool.example');
          await checkPage(page, 'nl', cspErrors);
        } finally {
          await close();
        }
      });
    }

    it('a bad brand value stops the SP from starting, naming the variable', async () => {
      let failure = '';
      try {
        await stack.restartSp({ BRAND_COLOR: 'purple' });
      } catch (err) {
        failure = String(err);
      }
      expect(failure).to.include('BRAND_COLOR must be a colour as #rrggbb or #rgb, not "purple"');
    });
  });
});
