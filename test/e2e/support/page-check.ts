// What the page tests share: where screenshots go, the widths and languages, a browser context
// whose page stays put, and the checks every page a person sees must pass.
import { expect } from 'chai';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { axeViolations, describeViolations } from './axe';
import { repoRoot } from './paths';

/** Kept as test artifacts (git-ignored): look at them. */
export const SCREENSHOTS = join(repoRoot, 'test-results/pages');

/** The logo a branded page shows, served in place of any site's /images/logo.svg. */
export const LOGO_SVG = '<svg xmlns="http://www.w3.org/2000/svg" width="120" height="36" viewBox="0 0 120 36"><rect width="36" height="36" rx="8" fill="#f2c200"/><text x="44" y="25" font-family="sans-serif" font-size="18" fill="#fff">UNIX</text></svg>';

export const WIDTHS = { phone: { width: 390, height: 844 }, desktop: { width: 1280, height: 800 } } as const;
export const LANGS = [
  { lang: 'en', locale: 'en-GB' },
  { lang: 'fr', locale: 'fr-FR' },
] as const;

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
    if (new URL(request.url()).pathname === '/images/logo.svg') return route.fulfill({ contentType: 'image/svg+xml', body: LOGO_SVG });
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

