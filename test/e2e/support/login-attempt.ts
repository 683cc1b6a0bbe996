// One user's try at logging in through a running stack, as a browser would: follow every redirect,
// fill in whatever IdP login form shows up (as alice), and report where it ended, so a test can say
// "a token" or "no token, and why" for IdPs the SP should or should not trust.
import { expect } from 'chai';
import type { BrowserContext } from 'playwright-core';
import { clientJwtFromUrl } from '../../support/jitsi-client';
import { newContext, submitIdpLogin, tokenAuthUrl } from './browser';
import { sidecarLog } from './sidecar-audit';
import type { Stack } from './stack';

export const JWT_PATTERN = /eyJ[\w-]+\.[\w-]+\.[\w-]+/;

export interface Attempt {
  /** Every URL the page's main frame navigated to. */
  navigations: string[];
  /** The hosts whose login form was filled in. */
  loggedInAt: string[];
  finalUrl: string;
  /** The HTTP status of the last page the main frame loaded (0 when none answered). */
  finalStatus: number;
  text: string;
}

/** Tokens the stack's sidecar has issued so far (its audit log). */
export const issuedTokens = (stack: Stack): number => sidecarLog(stack.dir).filter((l) => l.event === 'token_issued').length;

/**
 * Opens `url` in a fresh browser; whenever an IdP login form shows, logs in as alice; resolves
 * once the page has settled back on the public site (or stays elsewhere without a form).
 */
export async function attemptLogin(stack: Stack, url: string): Promise<Attempt> {
  const publicOrigin = new URL(stack.publicUrl).origin;
  const context: BrowserContext = await newContext(stack.browser);
  try {
    const page = await context.newPage();
    const navigations: string[] = [];
    const loggedInAt: string[] = [];
    let finalStatus = 0;
    page.on('framenavigated', (frame) => {
      if (frame === page.mainFrame()) navigations.push(frame.url());
    });
    page.on('response', (response) => {
      if (response.request().isNavigationRequest() && response.frame() === page.mainFrame()) finalStatus = response.status();
    });
    await page.goto(url, { timeout: 20000 }).catch(() => undefined);
    for (let i = 0; i < 2; i++) {
      const form = await page.waitForSelector('#username', { timeout: 4000 }).catch(() => null);
      if (!form) break;
      loggedInAt.push(new URL(page.url()).host);
      await submitIdpLogin(page, 'alice', 'alice-pass');
      await page.waitForURL((u) => u.origin === publicOrigin, { timeout: 20000 }).catch(() => undefined);
    }
    await page.waitForLoadState('networkidle', { timeout: 10000 }).catch(() => undefined);
    // The sidecar flushes its audit lines every 500 ms.
    await new Promise((r) => setTimeout(r, 700));
    return { navigations, loggedInAt, finalUrl: page.url(), finalStatus, text: await page.content() };
  } finally {
    await context.close();
  }
}

/** No navigation carried a token, the page shows none, and the sidecar issued none since `issuedBefore`. */
export function expectNoToken(stack: Stack, a: Attempt, issuedBefore: number): void {
  const withToken = a.navigations.filter((u) => /[?&#]jwt=/.test(u));
  expect(withToken, `navigations: ${a.navigations.join('\n')}`).to.deep.equal([]);
  expect(a.text).not.to.match(JWT_PATTERN);
  expect(issuedTokens(stack), 'tokens the sidecar issued').to.equal(issuedBefore);
}

/** The login through TOKEN_AUTH_URL for `room` lands in the meeting with a token. */
export async function expectLogin(stack: Stack, room: string): Promise<Attempt> {
  const a = await attemptLogin(stack, tokenAuthUrl(stack.publicUrl, room, ''));
  const landed = new URL(a.finalUrl);
  expect(landed.origin, a.navigations.join('\n')).to.equal(new URL(stack.publicUrl).origin);
  expect(clientJwtFromUrl(landed.href), a.navigations.join('\n')).to.have.property('jwt').that.matches(JWT_PATTERN);
  return a;
}
